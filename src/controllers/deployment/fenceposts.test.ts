import { describe, expect, it } from 'vitest';
import type { Deployment, IntOrString, ReplicaSet } from '../../api/core.js';
import { DESIRED_REPLICAS, MAX_REPLICAS } from './annotations.js';
import { getProportion, isSaturated, maxSurge, maxUnavailable, newRSNewReplicas, resolveFenceposts, scaledValue } from './fenceposts.js';

function deployment(replicas: number, surge: IntOrString = '25%', unavailable: IntOrString = '25%', type: 'RollingUpdate' | 'Recreate' = 'RollingUpdate', statusReplicas = 0): Deployment {
  return {
    metadata: { name: 'd', namespace: 'ns' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'a' } },
      template: { spec: { containers: [] } },
      strategy: type === 'Recreate' ? { type } : { type, rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } },
    },
    status: { replicas: statusReplicas },
  };
}

function rs(name: string, replicas: number, opts: { available?: number; desired?: number; max?: number } = {}): ReplicaSet {
  const annotations: Record<string, string> = {};
  if (opts.desired !== undefined) annotations[DESIRED_REPLICAS] = String(opts.desired);
  if (opts.max !== undefined) annotations[MAX_REPLICAS] = String(opts.max);
  return { metadata: { name, annotations }, spec: { replicas, selector: {} }, status: { replicas, availableReplicas: opts.available ?? 0 } };
}

describe('int-or-percent', () => {
  it.each<[IntOrString | undefined, number, boolean, number]>([
    [undefined, 10, true, 0],
    [3, 10, true, 3],
    [3, 10, false, 3],
    ['25%', 10, true, 3],
    ['25%', 10, false, 2],
    ['0%', 10, true, 0],
    ['100%', 3, false, 3],
    ['33%', 3, true, 1],
    ['33%', 3, false, 0],
    ['50%', 1, true, 1],
    ['50%', 1, false, 0],
  ])('%j of %i, rounding up=%s, is %i', (v, total, up, want) => {
    expect(scaledValue(v, total, up)).toBe(want);
  });

  it('refuses what is neither an int nor a percentage', () => {
    expect(() => scaledValue('3', 10, true)).toThrow(/percentage/);
    expect(() => scaledValue('ten%', 10, true)).toThrow();
  });
});

describe('ResolveFenceposts: surge rounds up, unavailable down, never both zero', () => {
  it.each<[IntOrString, IntOrString, number, number, number]>([
    // surge, unavailable, desired -> surge, unavailable (the cases of deployment_util.go)
    ['0%', '1%', 2, 0, 1],
    ['0%', '1%', 1, 0, 1],
    ['1%', '25%', 2, 1, 0],
    ['1%', '25%', 1, 1, 0],
    ['1%', '0%', 2, 1, 0],
    ['1%', '0%', 1, 1, 0],
    ['25%', '25%', 10, 3, 2],
    ['25%', '25%', 4, 1, 1],
    ['25%', '25%', 1, 1, 0],
    [0, 0, 3, 0, 1],
    [2, 3, 10, 2, 3],
  ])('maxSurge %j, maxUnavailable %j, %i desired -> surge %i, unavailable %i', (s, u, desired, surge, unavailable) => {
    expect(resolveFenceposts(s, u, desired)).toEqual({ surge, unavailable });
  });

  it.each<[string, Deployment, number, number]>([
    ['defaults 25%/25% of 10', deployment(10), 3, 2],
    ['unavailable is capped at replicas', deployment(3, 1, 5), 1, 3],
    ['no unavailability with zero replicas', deployment(0, 1, 1), 1, 0],
    ['Recreate has neither', deployment(3, 1, 1, 'Recreate'), 0, 0],
  ])('%s', (_n, d, surge, unavailable) => {
    expect(maxSurge(d)).toBe(surge);
    expect(maxUnavailable(d)).toBe(unavailable);
  });
});

describe('NewRSNewReplicas: how far the new ReplicaSet grows now', () => {
  it.each<[string, Deployment, ReplicaSet[], number]>([
    ['fresh rollout of 3 with surge 1 (25%)', deployment(3), [rs('old', 3), rs('new', 0)], 1],
    ['surge 3 of 10: three new at once', deployment(10), [rs('old', 10), rs('new', 0)], 3],
    ['at the ceiling: no growth', deployment(10), [rs('old', 10), rs('new', 3)], 3],
    ['old shrank by 2: new grows by 2', deployment(10), [rs('old', 8), rs('new', 3)], 5],
    ['never past replicas', deployment(3, 5, 0), [rs('old', 0), rs('new', 2)], 3],
    ['first creation: all of it', deployment(3), [rs('new', 0)], 3],
    ['Recreate: everything', deployment(4, 0, 0, 'Recreate'), [rs('old', 4), rs('new', 0)], 4],
  ])('%s', (_n, d, all, want) => {
    expect(newRSNewReplicas(d, all, all[all.length - 1]!)).toBe(want);
  });
});

describe('IsSaturated', () => {
  it.each<[string, ReplicaSet | undefined, boolean]>([
    ['full, annotated, available', rs('n', 3, { available: 3, desired: 3 }), true],
    ['not all available', rs('n', 3, { available: 2, desired: 3 }), false],
    ['sized for another deployment size', rs('n', 3, { available: 3, desired: 5 }), false],
    ['no annotation', rs('n', 3, { available: 3 }), false],
    ['no ReplicaSet', undefined, false],
  ])('%s', (_n, r, want) => {
    expect(isSaturated(deployment(3), r)).toBe(want);
  });
});

describe('GetProportion: sharing a size change mid-rollout', () => {
  it.each<[string, Deployment, ReplicaSet, number, number, number]>([
    // deployment scaled 10 -> 20 (surge 25% -> 5): allowed 25, RSes were sized for max 13
    ['a half-size ReplicaSet takes about half of +12', deployment(20), rs('a', 6, { max: 13 }), 12, 0, 6],
    ['never more than what is left', deployment(20), rs('a', 6, { max: 13 }), 12, 10, 2],
    ['scaling down: at most what is left to remove', deployment(5), rs('a', 6, { max: 13 }), -7, 0, -3],
    ['to zero: the whole ReplicaSet goes', deployment(0), rs('a', 6, { max: 13 }), -12, 0, -6],
    ['an empty ReplicaSet gets nothing', deployment(20), rs('a', 0, { max: 13 }), 12, 0, 0],
    ['nothing to add', deployment(20), rs('a', 6, { max: 13 }), 0, 0, 0],
    ['no annotation: the deployment status size stands in', deployment(20, '25%', '25%', 'RollingUpdate', 12), rs('a', 6), 13, 0, 7],
  ])('%s', (_n, d, r, toAdd, added, want) => {
    expect(getProportion(r, d, toAdd, added)).toBe(want);
  });
});
