import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/core.js';
import { deleteBefore, deletionCost, podsToDelete, POD_DELETION_COST, rankByRelatedPodsOnSameNode } from './active-pods.js';

interface PodOpts {
  node?: string;
  phase?: 'Pending' | 'Running' | 'Unknown';
  ready?: boolean;
  readySince?: string;
  restarts?: number;
  created?: string;
  cost?: string;
}

function pod(name: string, o: PodOpts = {}): Pod {
  return {
    metadata: { name, namespace: 'ns', uid: name, creationTimestamp: o.created ?? '2025-01-01T00:00:00Z', ...(o.cost !== undefined ? { annotations: { [POD_DELETION_COST]: o.cost } } : {}) },
    spec: { containers: [{ name: 'c' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? '2025-01-01T00:00:10Z' }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 }],
    },
  };
}

const base: PodOpts = { node: 'n1', phase: 'Running', ready: true };

describe('which pod a shrinking ReplicaSet deletes first (ActivePodsWithRanks)', () => {
  it.each<[string, PodOpts, PodOpts, number?, number?]>([
    ['unassigned before assigned', { ...base, node: undefined }, base],
    ['Pending before Running', { ...base, phase: 'Pending' }, base],
    ['Unknown before Running', { ...base, phase: 'Unknown' }, base],
    ['Pending before Unknown', { ...base, phase: 'Pending' }, { ...base, phase: 'Unknown' }],
    ['not ready before ready', { ...base, ready: false }, base],
    ['lower pod-deletion-cost first', { ...base, cost: '-5' }, { ...base, cost: '10' }],
    ['doubled up on a node before alone', base, base, 3, 1],
    ['ready for less time before ready for longer', { ...base, readySince: '2025-01-01T00:05:00Z' }, { ...base, readySince: '2025-01-01T00:01:00Z' }],
    ['more restarts first', { ...base, restarts: 4 }, { ...base, restarts: 1 }],
    ['newer before older', { ...base, created: '2025-01-02T00:00:00Z' }, base],
    ['unassigned beats every later rule (even a running, ready, old one stays)', { ...base, node: undefined, created: '2024-01-01T00:00:00Z' }, { ...base, ready: false, phase: 'Pending' }],
    ['readiness beats cost', { ...base, ready: false, cost: '100' }, { ...base, cost: '-100' }],
    ['restarts beat age', { ...base, restarts: 2, created: '2024-01-01T00:00:00Z' }, base],
  ])('%s', (_n, first, second, rankA = 1, rankB = 1) => {
    const a = { pod: pod('a', first), rank: rankA };
    const b = { pod: pod('b', second), rank: rankB };
    expect(deleteBefore(a, b)).toBe(true);
    expect(deleteBefore(b, a)).toBe(false);
  });

  it('equal pods: neither first', () => {
    expect(deleteBefore({ pod: pod('a', base), rank: 1 }, { pod: pod('b', base), rank: 1 })).toBe(false);
  });

  it.each<[string | undefined, number]>([
    [undefined, 0],
    ['12', 12],
    ['-3', -3],
    ['x', 0],
    ['99999999999', 0],
  ])('deletion cost %j is %i', (v, want) => {
    expect(deletionCost(pod('a', v === undefined ? {} : { cost: v }))).toBe(want);
  });

  it('ranks by active related pods on the same node', () => {
    const pods = [pod('a', { node: 'n1' }), pod('b', { node: 'n2' })];
    const related = [...pods, pod('c', { node: 'n1' }), pod('d', { node: 'n1' })];
    expect(rankByRelatedPodsOnSameNode(pods, related).map((r) => r.rank)).toEqual([3, 1]);
  });

  it('podsToDelete picks the worst pods, in order', () => {
    const pods = [pod('ready-old', base), pod('pending', { ...base, phase: 'Pending' }), pod('unassigned', { ...base, node: undefined }), pod('unready', { ...base, ready: false })];
    expect(podsToDelete(pods, pods, 3).map((p) => p.metadata.name)).toEqual(['unassigned', 'pending', 'unready']);
    expect(podsToDelete(pods, pods, 9)).toHaveLength(4);
  });
});
