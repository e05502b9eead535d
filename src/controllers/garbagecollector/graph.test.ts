import { describe, expect, it } from 'vitest';
import type { OwnerReference } from '../../api/types.js';
import { CONFIGMAPS, NODES } from '../resources.js';
import { FOREGROUND_FINALIZER, OwnershipGraph, type GraphNode } from './graph.js';
import { resourceOf } from './garbagecollector.js';

const ref = (uid: string, name = uid, blockOwnerDeletion?: boolean): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name, uid, ...(blockOwnerDeletion ? { blockOwnerDeletion } : {}) });
const node = (uid: string, owners: OwnerReference[] = [], extra: Partial<GraphNode> = {}, namespace = 'default'): GraphNode => ({
  identity: { res: CONFIGMAPS, kind: 'ConfigMap', apiVersion: 'v1', namespace, name: uid, uid },
  owners,
  deleting: false,
  finalizers: [],
  ...extra,
});
const namespaced = (r: OwnerReference): boolean | undefined => resourceOf(r)?.ref.namespaced;

describe('OwnershipGraph', () => {
  it('indexes dependents by owner uid, also for owners it has never seen', () => {
    const g = new OwnershipGraph();
    g.upsert(node('a'));
    g.upsert(node('b', [ref('a')]));
    g.upsert(node('c', [ref('a'), ref('ghost')]));
    expect(g.dependentsOf('a').map((n) => n.identity.uid).sort()).toEqual(['b', 'c']);
    expect(g.dependentsOf('ghost').map((n) => n.identity.uid)).toEqual(['c']);
  });

  it('keeps the dependents of a removed owner findable, and forgets a removed dependent', () => {
    const g = new OwnershipGraph();
    g.upsert(node('a'));
    g.upsert(node('b', [ref('a')]));
    g.remove('a');
    expect(g.dependentsOf('a').map((n) => n.identity.uid)).toEqual(['b']);
    g.remove('b');
    expect(g.dependentsOf('a')).toEqual([]);
  });

  it('re-links a node whose ownerReferences change', () => {
    const g = new OwnershipGraph();
    g.upsert(node('b', [ref('a')]));
    g.upsert(node('b', [ref('x')]));
    expect(g.dependentsOf('a')).toEqual([]);
    expect(g.dependentsOf('x').map((n) => n.identity.uid)).toEqual(['b']);
  });

  it('blocking dependents are those whose reference sets blockOwnerDeletion', () => {
    const g = new OwnershipGraph();
    g.upsert(node('b', [ref('a', 'a', true)]));
    g.upsert(node('c', [ref('a')]));
    expect(g.blockingDependentsOf('a').map((n) => n.identity.uid)).toEqual(['b']);
  });

  it.each([
    ['every owner present', [node('a')], node('d', [ref('a')]), true],
    ['an owner never seen', [node('a')], node('d', [ref('a'), ref('z')]), false],
    ['the uid of another name', [node('a')], node('d', [ref('a', 'other-name')]), false],
    ['a namespaced owner in another namespace', [node('a', [], {}, 'elsewhere')], node('d', [ref('a')]), false],
    ['an owner deleting in the foreground', [node('a', [], { deleting: true, finalizers: [FOREGROUND_FINALIZER] })], node('d', [ref('a')]), false],
    ['an owner deleting otherwise', [node('a', [], { deleting: true, finalizers: ['example.com/x'] })], node('d', [ref('a')]), true],
  ])('owners solid in cache: %s', (_what, owners, dependent, solid) => {
    const g = new OwnershipGraph();
    for (const o of owners) g.upsert(o);
    g.upsert(dependent);
    expect(g.ownersSolidInCache(dependent, namespaced)).toBe(solid);
  });
});

describe('resourceOf', () => {
  it('finds the resource of an ownerReference by group and kind', () => {
    expect(resourceOf({ apiVersion: 'v1', kind: 'ConfigMap' })?.ref).toBe(CONFIGMAPS);
    expect(resourceOf({ apiVersion: 'v1', kind: 'Node' })?.ref).toBe(NODES);
    expect(resourceOf({ apiVersion: 'apps/v1', kind: 'ReplicaSet' })?.kind).toBe('ReplicaSet');
    expect(resourceOf({ apiVersion: 'apps/v1beta2', kind: 'ReplicaSet' })?.kind).toBe('ReplicaSet');
    expect(resourceOf({ apiVersion: 'v1', kind: 'ReplicaSet' })).toBeUndefined();
    expect(resourceOf({ apiVersion: 'example.com/v1', kind: 'Widget' })).toBeUndefined();
  });
});
