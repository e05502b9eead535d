// API discovery: the legacy documents (/api, /apis, /api/v1, /apis/<g>/<v>) and aggregated
// discovery (apidiscovery.k8s.io v2 and v2beta1) that kubectl 1.30+ asks for first.
import { createHash } from 'node:crypto';
import { GROUP_VERSIONS, RESOURCES, type ResourceInfo } from './resources.js';

const SUB_VERBS = ['get', 'patch', 'update'];
const STREAM_SUBRESOURCES: { name: string; verbs: string[]; kind: string; group?: string; version?: string }[] = [
  { name: 'log', verbs: ['get'], kind: 'Pod' },
  { name: 'exec', verbs: ['create', 'get'], kind: 'PodExecOptions' },
  { name: 'attach', verbs: ['create', 'get'], kind: 'PodAttachOptions' },
  { name: 'portforward', verbs: ['create', 'get'], kind: 'PodPortForwardOptions' },
];

interface Subresource {
  name: string;
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

function subresourcesOf(res: ResourceInfo): Subresource[] {
  const out: Subresource[] = [];
  if (res.status) out.push({ name: 'status', kind: res.kind, verbs: SUB_VERBS });
  if (res.scale) out.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: SUB_VERBS });
  if (res.group === '' && res.plural === 'pods') out.push({ name: 'binding', kind: 'Binding', verbs: ['create'] }, ...STREAM_SUBRESOURCES);
  if (res.group === '' && res.plural === 'namespaces') out.push({ name: 'finalize', kind: 'Namespace', verbs: ['update'] });
  return out;
}

function served(): { group: string; version: string; resources: ResourceInfo[] }[] {
  return GROUP_VERSIONS.map((gv) => ({ ...gv, resources: RESOURCES.filter((r) => r.group === gv.group && r.version === gv.version) })).filter((gv) => gv.resources.length > 0);
}

function storageVersionHash(res: ResourceInfo): string {
  return createHash('sha256').update(`${res.group}/${res.version}/${res.kind}`).digest('base64').slice(0, 11);
}

export interface DiscoveryDocs {
  api: string;
  apis: string;
  group(name: string): string | undefined;
  resourceList(group: string, version: string): string | undefined;
  aggregated(which: 'api' | 'apis', version: 'v2' | 'v2beta1'): string;
}

/** Builds every discovery document once; the server answers from these strings. */
export function buildDiscovery(serverAddress: string): DiscoveryDocs {
  const gvs = served();
  const groups = gvs.filter((g) => g.group !== '');
  const groupDoc = (name: string): Record<string, unknown> => {
    const versions = groups.filter((g) => g.group === name).map((g) => ({ groupVersion: `${g.group}/${g.version}`, version: g.version }));
    return { name, versions, preferredVersion: versions[0] };
  };
  const groupNames = [...new Set(groups.map((g) => g.group))];

  const resourceLists = new Map<string, string>();
  for (const gv of gvs) {
    const groupVersion = gv.group === '' ? gv.version : `${gv.group}/${gv.version}`;
    const resources: Record<string, unknown>[] = [];
    for (const r of gv.resources) {
      const entry: Record<string, unknown> = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
      if (r.shortNames.length) entry['shortNames'] = r.shortNames;
      if (r.categories.length) entry['categories'] = r.categories;
      entry['storageVersionHash'] = storageVersionHash(r);
      resources.push(entry);
      for (const s of subresourcesOf(r)) {
        const sub: Record<string, unknown> = { name: `${r.plural}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs };
        if (s.group) sub['group'] = s.group;
        if (s.version) sub['version'] = s.version;
        resources.push(sub);
      }
    }
    resourceLists.set(groupVersion, JSON.stringify({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources }));
  }

  const aggregatedItems = (which: 'api' | 'apis'): Record<string, unknown>[] => {
    const selected = gvs.filter((g) => (which === 'api' ? g.group === '' : g.group !== ''));
    const byGroup = new Map<string, typeof selected>();
    for (const g of selected) byGroup.set(g.group, [...(byGroup.get(g.group) ?? []), g]);
    return [...byGroup.entries()].map(([group, versions]) => ({
      metadata: group === '' ? { creationTimestamp: null } : { name: group, creationTimestamp: null },
      versions: versions.map((v) => ({
        version: v.version,
        resources: v.resources.map((r) => {
          const entry: Record<string, unknown> = {
            resource: r.plural,
            responseKind: { group: r.group, version: r.version, kind: r.kind },
            scope: r.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: r.singular,
            verbs: r.verbs,
          };
          if (r.shortNames.length) entry['shortNames'] = r.shortNames;
          if (r.categories.length) entry['categories'] = r.categories;
          const subs = subresourcesOf(r);
          if (subs.length) {
            entry['subresources'] = subs.map((s) => ({
              subresource: s.name,
              responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind },
              verbs: s.verbs,
            }));
          }
          return entry;
        }),
        freshness: 'Current',
      })),
    }));
  };
  const aggregated = new Map<string, string>();
  for (const which of ['api', 'apis'] as const) {
    for (const version of ['v2', 'v2beta1'] as const) {
      aggregated.set(`${which}/${version}`, JSON.stringify({ kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items: aggregatedItems(which) }));
    }
  }

  return {
    api: JSON.stringify({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] }),
    apis: JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups: groupNames.map(groupDoc) }),
    group: (name) => (groupNames.includes(name) ? JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(name) }) : undefined),
    resourceList: (group, version) => resourceLists.get(group === '' ? version : `${group}/${version}`),
    aggregated: (which, version) => aggregated.get(`${which}/${version}`)!,
  };
}

/** The aggregated discovery version a client asked for in Accept, if any (first match wins). */
export function aggregatedVersionWanted(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const p = part.replace(/\s/g, '');
    if (!p.includes('as=APIGroupDiscoveryList') || !p.includes('g=apidiscovery.k8s.io')) continue;
    if (p.includes('v=v2beta1')) return 'v2beta1';
    if (p.includes('v=v2')) return 'v2';
  }
  return undefined;
}
