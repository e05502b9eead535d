import { describe, expect, it } from 'vitest';
import { pruneUnknownFields } from './prune.js';

describe('pruneUnknownFields', () => {
  it('drops fields the schema does not declare, at every depth, and keeps the rest', () => {
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', colour: 'blue', labels: { 'any-key': 'kept' } },
      spec: {
        foo: 1,
        replicas: 2,
        template: { spec: { containers: [{ name: 'c', image: 'nginx', bar: true, env: [{ name: 'A', value: '1', baz: 'x' }], resources: { limits: { cpu: '1' } } }] } },
      },
    };
    pruneUnknownFields('V1Deployment', dep);
    expect(dep).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { 'any-key': 'kept' } },
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'c', image: 'nginx', env: [{ name: 'A', value: '1' }], resources: { limits: { cpu: '1' } } }] } } },
    });
  });

  it('leaves map keys and free-form values alone', () => {
    const cm = { metadata: { name: 'x', annotations: { 'a.b/c': 'd' } }, data: { 'weird.key': 'v' }, binaryData: { b: 'AAAA' } };
    const before = JSON.stringify(cm);
    pruneUnknownFields('V1ConfigMap', cm);
    expect(JSON.stringify(cm)).toBe(before);
  });
});
