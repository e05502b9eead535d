import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { APPLY_PATCH_YAML, applyPatch, JSON_PATCH, MERGE_PATCH, PatchError, STRATEGIC_MERGE_PATCH, type PatchContext } from './index.js';

const ctx: PatchContext = { model: 'V1Service', apiVersion: 'v1', kind: 'Service', resource: 'services', name: 'web' };

function service(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', uid: 'u', labels: { app: 'web' } },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] },
  };
}

function failure(f: () => unknown): PatchError {
  try {
    f();
  } catch (e) {
    if (e instanceof PatchError) return e;
    throw e;
  }
  throw new Error('expected a PatchError');
}

describe('applyPatch: dispatch by Content-Type', () => {
  it.each([
    { type: STRATEGIC_MERGE_PATCH, body: '{"spec":{"ports":[{"port":80,"targetPort":9090}]}}', want: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 9090 }] },
    { type: `${STRATEGIC_MERGE_PATCH}; charset=utf-8`, body: '{"spec":{"ports":[{"port":443}]}}', want: [{ port: 443 }, { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] },
    { type: MERGE_PATCH, body: '{"spec":{"ports":[{"port":443}]}}', want: [{ port: 443 }] },
    { type: JSON_PATCH, body: '[{"op":"replace","path":"/spec/ports/0/port","value":81}]', want: [{ name: 'http', port: 81, protocol: 'TCP', targetPort: 8080 }] },
  ])('$type', ({ type, body, want }) => {
    const live = service();
    const out = applyPatch(type, live, Buffer.from(body), ctx);
    expect((out['spec'] as { ports: unknown }).ports).toEqual(want);
    expect(live).toEqual(service());
  });

  it('apply creates when the object is absent', () => {
    const body = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n';
    const out = applyPatch(APPLY_PATCH_YAML, undefined, body, { ...ctx, fieldManager: 'kubectl', now: new Date(0) });
    expect(out.metadata.name).toBe('web');
    expect(out.metadata.managedFields?.[0]?.operation).toBe('Apply');
  });
});

describe('applyPatch: refusals', () => {
  it.each([
    {
      name: 'an unsupported Content-Type',
      run: () => applyPatch('application/json', service(), '{}', ctx),
      code: 415,
      reason: 'UnsupportedMediaType',
      message:
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
    },
    {
      name: 'force on a non-apply patch',
      run: () => applyPatch(MERGE_PATCH, service(), '{}', { ...ctx, force: true }),
      code: 422,
      reason: 'Invalid',
      message: 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    },
    {
      name: 'a fieldManager over 128 bytes',
      run: () => applyPatch(MERGE_PATCH, service(), '{}', { ...ctx, fieldManager: 'x'.repeat(129) }),
      code: 422,
      reason: 'Invalid',
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes',
    },
    {
      name: 'a non-apply patch of a missing object',
      run: () => applyPatch(STRATEGIC_MERGE_PATCH, undefined, '{}', ctx),
      code: 404,
      reason: 'NotFound',
      message: 'services "web" not found',
    },
    {
      name: 'a patch that makes metadata a string',
      run: () => applyPatch(MERGE_PATCH, service(), '{"metadata":"x"}', ctx),
      code: 422,
      reason: 'Invalid',
      message: / "" is invalid: patch: Invalid value: /,
    },
  ])('$name -> $code', ({ run, code, reason, message }) => {
    const err = failure(run);
    expect([err.code, err.reason]).toEqual([code, reason]);
    if (typeof message === 'string') expect(err.message).toBe(message);
    else expect(err.message).toMatch(message);
  });

  it('the 422 for a missing fieldManager names the option like kube-apiserver', () => {
    const err = failure(() => applyPatch(APPLY_PATCH_YAML, undefined, '{}', ctx));
    expect(err.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      reason: 'Invalid',
      details: {
        group: 'meta.k8s.io',
        kind: 'PatchOptions',
        name: '',
        causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
      },
      code: 422,
    });
  });

  it('a 500 from the merge code has no reason in its Status', () => {
    const err = failure(() => applyPatch(STRATEGIC_MERGE_PATCH, service(), '{"spec":{"ports":[{"name":"x"}]}}', ctx));
    expect(err.code).toBe(500);
    expect(err.toStatus().reason).toBeUndefined();
    expect(err.message).toBe('map: map[name:x] does not contain declared merge key: port');
  });
});
