import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../api/types.js';
import { PatchError } from './errors.js';
import { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './json-patch.js';

const cm = (): JsonObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: '1' } }, data: { k: 'v' } });

describe('JSON patch (RFC 6902)', () => {
  it.each([
    { name: 'add a label', ops: [{ op: 'add', path: '/metadata/labels/b', value: '2' }], pick: (o: JsonObject) => (o['metadata'] as JsonObject)['labels'], want: { a: '1', b: '2' } },
    { name: 'replace a value', ops: [{ op: 'replace', path: '/data/k', value: 'w' }], pick: (o: JsonObject) => o['data'], want: { k: 'w' } },
    { name: 'remove a key', ops: [{ op: 'remove', path: '/data/k' }], pick: (o: JsonObject) => o['data'], want: {} },
    { name: 'a passing test, then a change', ops: [{ op: 'test', path: '/data/k', value: 'v' }, { op: 'add', path: '/data/x', value: 'y' }], pick: (o: JsonObject) => o['data'], want: { k: 'v', x: 'y' } },
    { name: 'move and copy', ops: [{ op: 'copy', from: '/data/k', path: '/data/k2' }, { op: 'move', from: '/data/k', path: '/data/k3' }], pick: (o: JsonObject) => o['data'], want: { k2: 'v', k3: 'v' } },
    { name: 'escaped keys (~1 for /)', ops: [{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'x' }], pick: (o: JsonObject) => (o['metadata'] as JsonObject)['labels'], want: { a: '1', 'app.kubernetes.io/name': 'x' } },
    { name: 'null is no operations', ops: null, pick: (o: JsonObject) => o, want: cm() },
  ])('$name', ({ ops, pick, want }) => {
    const live = cm();
    expect(pick(applyJsonPatch(live, JSON.stringify(ops)))).toEqual(want);
    expect(live).toEqual(cm());
  });

  it.each([
    { name: 'not JSON', body: '[{', code: 400, message: 'invalid JSON patch' },
    { name: 'an object instead of a list', body: '{"op":"add"}', code: 400, message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' },
    { name: 'a list of non-objects', body: '[1]', code: 400, message: 'json: cannot unmarshal number into Go value of type jsonpatch.Operation' },
    // kube-apiserver answers every failed operation with NewGenericServerResponse(422): the cause is not reported.
    { name: 'a failing test', body: '[{"op":"test","path":"/data/k","value":"nope"}]', code: 422, message: 'the server rejected our request due to an error in our request' },
    { name: 'removing a missing path', body: '[{"op":"remove","path":"/data/missing"}]', code: 422, message: 'the server rejected our request due to an error in our request' },
    { name: 'adding under a missing parent', body: '[{"op":"add","path":"/spec/x/y","value":1}]', code: 422, message: 'the server rejected our request due to an error in our request' },
    { name: 'an unknown op', body: '[{"op":"frobnicate","path":"/data"}]', code: 422, message: 'the server rejected our request due to an error in our request' },
    { name: 'replacing the document by a list', body: '[{"op":"replace","path":"","value":[]}]', code: 422, message: /^ "" is invalid: patch: Invalid value: / },
    {
      name: 'too many operations',
      body: JSON.stringify(Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/kind', value: 'ConfigMap' }))),
      code: 413,
      message: 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
    },
  ])('$name -> $code', ({ body, code, message }) => {
    let err: unknown;
    try {
      applyJsonPatch(cm(), body);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PatchError);
    expect((err as PatchError).code).toBe(code);
    if (typeof message === 'string') expect((err as PatchError).message).toBe(message);
    else expect((err as PatchError).message).toMatch(message);
  });

  it('the 422 of a failed operation carries Kubernetes\' status shape', () => {
    try {
      applyJsonPatch(cm(), '[{"op":"test","path":"/data/k","value":"nope"}]');
    } catch (e) {
      expect((e as PatchError).toStatus()).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server rejected our request due to an error in our request',
        reason: 'Invalid',
        details: {},
        code: 422,
      });
    }
  });
});
