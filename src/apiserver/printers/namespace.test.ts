import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { leasePrinter } from './lease.js';
import { namespacePrinter } from './namespace.js';

const NOW = new Date('2024-05-01T12:00:00Z');

describe('namespace printer', () => {
  const ns = (status: unknown, created = '2024-04-01T12:00:00Z'): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'shop', creationTimestamp: created },
    spec: { finalizers: ['kubernetes'] },
    ...(status === undefined ? {} : { status }),
  });

  it.each<[string, KubeObject, unknown[]]>([
    ['active', ns({ phase: 'Active' }), ['shop', 'Active', '30d']],
    ['terminating', ns({ phase: 'Terminating' }), ['shop', 'Terminating', '30d']],
    ['no status yet', ns(undefined, '2024-05-01T11:59:58Z'), ['shop', 'Active', '2s']],
  ])('%s', (_what, obj, cells) => {
    expect(namespacePrinter.row(obj, NOW)).toEqual(cells);
  });

  it('declares Kubernetes’ columns', () => {
    expect(namespacePrinter.columns.map((c) => c.name)).toEqual(['Name', 'Status', 'Age']);
  });
});

describe('lease printer', () => {
  const lease = (spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'node-1', namespace: 'kube-node-lease', creationTimestamp: '2024-04-30T08:00:00Z' },
    spec,
  });

  it.each<[string, KubeObject, unknown[]]>([
    ['held', lease({ holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2024-05-01T11:59:50.000000Z' }), ['node-1', 'node-1', '28h']],
    ['unheld', lease({}), ['node-1', '', '28h']],
  ])('%s', (_what, obj, cells) => {
    expect(leasePrinter.row(obj, NOW)).toEqual(cells);
  });

  it('declares Kubernetes’ columns', () => {
    expect(leasePrinter.columns.map((c) => c.name)).toEqual(['Name', 'Holder', 'Age']);
  });
});
