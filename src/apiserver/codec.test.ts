import { describe, expect, it } from 'vitest';
import { decode, encode, withResourceVersion } from './codec.js';
import { resourceFor } from './resources.js';

const svc = resourceFor('', 'v1', 'services')!;

describe('codec', () => {
  it('stores without resourceVersion and serves it spliced in, equal to a full decode', () => {
    const obj = { spec: { ports: [{ port: 80 }] }, kind: 'Service', metadata: { name: 'web', resourceVersion: '7', labels: { a: 'b' } }, apiVersion: 'v1' };
    const value = encode(obj);
    expect(value).not.toContain('resourceVersion');
    expect(obj.metadata.resourceVersion).toBe('7');
    const kv = { key: '/registry/services/default/web', value, createRevision: 3, modRevision: 9 };
    const fast = withResourceVersion(svc, kv);
    expect(fast).toBeDefined();
    expect(JSON.parse(fast!)).toEqual(decode(svc, kv));
  });

  it('declines text in another shape, so callers decode it', () => {
    const kv = { key: 'k', value: '{"metadata":{"name":"x"},"apiVersion":"v1","kind":"Service"}', createRevision: 1, modRevision: 1 };
    expect(withResourceVersion(svc, kv)).toBeUndefined();
    const other = { key: 'k', value: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}', createRevision: 1, modRevision: 1 };
    expect(withResourceVersion(svc, other)).toBeUndefined();
  });
});
