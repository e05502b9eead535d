import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../api/types.js';
import { PatchError } from './errors.js';
import { applyMergePatch } from './merge-patch.js';

const deploy = (): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web', tier: 'front' } },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }] } } },
});

describe('JSON merge patch (RFC 7386)', () => {
  it.each([
    { name: 'kubectl scale: a scalar replaced', patch: { spec: { replicas: 3 } }, pick: (o: JsonObject) => (o['spec'] as JsonObject)['replicas'], want: 3 },
    { name: 'maps merge key by key', patch: { metadata: { labels: { team: 'x' } } }, pick: (o: JsonObject) => (o['metadata'] as JsonObject)['labels'], want: { app: 'web', tier: 'front', team: 'x' } },
    { name: 'null deletes', patch: { metadata: { labels: { tier: null } } }, pick: (o: JsonObject) => (o['metadata'] as JsonObject)['labels'], want: { app: 'web' } },
    {
      name: 'lists are replaced whole (no merge keys)',
      patch: { spec: { template: { spec: { containers: [{ name: 'b', image: 'b2' }] } } } },
      pick: (o: JsonObject) => ((o['spec'] as JsonObject)['template'] as JsonObject)['spec'],
      want: { containers: [{ name: 'b', image: 'b2' }] },
    },
    { name: 'nulls inside a new object are dropped', patch: { spec: { strategy: { type: 'Recreate', rollingUpdate: null } } }, pick: (o: JsonObject) => (o['spec'] as JsonObject)['strategy'], want: { type: 'Recreate' } },
    { name: 'an object replaces a scalar', patch: { spec: { replicas: { x: 1 } } }, pick: (o: JsonObject) => (o['spec'] as JsonObject)['replicas'], want: { x: 1 } },
  ])('$name', ({ patch, pick, want }) => {
    const live = deploy();
    expect(pick(applyMergePatch(live, JSON.stringify(patch)))).toEqual(want);
    expect(live).toEqual(deploy());
  });

  it.each([
    { name: 'not JSON', body: '{"a":', message: 'invalid JSON patch' },
    { name: 'null', body: 'null', message: 'Invalid JSON Patch' },
    { name: 'a scalar', body: '5', message: 'Invalid JSON Patch' },
    { name: 'a list', body: '[]', message: 'error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}' },
  ])('$name -> 400', ({ body, message }) => {
    expect(() => applyMergePatch(deploy(), body)).toThrow(PatchError);
    try {
      applyMergePatch(deploy(), body);
    } catch (e) {
      expect([(e as PatchError).code, (e as PatchError).message]).toEqual([400, message]);
    }
  });
});
