// The routing table of networking.k8s.io/v1 Ingress (kubernetes.io/docs/concepts/services-networking/ingress):
// - hosts: an exact host, or a wildcard "*.example.com" that matches exactly one more label; a
//   rule without host matches every host. A request goes to the most specific host that has rules
//   (exact, then wildcard, then the host-less rules) and looks for its path there only, as
//   ingress-nginx's server blocks do.
// - paths: Exact (the whole path, case-sensitive), Prefix (element-wise on "/": /foo matches /foo,
//   /foo/ and /foo/bar, not /foobar; a trailing "/" in the rule is ignored) and
//   ImplementationSpecific (here: a plain string prefix, as nginx's `location /path`).
// - precedence: the longest matching rule path first; of equally long ones, Exact before Prefix
//   before ImplementationSpecific; then the older Ingress (creationTimestamp, then namespace/name).
//   The same host, path and type in two Ingresses: the older one holds it.
// - defaultBackend: an Ingress's spec.defaultBackend serves its hosts' requests that match no path;
//   the oldest Ingress with a defaultBackend and no host-specific rules serves requests whose host
//   matches nothing. Otherwise nothing matches (the server answers 404).
import type { HTTPIngressPath, Ingress, IngressBackend, PathType, ServiceBackendPort } from '../api/networking.js';
import { DEFAULT_OPTIONS, ingressOptions, type IngressOptions } from './annotations.js';

/** A Service port an Ingress sends traffic to (spec.rules[].http.paths[].backend.service). */
export interface BackendRef {
  namespace: string;
  service: string;
  port: ServiceBackendPort;
}

/** "namespace/service:port", the port by number or by name. */
export function backendKey(b: BackendRef): string {
  return `${b.namespace}/${b.service}:${b.port.number ?? b.port.name ?? ''}`;
}

export interface Route {
  /** The Ingress that holds it: "namespace/name". */
  ingress: string;
  /** The rule's host ("" for every host, "*.example.com" for a wildcard). */
  host: string;
  path: string;
  pathType: PathType;
  /** Whether this is the group's defaultBackend rather than a path rule. */
  isDefault: boolean;
  /** Where traffic goes; undefined for a resource backend (not served by this controller: 503). */
  backend?: BackendRef;
  options: IngressOptions;
  /** The host has a certificate in some Ingress's spec.tls (so ssl-redirect applies). */
  tls: boolean;
}

/** The routes of one host: path rules in precedence order, then the defaultBackend. */
interface HostRoutes {
  paths: Route[];
  fallback?: Route;
}

const TYPE_ORDER: Record<PathType, number> = { Exact: 0, Prefix: 1, ImplementationSpecific: 2 };

export class RouteTable {
  constructor(
    private readonly exact: ReadonlyMap<string, HostRoutes>,
    /** Wildcard hosts by the part after "*.". */
    private readonly wildcard: ReadonlyMap<string, HostRoutes>,
    private readonly anyHost: HostRoutes | undefined,
    private readonly fallback: Route | undefined,
    /** Every route, for listing and tests. */
    readonly routes: readonly Route[],
  ) {}

  static readonly EMPTY = new RouteTable(new Map(), new Map(), undefined, undefined, []);

  /** The route for a request: `host` as normalizeHost gives it, `path` without the query. */
  match(host: string, path: string): Route | undefined {
    let group = this.exact.get(host);
    if (group === undefined) {
      const dot = host.indexOf('.');
      if (dot > 0) group = this.wildcard.get(host.slice(dot + 1));
    }
    if (group !== undefined) return matchPath(group.paths, path) ?? group.fallback;
    if (this.anyHost !== undefined) return matchPath(this.anyHost.paths, path) ?? this.anyHost.fallback ?? this.fallback;
    return this.fallback;
  }

  /** The hosts that have rules (exact and wildcard), for status and listings. */
  hosts(): string[] {
    return [...this.exact.keys(), ...[...this.wildcard.keys()].map((s) => `*.${s}`)];
  }
}

function matchPath(paths: readonly Route[], path: string): Route | undefined {
  for (const r of paths) if (pathMatches(r.pathType, r.path, path)) return r;
  return undefined;
}

/** Whether a rule (pathType, path) matches a request path. */
export function pathMatches(type: PathType, rule: string, path: string): boolean {
  if (type === 'Exact') return path === rule;
  if (type === 'ImplementationSpecific') return path.startsWith(rule);
  const p = trimSlash(rule);
  if (p === '') return true; // "/" matches everything
  return path === p || (path.startsWith(p) && path.charCodeAt(p.length) === 47 /* '/' */);
}

/** A Prefix rule's path without its trailing slashes ("/" becomes ""). */
function trimSlash(p: string): string {
  let end = p.length;
  while (end > 0 && p.charCodeAt(end - 1) === 47) end--;
  return p.slice(0, end);
}

/** The length that ranks a rule: Prefix rules count without their trailing slash. */
function rank(r: Route): number {
  return r.pathType === 'Prefix' ? trimSlash(r.path).length : r.path.length;
}

/**
 * A request's Host as routing compares it: lower case, without the port and a trailing dot.
 * (IPv6 literals keep their brackets.)
 */
export function normalizeHost(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  let h = hostHeader.toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end < 0 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

function created(ing: Ingress): number {
  return Date.parse(ing.metadata.creationTimestamp ?? '') || 0;
}

function ingressKey(ing: Ingress): string {
  return `${ing.metadata.namespace ?? ''}/${ing.metadata.name ?? ''}`;
}

/** Oldest first, then by namespace/name: the order in which Ingresses claim hosts and paths. */
export function byAge(a: Ingress, b: Ingress): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  const ka = ingressKey(a);
  const kb = ingressKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function backendOf(ing: Ingress, b: IngressBackend): BackendRef | undefined {
  if (!b.service) return undefined;
  return { namespace: ing.metadata.namespace ?? 'default', service: b.service.name, port: b.service.port ?? {} };
}

/** Whether a host (exact or wildcard) is covered by a TLS host list entry. */
function tlsCovers(tlsHosts: ReadonlySet<string>, host: string): boolean {
  if (host === '') return false;
  if (tlsHosts.has(host)) return true;
  const dot = host.indexOf('.');
  return dot > 0 && !host.startsWith('*.') && tlsHosts.has(`*.${host.slice(dot + 1)}`);
}

/** Builds the table from the Ingresses this controller serves (any order). */
export function compileRoutes(ingresses: readonly Ingress[], onProblem?: (ingress: string, problem: string) => void): RouteTable {
  const sorted = [...ingresses].sort(byAge);
  const tlsHosts = new Set<string>();
  for (const ing of sorted) for (const t of ing.spec?.tls ?? []) for (const h of t.hosts ?? []) tlsHosts.add(h.toLowerCase());

  const groups = new Map<string, HostRoutes>();
  const claimed = new Set<string>();
  const all: Route[] = [];
  let fallback: Route | undefined;
  for (const ing of sorted) {
    const key = ingressKey(ing);
    const problems: string[] = [];
    const options = ing.metadata.annotations ? ingressOptions(ing, problems) : DEFAULT_OPTIONS;
    for (const p of problems) onProblem?.(key, p);
    const spec = ing.spec ?? {};
    const rules = spec.rules ?? [];
    const def = spec.defaultBackend;
    const hostsWithRules = new Set<string>();
    for (const rule of rules) {
      const host = (rule.host ?? '').toLowerCase();
      hostsWithRules.add(host);
      let group = groups.get(host);
      if (!group) groups.set(host, (group = { paths: [] }));
      for (const p of rule.http?.paths ?? []) {
        const route = pathRoute(ing, key, host, p, options, tlsCovers(tlsHosts, host));
        const id = `${host}\u0000${route.pathType}\u0000${route.pathType === 'Prefix' ? trimSlash(route.path) : route.path}`;
        if (claimed.has(id)) continue; // an older Ingress holds this host and path
        claimed.add(id);
        group.paths.push(route);
        all.push(route);
      }
    }
    if (def) {
      // Its hosts' unmatched requests (the first Ingress to give a host a defaultBackend keeps it).
      for (const host of hostsWithRules) {
        const group = groups.get(host)!;
        if (group.fallback) continue;
        group.fallback = defaultRoute(ing, key, host, def, options, tlsCovers(tlsHosts, host));
        all.push(group.fallback);
      }
      const hostSpecific = rules.length > 0 && [...hostsWithRules].every((h) => h !== '');
      if (!fallback && !hostSpecific) {
        fallback = hostsWithRules.has('') ? groups.get('')!.fallback : defaultRoute(ing, key, '', def, options, false);
        if (fallback && !all.includes(fallback)) all.push(fallback);
      }
    }
  }
  for (const g of groups.values()) g.paths.sort((a, b) => rank(b) - rank(a) || TYPE_ORDER[a.pathType] - TYPE_ORDER[b.pathType]); // stable: age order kept
  const exact = new Map<string, HostRoutes>();
  const wildcard = new Map<string, HostRoutes>();
  let anyHost: HostRoutes | undefined;
  for (const [host, g] of groups) {
    if (host === '') anyHost = g;
    else if (host.startsWith('*.')) wildcard.set(host.slice(2), g);
    else exact.set(host, g);
  }
  return new RouteTable(exact, wildcard, anyHost, fallback, all);
}

function pathRoute(ing: Ingress, key: string, host: string, p: HTTPIngressPath, options: IngressOptions, tls: boolean): Route {
  const route: Route = { ingress: key, host, path: p.path || '/', pathType: p.pathType ?? 'ImplementationSpecific', isDefault: false, options, tls };
  const backend = backendOf(ing, p.backend);
  if (backend) route.backend = backend;
  return route;
}

function defaultRoute(ing: Ingress, key: string, host: string, b: IngressBackend, options: IngressOptions, tls: boolean): Route {
  const route: Route = { ingress: key, host, path: '/', pathType: 'Prefix', isDefault: true, options, tls };
  const backend = backendOf(ing, b);
  if (backend) route.backend = backend;
  return route;
}
