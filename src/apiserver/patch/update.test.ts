import { describe, expect, it } from 'vitest';
import type { JsonObject, KubeObject, ManagedFieldsEntry } from '../../api/types.js';
import { defaultFieldManager, recordUpdate } from './index.js';

const at = (minute: number): Date => new Date(Date.UTC(2024, 0, 1, 0, minute, 0));

/** A Deployment as stored after `kubectl create deployment nginx --image=nginx` and defaulting. */
function deployment(replicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'default', uid: 'u-1', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z', labels: { app: 'nginx' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'nginx' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx', imagePullPolicy: 'Always' }], restartPolicy: 'Always', securityContext: {} },
      },
    },
  };
}

function entry(obj: KubeObject, manager: string): ManagedFieldsEntry | undefined {
  return obj.metadata.managedFields?.find((e) => e.manager === manager);
}

function fieldsAt(e: ManagedFieldsEntry | undefined, ...path: string[]): unknown {
  let v: unknown = e?.fieldsV1;
  for (const p of path) v = (v as JsonObject | undefined)?.[p];
  return v;
}

function withSpec(obj: KubeObject, spec: JsonObject): KubeObject {
  return { ...obj, spec: { ...(obj['spec'] as JsonObject), ...spec } };
}

describe('recordUpdate: the Update entries of writes', () => {
  const created = recordUpdate(undefined, deployment(), 'kubectl-create', 'apps/v1', '', { now: at(0) });

  it('a create gives its manager every field it set, as kube-apiserver spells them', () => {
    expect(created.metadata.managedFields).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: '2024-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'f:type': {} },
            'f:template': {
              'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:name': {}, 'f:resources': {} },
                },
                'f:restartPolicy': {},
                'f:securityContext': {},
              },
            },
          },
        },
      },
    ]);
  });

  it.each([
    {
      name: 'kubectl edit changing replicas takes them from the creator',
      write: (live: KubeObject) => recordUpdate(live, withSpec(live, { replicas: 3 }), 'kubectl-edit', 'apps/v1', '', { now: at(5) }),
      check: (out: KubeObject) => {
        expect(fieldsAt(entry(out, 'kubectl-edit'), 'f:spec')).toEqual({ 'f:replicas': {} });
        expect(entry(out, 'kubectl-edit')!.time).toBe('2024-01-01T00:05:00Z');
        expect(fieldsAt(entry(out, 'kubectl-create'), 'f:spec', 'f:replicas')).toBeUndefined();
      },
    },
    {
      name: 'a write that changes nothing leaves managedFields as they were',
      write: (live: KubeObject) => recordUpdate(live, live, 'kubectl-edit', 'apps/v1', '', { now: at(5) }),
      check: (out: KubeObject) => expect(out.metadata.managedFields).toEqual(created.metadata.managedFields),
    },
    {
      name: 'a removed field leaves every owner',
      write: (live: KubeObject) => {
        const next = structuredClone(live);
        delete (next['spec'] as JsonObject)['strategy'];
        return recordUpdate(live, next, 'kubectl-edit', 'apps/v1', '', { now: at(5) });
      },
      check: (out: KubeObject) => {
        expect(fieldsAt(entry(out, 'kubectl-create'), 'f:spec', 'f:strategy')).toBeUndefined();
        expect(entry(out, 'kubectl-edit')).toBeUndefined();
      },
    },
    {
      name: 'a status write through /status gets its own entry, with the subresource',
      write: (live: KubeObject) => recordUpdate(live, { ...live, status: { replicas: 1, observedGeneration: 1 } }, 'kube-controller-manager', 'apps/v1', 'status', { now: at(1) }),
      check: (out: KubeObject) => {
        const e = entry(out, 'kube-controller-manager')!;
        expect(e.subresource).toBe('status');
        expect(e.fieldsV1).toEqual({ 'f:status': { 'f:observedGeneration': {}, 'f:replicas': {} } });
      },
    },
    {
      name: 'status sent to the main resource is not owned there (the strategy resets it)',
      write: (live: KubeObject) => recordUpdate(live, { ...live, status: { replicas: 9 } }, 'kubectl-edit', 'apps/v1', '', { now: at(5) }),
      check: (out: KubeObject) => expect(entry(out, 'kubectl-edit')).toBeUndefined(),
    },
    {
      name: 'managedFields: [] in the write resets them, and tracking stops until the next apply',
      write: (live: KubeObject) => recordUpdate(live, { ...withSpec(live, { replicas: 4 }), metadata: { ...live.metadata, managedFields: [] } }, 'kubectl-edit', 'apps/v1', '', { now: at(5) }),
      check: (out: KubeObject) => expect(out.metadata.managedFields).toBeUndefined(),
    },
    {
      name: 'managedFields the write carries unchanged are kept (a PUT of what was read)',
      write: (live: KubeObject) => recordUpdate(live, withSpec(live, { replicas: 2 }), 'kubectl-replace', 'apps/v1', '', { now: at(5) }),
      check: (out: KubeObject) => expect(out.metadata.managedFields!.map((e) => e.manager)).toEqual(['kubectl-create', 'kubectl-replace']),
    },
  ])('$name', ({ write, check }) => {
    check(write(created));
  });

  it('entries are ordered by operation, then time, then manager', () => {
    let obj = created;
    obj = recordUpdate(obj, withSpec(obj, { replicas: 2 }), 'zz-late', 'apps/v1', '', { now: at(9) });
    obj = recordUpdate(obj, withSpec(obj, { paused: true }), 'aa-early', 'apps/v1', '', { now: at(3) });
    expect(obj.metadata.managedFields!.map((e) => e.manager)).toEqual(['kubectl-create', 'aa-early', 'zz-late']);
  });

  it('more than 10 update managers: the oldest are merged into "ancient-changes"', () => {
    let obj = created;
    for (let i = 1; i <= 11; i++) {
      obj = recordUpdate(obj, { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, [`a${i}`]: 'x' } } }, `m${i}`, 'apps/v1', '', { now: at(i) });
    }
    const managers = obj.metadata.managedFields!.map((e) => e.manager);
    expect(managers).toHaveLength(10);
    expect(managers).toContain('ancient-changes');
    expect(managers).not.toContain('kubectl-create');
    expect(managers).not.toContain('m1');
  });

  it('objects never tracked stay untracked on update (skipNonAppliedManager)', () => {
    const out = recordUpdate(deployment(), deployment(5), 'kubectl-edit', 'apps/v1');
    expect(out.metadata.managedFields).toBeUndefined();
  });

  it('does not modify its arguments', () => {
    const before = structuredClone(created);
    const next = withSpec(created, { replicas: 7 });
    const nextBefore = structuredClone(next);
    recordUpdate(created, next, 'x', 'apps/v1');
    expect([created, next]).toEqual([before, nextBefore]);
  });
});

describe('defaultFieldManager (managerOrUserAgent)', () => {
  it.each([
    { fieldManager: 'kubectl-edit', userAgent: 'kubectl/v1.33.0 (linux/amd64) kubernetes/abc', want: 'kubectl-edit' },
    { fieldManager: undefined, userAgent: 'kubectl/v1.33.0 (linux/amd64) kubernetes/abc', want: 'kubectl' },
    { fieldManager: '', userAgent: 'kube-controller-manager/v1.30.0 (linux/amd64) kubernetes/x/leader-election', want: 'kube-controller-manager' },
    { fieldManager: undefined, userAgent: undefined, want: '' },
  ])('$fieldManager / $userAgent -> $want', ({ fieldManager, userAgent, want }) => {
    expect(defaultFieldManager(fieldManager, userAgent)).toBe(want);
  });
});
