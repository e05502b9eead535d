import { describe, expect, it } from 'vitest';
import type { PodTemplateSpec } from '../../api/core.js';
import { canonicalTemplate, computeHash, equalIgnoreHash, fnv32a, POD_TEMPLATE_HASH_LABEL, safeEncode } from './hash.js';

const template = (image = 'nginx:1.25', extra: Partial<PodTemplateSpec['spec']> = {}): PodTemplateSpec => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'nginx', image, resources: {} }], restartPolicy: 'Always', ...extra },
});

describe('pod-template-hash', () => {
  it('FNV-32a matches the reference vectors', () => {
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect(fnv32a(enc(''))).toBe(0x811c9dc5);
    expect(fnv32a(enc('a'))).toBe(0xe40c292c);
    expect(fnv32a(enc('foobar'))).toBe(0xbf9cf968);
  });

  it.each([
    ['0123456789', '456789bcdf'],
    ['', ''],
  ])('safe-encodes digits %j onto the name alphabet', (input, want) => {
    expect(safeEncode(input)).toBe(want);
  });

  it('writes only characters of the alphabet, about ten of them', () => {
    for (const image of ['a', 'b', 'nginx:1.25', 'gcr.io/kuar-demo/kuard-amd64:blue']) {
      expect(computeHash(template(image))).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    }
  });

  it('is stable: a known template always hashes the same (a change here renames every ReplicaSet)', () => {
    expect(computeHash(template())).toBe(computeHash(template()));
    expect(computeHash(template())).toBe('66c547cf9f');
  });

  it.each<[string, PodTemplateSpec, PodTemplateSpec, boolean]>([
    ['key order does not matter', { metadata: { labels: { app: 'web', tier: 'a' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }, { spec: { containers: [{ image: 'i', name: 'c' }] }, metadata: { labels: { tier: 'a', app: 'web' } } }, true],
    ['the hash label does not matter', { metadata: { labels: { app: 'web', [POD_TEMPLATE_HASH_LABEL]: 'x' } }, spec: { containers: [] } }, { metadata: { labels: { app: 'web' } }, spec: { containers: [] } }, true],
    ['null, {} and [] are absent (a Go client re-encoding the template)', { metadata: JSON.parse('{"labels":{"app":"web"},"creationTimestamp":null}') as PodTemplateSpec['metadata'], spec: { containers: [{ name: 'c', image: 'i', resources: {}, args: [] }] } }, { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }, true],
    ['false and "" are absent (omitempty)', { spec: { containers: [{ name: 'c', image: 'i', stdin: false, workingDir: '' }] } }, { spec: { containers: [{ name: 'c', image: 'i' }] } }, true],
    ['a different image differs', template('a'), template('b'), false],
    ['0 is a value (terminationGracePeriodSeconds: 0 is not unset)', template('a', { terminationGracePeriodSeconds: 0 }), template('a'), false],
    ['list order matters', { spec: { containers: [{ name: 'a' }, { name: 'b' }] } }, { spec: { containers: [{ name: 'b' }, { name: 'a' }] } }, false],
    ['an empty list element keeps its place', { spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '' }] }] } }, { spec: { containers: [{ name: 'a', env: [{ name: 'X' }] }] } }, true],
  ])('%s', (_name, a, b, equal) => {
    expect(equalIgnoreHash(a, b)).toBe(equal);
    expect(computeHash(a) === computeHash(b)).toBe(equal);
  });

  it('a collision count gives another hash, stable per count', () => {
    const t = template();
    const seen = new Set([computeHash(t), computeHash(t, 0), computeHash(t, 1), computeHash(t, 2)]);
    expect(seen.size).toBe(4);
    expect(computeHash(t, 1)).toBe(computeHash(structuredClone(t), 1));
  });

  it('canonical form drops the hash label but keeps the others', () => {
    expect(canonicalTemplate({ metadata: { labels: { [POD_TEMPLATE_HASH_LABEL]: 'abc', app: 'x' } }, spec: { containers: [] } })).toBe('{"metadata":{"labels":{"app":"x"}}}');
  });
});
