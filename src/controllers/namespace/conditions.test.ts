import { describe, expect, it } from 'vitest';
import { CONDITION_TYPES, problemConditions, updateConditions, type ContentTotals } from './conditions.js';

const totals = (resources: [string, number][] = [], finalizers: [string, number][] = [], errors: string[] = []): ContentTotals => ({
  remainingByResource: new Map(resources),
  remainingByFinalizer: new Map(finalizers),
  errors,
});

describe('namespace deletion conditions', () => {
  it('name what remains, sorted, in Kubernetes words (core resources keep the trailing dot)', () => {
    const problems = problemConditions(totals([['pods.', 2], ['configmaps.', 1], ['deployments.apps', 0]], [['example.com/b', 1], ['example.com/a', 2]]));
    expect(problems).toEqual([
      { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps. has 1 resource instances, pods. has 2 resource instances' },
      { type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain', message: 'Some content in the namespace has finalizers remaining: example.com/a in 2 resource instances, example.com/b in 1 resource instances' },
    ]);
  });

  it('report deletion failures', () => {
    expect(problemConditions(totals([], [], ['secrets.: boom']))).toEqual([
      { type: 'NamespaceDeletionContentFailure', status: 'True', reason: 'ContentDeletionFailed', message: 'Failed to delete all resource types, 1 remaining: secrets.: boom' },
    ]);
  });

  it('every maintained type gets its ok variant when there is no problem', () => {
    const next = updateConditions([], [], 'T1')!;
    expect(next.map((c) => c.type)).toEqual([...CONDITION_TYPES]);
    expect(next.every((c) => c.status === 'False' && c.lastTransitionTime === 'T1')).toBe(true);
    expect(next.find((c) => c.type === 'NamespaceContentRemaining')).toMatchObject({ reason: 'ContentRemoved', message: 'All content successfully removed' });
    expect(next.find((c) => c.type === 'NamespaceFinalizersRemaining')).toMatchObject({ reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' });
  });

  it('move the transition time only when the status changes, and report no change as undefined', () => {
    const remaining = problemConditions(totals([['configmaps.', 2]]));
    const first = updateConditions([], remaining, 'T1')!;
    expect(updateConditions(first, remaining, 'T2')).toBeUndefined();
    const fewer = updateConditions(first, problemConditions(totals([['configmaps.', 1]])), 'T2')!;
    expect(fewer.find((c) => c.type === 'NamespaceContentRemaining')).toMatchObject({ status: 'True', lastTransitionTime: 'T1', message: 'Some resources are remaining: configmaps. has 1 resource instances' });
    const none = updateConditions(fewer, [], 'T3')!;
    expect(none.find((c) => c.type === 'NamespaceContentRemaining')).toMatchObject({ status: 'False', lastTransitionTime: 'T3' });
  });

  it('leave conditions of other types alone', () => {
    const next = updateConditions([{ type: 'Custom', status: 'True' }], [], 'T1')!;
    expect(next[0]).toEqual({ type: 'Custom', status: 'True' });
  });
});
