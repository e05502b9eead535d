import { describe, expect, it } from 'vitest';
import type { Deployment, ReplicaSet } from '../../api/core.js';
import { DESIRED_REPLICAS, LAST_APPLIED, MAX_REPLICAS, maxRevision, REVISION, REVISION_HISTORY, setNewReplicaSetAnnotations } from './annotations.js';

const deployment = (annotations: Record<string, string> = {}): Deployment => ({
  metadata: { name: 'web', annotations },
  spec: { replicas: 4, selector: {}, template: { spec: { containers: [] } } },
});
const rs = (annotations: Record<string, string> = {}): ReplicaSet => ({ metadata: { name: 'web-x', annotations }, spec: { replicas: 0, selector: {} } });

describe('revision annotations', () => {
  it.each<[string, Record<string, string>, number, boolean, Record<string, string>]>([
    ['a new ReplicaSet gets the revision and its sizes', {}, 1, false, { [REVISION]: '1', [DESIRED_REPLICAS]: '4', [MAX_REPLICAS]: '5' }],
    ['an existing one keeps a higher revision', { [REVISION]: '7' }, 3, true, { [REVISION]: '7' }],
    ['a rollback raises it and remembers the old one', { [REVISION]: '1' }, 3, true, { [REVISION]: '3', [REVISION_HISTORY]: '1' }],
    ['... and appends to the history', { [REVISION]: '3', [REVISION_HISTORY]: '1' }, 5, true, { [REVISION]: '5', [REVISION_HISTORY]: '1,3' }],
  ])('%s', (_n, before, revision, exists, want) => {
    const r = rs(before);
    setNewReplicaSetAnnotations(deployment(), r, revision, exists, 1);
    expect(r.metadata.annotations).toEqual(want);
  });

  it('copies the deployment annotations except the skipped ones (change-cause travels)', () => {
    const r = rs();
    const changed = setNewReplicaSetAnnotations(deployment({ 'kubernetes.io/change-cause': 'kubectl set image', [LAST_APPLIED]: '{}', [REVISION]: '9' }), r, 2, true, 1);
    expect(changed).toBe(true);
    expect(r.metadata.annotations).toEqual({ 'kubernetes.io/change-cause': 'kubectl set image', [REVISION]: '2' });
  });

  it('cuts the history at about 2000 characters, oldest first', () => {
    const long = Array.from({ length: 400 }, (_, i) => String(1000 + i)).join(',');
    const r = rs({ [REVISION]: '5000', [REVISION_HISTORY]: long });
    setNewReplicaSetAnnotations(deployment(), r, 5001, true, 1);
    const history = r.metadata.annotations![REVISION_HISTORY]!;
    expect(history.length).toBeLessThanOrEqual(2000);
    expect(history.endsWith(',5000')).toBe(true);
    expect(history.startsWith('1000,')).toBe(false);
  });

  it('maxRevision skips malformed revisions', () => {
    expect(maxRevision([rs({ [REVISION]: '3' }), rs({ [REVISION]: 'x' }), rs({ [REVISION]: '11' }), rs()])).toBe(11);
    expect(maxRevision([])).toBe(0);
  });
});
