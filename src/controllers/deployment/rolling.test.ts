import { describe, expect, it } from 'vitest';
import type { Deployment, ReplicaSet } from '../../api/core.js';
import { rolloutRolling } from './rolling.js';
import type { DeploymentSync } from './sync.js';

function deployment(replicas: number, maxSurge: number | string, maxUnavailable: number | string): Deployment {
  return {
    metadata: { name: 'web', namespace: 'ns', generation: 2 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { spec: { containers: [] } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } },
    },
  };
}

function rs(name: string, created: string, replicas: number, available: number): ReplicaSet {
  return {
    metadata: { name, namespace: 'ns', creationTimestamp: created },
    spec: { replicas, selector: {} },
    status: { replicas: Math.max(replicas, available), readyReplicas: available, availableReplicas: available },
  };
}

/** One rolling step against a stand-in DeploymentSync; returns the scalings it asked for, in order. */
async function step(d: Deployment, oldRS: ReplicaSet, newRS: ReplicaSet): Promise<string[]> {
  const scaled: string[] = [];
  const s = {
    d,
    replicaSets: async () => ({ newRS, oldRSs: [oldRS] }),
    scaleReplicaSet: async (r: ReplicaSet, to: number) => {
      const from = r.spec.replicas ?? 1;
      if (from === to) return false;
      scaled.push(`${r.metadata.name} ${from}->${to}`);
      r.spec.replicas = to;
      return true;
    },
    syncRolloutStatus: async () => undefined,
    cleanup: async () => undefined,
  } as unknown as DeploymentSync;
  await rolloutRolling(s, [oldRS, newRS]);
  return scaled;
}

describe('rolling update step', () => {
  it('scales old down by the available pods above replicas - maxUnavailable', async () => {
    // 10 replicas, 25%/25%: at most 13 pods, at least 8 available. 12 available: 4 may go.
    const scaled = await step(deployment(10, '25%', '25%'), rs('old', '2025-01-01T00:00:00Z', 7, 7), rs('new', '2025-01-01T00:01:00Z', 6, 5));
    expect(scaled).toEqual(['old 7->3']);
  });

  it('never scales an old ReplicaSet up while its status still counts pods of a scale-down', async () => {
    // The old ReplicaSet was just scaled 8 -> 7; its status (8 available) is not caught up yet.
    // Counting those 8 would "clean up" -1 unhealthy pods (7 -> 8, 14 pods > 13) and then take
    // away one pod too many (leaving 7 available < 8).
    const oldRS = rs('old', '2025-01-01T00:00:00Z', 7, 8);
    const newRS = rs('new', '2025-01-01T00:01:00Z', 6, 3);
    const scaled = await step(deployment(10, '25%', '25%'), oldRS, newRS);
    // 7 kept + 3 new available = 10; 8 must stay available: 2 old pods may go.
    expect(scaled).toEqual(['old 7->5']);
    expect((oldRS.spec.replicas ?? 0) + (newRS.spec.replicas ?? 0)).toBeLessThanOrEqual(13);
  });

  it('cleans up unavailable old pods first, within what availability allows', async () => {
    // 4 replicas, surge 1 / unavailable 1: at least 3 available. Old has 1 unavailable pod.
    const scaled = await step(deployment(4, 1, 1), rs('old', '2025-01-01T00:00:00Z', 4, 3), rs('new', '2025-01-01T00:01:00Z', 1, 1));
    expect(scaled).toEqual(['old 4->3', 'old 3->2']);
  });
});
