import { describe, expect, it } from 'vitest';
import { loadSchema } from '../../api/schema.js';
import type { JsonObject } from '../../api/types.js';
import { PatchError } from './errors.js';
import { applyStrategicMergePatch } from './strategic.js';
import { TypeResolver } from './typeref.js';

const types = new TypeResolver(loadSchema());

function smp(model: string, live: JsonObject, patch: unknown): JsonObject {
  return applyStrategicMergePatch(live, JSON.stringify(patch), types.forModel(model), types);
}

function container(name: string, extra: JsonObject = {}): JsonObject {
  return { name, image: `${name}:1`, ...extra };
}

/** A Deployment whose pod template has the given containers (and volumes). */
function deployment(containers: JsonObject[], podSpec: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web', tier: 'front' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers, ...podSpec } },
    },
  };
}

function podSpecOf(d: JsonObject): JsonObject {
  return ((d['spec'] as JsonObject)['template'] as JsonObject)['spec'] as JsonObject;
}

function template(podSpecPatch: JsonObject): JsonObject {
  return { spec: { template: { spec: podSpecPatch } } };
}

interface Case {
  name: string;
  live: JsonObject;
  patch: JsonObject;
  /** What to look at in the result. */
  pick: (o: JsonObject) => unknown;
  want: unknown;
}

const env = (pairs: [string, string][]): JsonObject[] => pairs.map(([name, value]) => ({ name, value }));

describe('strategic merge patch: lists merged by key (Deployment pod template)', () => {
  const cases: Case[] = [
    {
      name: 'a container is patched by its name; the others stay',
      live: deployment([container('app'), container('sidecar')]),
      patch: template({ containers: [{ name: 'sidecar', image: 'sidecar:2' }] }),
      pick: (o) => podSpecOf(o)['containers'],
      want: [container('app'), { name: 'sidecar', image: 'sidecar:2' }],
    },
    {
      name: 'kubectl apply adding a container: $setElementOrder places it',
      live: deployment([container('app')]),
      patch: template({ '$setElementOrder/containers': [{ name: 'init-db' }, { name: 'app' }], containers: [container('init-db')] }),
      pick: (o) => (podSpecOf(o)['containers'] as JsonObject[]).map((c) => c['name']),
      want: ['init-db', 'app'],
    },
    {
      name: 'kubectl apply removing an env var: $patch: delete by name under $setElementOrder',
      live: deployment([container('app', { env: env([['A', '1'], ['B', '2'], ['C', '3']]) })]),
      patch: template({
        '$setElementOrder/containers': [{ name: 'app' }],
        containers: [{ name: 'app', '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }], env: [{ $patch: 'delete', name: 'B' }] }],
      }),
      pick: (o) => (podSpecOf(o)['containers'] as JsonObject[])[0]!['env'],
      want: env([['A', '1'], ['C', '3']]),
    },
    {
      name: 'kubectl apply changing an env value keeps the other vars and their order',
      live: deployment([container('app', { env: env([['A', '1'], ['B', '2']]) })]),
      patch: template({
        '$setElementOrder/containers': [{ name: 'app' }],
        containers: [{ name: 'app', '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }], env: [{ name: 'B', value: 'two' }] }],
      }),
      pick: (o) => (podSpecOf(o)['containers'] as JsonObject[])[0]!['env'],
      want: env([['A', '1'], ['B', 'two']]),
    },
    {
      // mergeSortedSlice puts a patch item first unless a live item preceded it in the live list.
      name: 'an env var added without an order directive goes first (kubectl patch)',
      live: deployment([container('app', { env: env([['A', '1']]) })]),
      patch: template({ containers: [{ name: 'app', env: [{ name: 'Z', value: '26' }] }] }),
      pick: (o) => (podSpecOf(o)['containers'] as JsonObject[])[0]!['env'],
      want: env([['Z', '26'], ['A', '1']]),
    },
    {
      name: 'container ports merge by containerPort',
      live: deployment([container('app', { ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] })]),
      patch: template({ containers: [{ name: 'app', ports: [{ containerPort: 443, name: 'https' }] }] }),
      pick: (o) => (podSpecOf(o)['containers'] as JsonObject[])[0]!['ports'],
      want: [{ containerPort: 80, name: 'http' }, { containerPort: 443, name: 'https' }],
    },
    {
      name: 'volumeMounts merge by mountPath (the new one first, as above)',
      live: deployment([container('app', { volumeMounts: [{ name: 'a', mountPath: '/a' }] })]),
      patch: template({ containers: [{ name: 'app', volumeMounts: [{ name: 'b', mountPath: '/b' }] }] }),
      pick: (o) => (podSpecOf(o)['containers'] as JsonObject[])[0]!['volumeMounts'],
      want: [{ name: 'b', mountPath: '/b' }, { name: 'a', mountPath: '/a' }],
    },
    {
      name: '$setElementOrder reorders; server-only items keep their place before the items that followed them',
      live: deployment([container('a'), container('b'), container('c')]),
      patch: template({ '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }] }),
      pick: (o) => (podSpecOf(o)['containers'] as JsonObject[]).map((c) => c['name']),
      want: ['b', 'c', 'a'],
    },
    {
      name: 'items added by the patch follow the patch order, after the live items before them',
      live: deployment([container('a'), container('b')]),
      patch: template({ containers: [{ name: 'x' }, { name: 'a', image: 'a:2' }] }),
      pick: (o) => (podSpecOf(o)['containers'] as JsonObject[]).map((c) => c['name']),
      want: ['x', 'a', 'b'],
    },
    {
      name: '$patch: replace in a list makes the other items the whole list',
      live: deployment([container('a'), container('b')]),
      patch: template({ containers: [{ $patch: 'replace' }, container('c')] }),
      pick: (o) => podSpecOf(o)['containers'],
      want: [container('c')],
    },
    {
      name: '$patch: delete of every item empties the list',
      live: deployment([container('a')]),
      patch: template({ containers: [{ $patch: 'delete', name: 'a' }] }),
      pick: (o) => podSpecOf(o)['containers'],
      want: [],
    },
    {
      name: 'lists without a merge strategy are replaced (tolerations, args)',
      live: deployment([container('app', { args: ['a', 'b'] })], { tolerations: [{ key: 'x', operator: 'Exists' }] }),
      patch: template({ tolerations: [{ key: 'y', operator: 'Exists' }], containers: [{ name: 'app', args: ['c'] }] }),
      pick: (o) => [podSpecOf(o)['tolerations'], (podSpecOf(o)['containers'] as JsonObject[])[0]!['args']],
      want: [[{ key: 'y', operator: 'Exists' }], ['c']],
    },
    {
      name: 'a new list item loses nulls and nested directives',
      live: deployment([container('app')]),
      patch: template({ containers: [{ name: 'new', image: 'n:1', command: null, resources: { $patch: 'delete' } }] }),
      pick: (o) => (podSpecOf(o)['containers'] as JsonObject[]).find((c) => c['name'] === 'new'),
      want: { name: 'new', image: 'n:1' },
    },
  ];
  it.each(cases)('$name', ({ live, patch, pick, want }) => {
    const before = structuredClone(live);
    expect(pick(smp('V1Deployment', live, patch))).toEqual(want);
    expect(live).toEqual(before);
  });
});

describe('strategic merge patch: maps, structs and directives', () => {
  const cases: Case[] = [
    {
      name: 'null deletes a label (kubectl apply removing a label)',
      live: deployment([container('app')]),
      patch: { metadata: { labels: { tier: null } } },
      pick: (o) => (o['metadata'] as JsonObject)['labels'],
      want: { app: 'web' },
    },
    {
      name: 'maps merge key by key',
      live: deployment([container('app')]),
      patch: { metadata: { labels: { tier: 'back', team: 'x' } } },
      pick: (o) => (o['metadata'] as JsonObject)['labels'],
      want: { app: 'web', tier: 'back', team: 'x' },
    },
    {
      name: '$patch: replace on a map keeps only the patch',
      live: deployment([container('app')]),
      patch: { metadata: { labels: { $patch: 'replace', only: 'this' } } },
      pick: (o) => (o['metadata'] as JsonObject)['labels'],
      want: { only: 'this' },
    },
    {
      name: '$patch: delete on a map empties it',
      live: deployment([container('app')]),
      patch: { spec: { strategy: { $patch: 'delete' } } },
      pick: (o) => (o['spec'] as JsonObject)['strategy'],
      want: {},
    },
    {
      name: '$retainKeys: switching the Deployment strategy to Recreate clears rollingUpdate',
      live: deployment([container('app')]),
      patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } },
      pick: (o) => (o['spec'] as JsonObject)['strategy'],
      want: { type: 'Recreate' },
    },
    {
      name: '$retainKeys inside a volume item: emptyDir becomes a configMap volume',
      live: deployment([container('app')], { volumes: [{ name: 'data', emptyDir: {} }, { name: 'keep', emptyDir: {} }] }),
      patch: template({
        '$setElementOrder/volumes': [{ name: 'data' }, { name: 'keep' }],
        volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cfg' }, emptyDir: null, name: 'data' }],
      }),
      pick: (o) => podSpecOf(o)['volumes'],
      want: [{ name: 'data', configMap: { name: 'cfg' } }, { name: 'keep', emptyDir: {} }],
    },
    {
      name: 'a scalar replaces a scalar; a new field is added',
      live: deployment([container('app')]),
      patch: { spec: { replicas: 5, paused: true } },
      pick: (o) => [(o['spec'] as JsonObject)['replicas'], (o['spec'] as JsonObject)['paused']],
      want: [5, true],
    },
    {
      name: 'atomic struct fields still merge under strategic merge patch (selector)',
      live: deployment([container('app')]),
      patch: { spec: { selector: { matchLabels: { extra: 'x' } } } },
      pick: (o) => (o['spec'] as JsonObject)['selector'],
      want: { matchLabels: { app: 'web', extra: 'x' } },
    },
  ];
  it.each(cases)('$name', ({ live, patch, pick, want }) => {
    expect(pick(smp('V1Deployment', live, patch))).toEqual(want);
  });
});

describe('strategic merge patch: metadata lists', () => {
  const meta = (m: JsonObject): JsonObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', ...m } });
  const owner = (uid: string, name: string): JsonObject => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid });
  const cases: Case[] = [
    {
      name: 'finalizers (primitive merge list) take the union, patch values appended',
      live: meta({ finalizers: ['a', 'b'] }),
      patch: { metadata: { finalizers: ['b', 'c'] } },
      pick: (o) => (o['metadata'] as JsonObject)['finalizers'],
      want: ['a', 'b', 'c'],
    },
    {
      name: '$deleteFromPrimitiveList removes values from a primitive merge list',
      live: meta({ finalizers: ['a', 'b', 'c'] }),
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
      pick: (o) => (o['metadata'] as JsonObject)['finalizers'],
      want: ['a', 'c'],
    },
    {
      name: 'kubectl apply replacing a finalizer: deletion list plus order',
      live: meta({ finalizers: ['a', 'b'] }),
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'], '$setElementOrder/finalizers': ['c', 'b'], finalizers: ['c'] } },
      pick: (o) => (o['metadata'] as JsonObject)['finalizers'],
      want: ['c', 'b'],
    },
    {
      name: 'ownerReferences merge by uid',
      live: meta({ ownerReferences: [owner('u1', 'rs-1')] }),
      patch: { metadata: { ownerReferences: [{ ...owner('u1', 'rs-1'), controller: true }, owner('u2', 'rs-2')] } },
      pick: (o) => (o['metadata'] as JsonObject)['ownerReferences'],
      want: [{ ...owner('u1', 'rs-1'), controller: true }, owner('u2', 'rs-2')],
    },
    {
      name: 'an ownerReference is deleted by uid',
      live: meta({ ownerReferences: [owner('u1', 'rs-1'), owner('u2', 'rs-2')] }),
      patch: { metadata: { ownerReferences: [{ $patch: 'delete', uid: 'u1' }] } },
      pick: (o) => (o['metadata'] as JsonObject)['ownerReferences'],
      want: [owner('u2', 'rs-2')],
    },
    {
      name: 'ConfigMap data is a plain map: null deletes a key',
      live: { ...meta({}), data: { a: '1', b: '2' } },
      patch: { data: { a: null, c: '3' } },
      pick: (o) => o['data'],
      want: { b: '2', c: '3' },
    },
  ];
  it.each(cases)('$name', ({ live, patch, pick, want }) => {
    expect(pick(smp('V1ConfigMap', live, patch))).toEqual(want);
  });
});

describe('strategic merge patch: Service ports merge by port', () => {
  const svc = (ports: JsonObject[]): JsonObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { selector: { app: 'web' }, ports },
  });
  const port = (p: number, target: number, name?: string): JsonObject => ({ ...(name ? { name } : {}), port: p, protocol: 'TCP', targetPort: target });
  const cases: Case[] = [
    {
      name: 'kubectl apply changing a targetPort',
      live: svc([port(80, 8080, 'http'), port(443, 8443, 'https')]),
      patch: { spec: { '$setElementOrder/ports': [{ port: 80 }, { port: 443 }], ports: [{ port: 80, targetPort: 9090 }] } },
      pick: (o) => (o['spec'] as JsonObject)['ports'],
      want: [port(80, 9090, 'http'), port(443, 8443, 'https')],
    },
    {
      name: 'kubectl apply changing a port number: the old item is deleted, the new one added in place',
      live: svc([port(80, 8080, 'http'), port(443, 8443, 'https')]),
      patch: {
        spec: {
          '$setElementOrder/ports': [{ port: 8000 }, { port: 443 }],
          ports: [{ name: 'http', port: 8000, targetPort: 8080 }, { $patch: 'delete', port: 80 }],
        },
      },
      pick: (o) => (o['spec'] as JsonObject)['ports'],
      want: [{ name: 'http', port: 8000, targetPort: 8080 }, port(443, 8443, 'https')],
    },
    {
      name: 'the selector is a plain map: labels merge in',
      live: svc([port(80, 80)]),
      patch: { spec: { selector: { tier: 'front' } } },
      pick: (o) => (o['spec'] as JsonObject)['selector'],
      want: { app: 'web', tier: 'front' },
    },
  ];
  it.each(cases)('$name', ({ live, patch, pick, want }) => {
    expect(pick(smp('V1Service', live, patch))).toEqual(want);
  });
});

describe('strategic merge patch: free-form and unknown types fall back to merge-patch semantics', () => {
  it('lists of an unknown model are replaced, maps merged, nulls delete', () => {
    const live = { apiVersion: 'x/v1', kind: 'Thing', metadata: { name: 't' }, spec: { items: [1, 2], keep: true, drop: 1 } };
    const out = smp('NoSuchModel', live, { spec: { items: [3], drop: null } });
    expect(out['spec']).toEqual({ items: [3], keep: true });
  });
});

describe('strategic merge patch: errors as kube-apiserver answers them', () => {
  const live = deployment([container('app', { env: env([['A', '1']]) })]);
  const cases: { name: string; body: string; code: number; reason: string; message: string | RegExp }[] = [
    { name: 'not JSON', body: '{', code: 400, reason: 'BadRequest', message: 'invalid JSON patch' },
    { name: 'a JSON array', body: '[]', code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal array into Go value of type map[string]interface {}' },
    {
      name: 'a list item without its merge key',
      body: JSON.stringify(template({ containers: [{ image: 'x' }] })),
      code: 500,
      reason: '',
      message: 'map: map[image:x] does not contain declared merge key: name',
    },
    {
      name: '$patch: merge on a map',
      body: JSON.stringify({ spec: { strategy: { $patch: 'merge' } } }),
      code: 500,
      reason: '',
      message: 'unknown patch type: merge in map: map[$patch:merge]',
    },
    {
      name: '$patch: merge in a list',
      body: JSON.stringify(template({ containers: [{ $patch: 'merge', name: 'app' }] })),
      code: 500,
      reason: '',
      message: 'merging lists cannot yet be specified in the patch',
    },
    {
      name: '$retainKeys not listing a key the patch sets',
      body: JSON.stringify({ spec: { strategy: { $retainKeys: ['type'], type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } }),
      code: 400,
      reason: 'BadRequest',
      message: 'invalid patch format of retainKeys',
    },
    {
      name: '$setElementOrder without a list name',
      body: JSON.stringify({ spec: { $setElementOrder: [] } }),
      code: 400,
      reason: 'BadRequest',
      message: 'invalid patch format of setElementOrder list',
    },
    {
      name: 'a patch list in another order than its $setElementOrder',
      body: JSON.stringify(template({ '$setElementOrder/containers': [{ name: 'app' }], containers: [{ name: 'other' }] })),
      code: 500,
      reason: '',
      message: /^The order in patch list:/,
    },
    {
      name: 'a list of lists',
      body: JSON.stringify(template({ containers: [['a']] })),
      code: 422,
      reason: 'Invalid',
      message: 'the server rejected our request due to an error in our request',
    },
  ];
  it.each(cases)('$name -> $code', ({ body, code, reason, message }) => {
    let err: unknown;
    try {
      applyStrategicMergePatch(live, body, types.forModel('V1Deployment'), types);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PatchError);
    const pe = err as PatchError;
    expect([pe.code, pe.reason]).toEqual([code, reason]);
    if (typeof message === 'string') expect(pe.message).toBe(message);
    else expect(pe.message).toMatch(message);
  });
});
