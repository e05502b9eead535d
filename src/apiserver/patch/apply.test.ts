import { describe, expect, it } from 'vitest';
import type { JsonObject, KubeObject, ManagedFieldsEntry } from '../../api/types.js';
import { APPLY_PATCH_YAML, applyPatch, LAST_APPLIED_ANNOTATION, PatchError, recordUpdate, type PatchContext } from './index.js';

const T0 = new Date('2024-05-01T10:00:00.123Z');
const T1 = new Date('2024-05-01T11:00:00Z');
const T2 = new Date('2024-05-01T12:00:00Z');

const deploymentCtx = (manager: string, now: Date, force?: boolean): PatchContext => ({
  model: 'V1Deployment',
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  fieldManager: manager,
  now,
  ...(force === undefined ? {} : { force }),
});

function nginx(opts: { replicas?: number; labels?: Record<string, string>; containers?: JsonObject[] } = {}): JsonObject {
  const spec: JsonObject = {
    selector: { matchLabels: { app: 'nginx' } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: { containers: opts.containers ?? [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] },
    },
  };
  if (opts.replicas !== undefined) spec['replicas'] = opts.replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'default', labels: opts.labels ?? { app: 'nginx' } },
    spec,
  };
}

function apply(live: KubeObject | undefined, config: JsonObject, manager = 'kubectl', now = T0, force?: boolean): KubeObject {
  return applyPatch(APPLY_PATCH_YAML, live, JSON.stringify(config), deploymentCtx(manager, now, force));
}

/** A live object as the store would hold it after apply created it (uid set by the server). */
function stored(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, uid: 'u-1', resourceVersion: '1' } };
}

function entries(obj: KubeObject): ManagedFieldsEntry[] {
  return obj.metadata.managedFields ?? [];
}

function spec(obj: KubeObject): JsonObject {
  return obj['spec'] as JsonObject;
}

function applyError(f: () => unknown): PatchError {
  try {
    f();
  } catch (e) {
    if (e instanceof PatchError) return e;
    throw e;
  }
  throw new Error('expected a PatchError');
}

describe('server-side apply: create, re-apply, prune', () => {
  it('creates the object when absent and records an Apply entry with exactly the applied fields', () => {
    const created = apply(undefined, nginx({ replicas: 2 }));
    expect(spec(created)['replicas']).toBe(2);
    expect(entries(created)).toEqual([
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: '2024-05-01T10:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"nginx"}': {
                    '.': {},
                    'f:image': {},
                    'f:name': {},
                    'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it('writes FieldsV1 with "." first and siblings sorted', () => {
    const created = apply(undefined, nginx());
    const text = JSON.stringify(entries(created)[0]!.fieldsV1);
    expect(text).toContain('{".":{},"f:image":{},"f:name":{},"f:ports":');
    expect(text.indexOf('"f:selector"')).toBeLessThan(text.indexOf('"f:template"'));
  });

  it('re-applying the same configuration changes nothing, not even the entry time', () => {
    const live = stored(apply(undefined, nginx({ replicas: 2 })));
    const again = apply(live, nginx({ replicas: 2 }), 'kubectl', T1);
    expect(again).toEqual(live);
  });

  it.each([
    {
      name: 'a field dropped from the configuration is removed from the object',
      next: nginx(),
      check: (o: KubeObject) => expect(spec(o)['replicas']).toBeUndefined(),
    },
    {
      name: 'a label dropped from the configuration is removed',
      next: nginx({ replicas: 2, labels: {} }),
      check: (o: KubeObject) => expect(o.metadata.labels).toBeUndefined(),
    },
    {
      name: 'a container dropped from the configuration is removed',
      next: nginx({ replicas: 2, containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] }),
      check: (o: KubeObject) =>
        expect((((spec(o)['template'] as JsonObject)['spec'] as JsonObject)['containers'] as JsonObject[]).map((c) => c['name'])).toEqual(['nginx']),
    },
  ])('$name', ({ next, check }) => {
    const two = nginx({ replicas: 2, containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }, { name: 'sidecar', image: 'busybox' }] });
    const live = stored(apply(undefined, two));
    const out = apply(live, next, 'kubectl', T1);
    check(out);
    expect(entries(out)[0]!.time).toBe('2024-05-01T11:00:00Z');
  });

  it('keeps what another manager owns when the applier stops applying it', () => {
    const live = stored(apply(undefined, nginx({ replicas: 2 })));
    // kubectl label team=a: an Update by another manager.
    const labelled = recordUpdate(live, { ...live, metadata: { ...live.metadata, labels: { app: 'nginx', team: 'a' } } }, 'kubectl-label', 'apps/v1', '', { now: T1 });
    const out = apply(labelled, nginx({ replicas: 2, labels: {} }), 'kubectl', T2);
    expect(out.metadata.labels).toEqual({ team: 'a' });
  });

  it('merges list items by their keys, a defaulted key field included (Service port protocol)', () => {
    const ctx: PatchContext = { model: 'V1Service', apiVersion: 'v1', kind: 'Service', fieldManager: 'kubectl', now: T0 };
    const svc = (targetPort: number): JsonObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort }] },
    });
    const created = applyPatch(APPLY_PATCH_YAML, undefined, JSON.stringify(svc(8080)), ctx);
    // The server defaults protocol before storing.
    const live = stored({ ...created, spec: { ...spec(created), ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }] } });
    const out = applyPatch(APPLY_PATCH_YAML, live, JSON.stringify(svc(9090)), { ...ctx, now: T1 });
    expect(spec(out)['ports']).toEqual([{ port: 80, protocol: 'TCP', targetPort: 9090 }]);
    const fields = entries(out)[0]!.fieldsV1 as JsonObject;
    expect((fields['f:spec'] as JsonObject)['f:ports']).toEqual({ 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} } });
  });

  it('accepts YAML', () => {
    const yaml = ['apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: nginx', 'spec:', '  replicas: 3'].join('\n');
    const out = applyPatch(APPLY_PATCH_YAML, undefined, yaml, deploymentCtx('kubectl', T0));
    expect(spec(out)['replicas']).toBe(3);
  });
});

describe('server-side apply: conflicts', () => {
  /** Created by client-side apply (an Update by kubectl-client-side-apply), as kubectl apply does. */
  function createdByClientSideApply(replicas: number): KubeObject {
    const obj = nginx({ replicas }) as unknown as KubeObject;
    return stored(recordUpdate(undefined, obj, 'kubectl-client-side-apply', 'apps/v1', '', { now: T0 }));
  }

  it('changing a field another manager owns is a 409 naming the manager and the field', () => {
    const live = createdByClientSideApply(2);
    const err = applyError(() => apply(live, nginx({ replicas: 5 }), 'deployer', T1));
    expect([err.code, err.reason]).toEqual([409, 'Conflict']);
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    expect(err.details?.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }]);
  });

  it('fields of an object nobody tracked yet belong to "before-first-apply"', () => {
    const untracked = stored(nginx({ replicas: 2 }) as unknown as KubeObject);
    const err = applyError(() => apply(untracked, nginx({ replicas: 3 }), 'deployer', T1));
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
  });

  it('several conflicts are listed per manager', () => {
    const live = createdByClientSideApply(2);
    const config = nginx({ replicas: 5, containers: [{ name: 'nginx', image: 'nginx:1.26', ports: [{ containerPort: 80 }] }] });
    const err = applyError(() => apply(live, config, 'deployer', T1));
    expect(err.message).toBe(
      [
        'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:',
        '- .spec.replicas',
        '- .spec.template.spec.containers[name="nginx"].image',
      ].join('\n'),
    );
  });

  it('applying the value the field already has is no conflict: the field becomes shared', () => {
    const live = createdByClientSideApply(2);
    const out = apply(live, nginx({ replicas: 2 }), 'deployer', T1);
    expect(entries(out).map((e) => e.manager)).toEqual(['deployer', 'kubectl-client-side-apply']);
    for (const e of entries(out)) expect((e.fieldsV1!['f:spec'] as JsonObject)['f:replicas']).toEqual({});
  });

  it('force=true takes the field: the other manager loses it', () => {
    const live = createdByClientSideApply(2);
    const out = apply(live, nginx({ replicas: 5 }), 'deployer', T1, true);
    expect(spec(out)['replicas']).toBe(5);
    const [applier, updater] = entries(out);
    expect(applier!.manager).toBe('deployer');
    expect((applier!.fieldsV1!['f:spec'] as JsonObject)['f:replicas']).toEqual({});
    expect(updater!.manager).toBe('kubectl-client-side-apply');
    expect((updater!.fieldsV1!['f:spec'] as JsonObject)['f:replicas']).toBeUndefined();
  });

  it('kubectl moving from client-side to server-side apply takes the fields its last-applied annotation set', () => {
    const config = nginx({ replicas: 2 });
    const withAnnotation = { ...config, metadata: { ...(config['metadata'] as JsonObject), annotations: { [LAST_APPLIED_ANNOTATION]: JSON.stringify(config) + '\n' } } };
    const live = stored(recordUpdate(undefined, withAnnotation as unknown as KubeObject, 'kubectl-client-side-apply', 'apps/v1', '', { now: T0 }));
    const out = apply(live, nginx({ replicas: 4 }), 'kubectl', T1);
    expect(spec(out)['replicas']).toBe(4);
    const annotation = JSON.parse(out.metadata.annotations![LAST_APPLIED_ANNOTATION]!) as JsonObject;
    expect((annotation['spec'] as JsonObject)['replicas']).toBe(4);
  });
});

describe('server-side apply: requests kube-apiserver refuses', () => {
  it.each([
    {
      name: 'no fieldManager',
      run: () => applyPatch(APPLY_PATCH_YAML, undefined, JSON.stringify(nginx()), { ...deploymentCtx('', T0) }),
      code: 422,
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    },
    {
      name: 'another kind than the endpoint serves',
      run: () => apply(undefined, { ...nginx(), kind: 'ReplicaSet' }),
      code: 400,
      message: 'invalid object type: apps/v1, Kind=ReplicaSet',
    },
    {
      name: 'managedFields in the configuration',
      run: () => apply(undefined, { ...nginx(), metadata: { name: 'nginx', managedFields: [] } }),
      code: 400,
      message: 'metadata.managedFields must be nil',
    },
    {
      name: 'a body that is not YAML',
      run: () => applyPatch(APPLY_PATCH_YAML, undefined, 'a: [', deploymentCtx('kubectl', T0)),
      code: 400,
      message: /^error decoding patch: /,
    },
    {
      name: 'two list items with the same key',
      run: () => apply(undefined, nginx({ containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] })),
      code: 500,
      message: /duplicate entries for key \[name="a"\]/,
    },
  ])('$name -> $code', ({ run, code, message }) => {
    const err = applyError(run);
    expect(err.code).toBe(code);
    if (typeof message === 'string') expect(err.message).toBe(message);
    else expect(err.message).toMatch(message);
  });
});
