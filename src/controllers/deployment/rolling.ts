// The RollingUpdate strategy (rolling.go): grow the new ReplicaSet while the total stays within
// replicas + maxSurge, shrink old ones while availability stays at replicas - maxUnavailable,
// one step per reconcile; ReplicaSet status changes bring the next step.
import type { ReplicaSet } from '../../api/core.js';
import { maxUnavailable, newRSNewReplicas, replicaCount, replicasOf, rsReplicas } from './fenceposts.js';
import { byCreation, filterActive } from './replicasets.js';
import { deploymentComplete } from './status.js';
import type { DeploymentSync } from './sync.js';

export async function rolloutRolling(s: DeploymentSync, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await s.replicaSets(rsList, true);
  if (!newRS) throw new Error('rolling update: no new replica set');
  const allRSs = [...oldRSs, newRS];
  if (await reconcileNewReplicaSet(s, allRSs, newRS)) return s.syncRolloutStatus(allRSs, newRS);
  if (await reconcileOldReplicaSets(s, allRSs, filterActive(oldRSs), newRS)) return s.syncRolloutStatus(allRSs, newRS);
  if (s.d.status && deploymentComplete(s.d, s.d.status)) await s.cleanup(oldRSs);
  return s.syncRolloutStatus(allRSs, newRS);
}

/**
 * The available pods a ReplicaSet will keep: its status, but never more than it wants. Right
 * after a scale-down the status still counts the pods its controller is about to delete (a lag
 * that grows under load); counting them would let the next step take away pods that are going
 * anyway, below replicas - maxUnavailable, or "clean up" a negative number of unhealthy pods.
 */
function keptAvailable(rs: ReplicaSet): number {
  return Math.min(rs.status?.availableReplicas ?? 0, rsReplicas(rs));
}

async function reconcileNewReplicaSet(s: DeploymentSync, allRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  const replicas = replicasOf(s.d);
  if (rsReplicas(newRS) === replicas) return false;
  if (rsReplicas(newRS) > replicas) return s.scaleReplicaSet(newRS, replicas);
  return s.scaleReplicaSet(newRS, newRSNewReplicas(s.d, allRSs, newRS));
}

/**
 * Old pods may go when availability allows: all pods - minAvailable - the new ReplicaSet's
 * unavailable pods (so a broken new template never eats into the old, working ones). Old
 * pods that are unavailable anyway go first.
 */
async function reconcileOldReplicaSets(s: DeploymentSync, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  if (replicaCount(oldRSs) === 0) return false;
  const minAvailable = replicasOf(s.d) - maxUnavailable(s.d);
  const newUnavailable = rsReplicas(newRS) - keptAvailable(newRS);
  const maxScaledDown = replicaCount(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = await cleanupUnhealthyReplicas(s, oldRSs, maxScaledDown);
  const scaledDown = await scaleDownOldReplicaSets(s, [...oldRSs, newRS], oldRSs);
  return cleaned + scaledDown > 0;
}

/** Scale old ReplicaSets down by their unavailable pods, oldest first, up to `maxCleanup`. */
async function cleanupUnhealthyReplicas(s: DeploymentSync, oldRSs: ReplicaSet[], maxCleanup: number): Promise<number> {
  oldRSs.sort(byCreation);
  let total = 0;
  for (const rs of oldRSs) {
    if (total >= maxCleanup) break;
    const size = rsReplicas(rs);
    const available = keptAvailable(rs);
    // No unhealthy replicas (size - available is never negative: that would scale it back up).
    if (size === 0 || available === size) continue;
    const down = Math.min(maxCleanup - total, size - available);
    await s.scaleReplicaSet(rs, size - down);
    total += down;
  }
  return total;
}

/** Scale old ReplicaSets down, oldest first, by as many available pods as exceed minAvailable. */
async function scaleDownOldReplicaSets(s: DeploymentSync, allRSs: ReplicaSet[], oldRSs: ReplicaSet[]): Promise<number> {
  const minAvailable = replicasOf(s.d) - maxUnavailable(s.d);
  const available = allRSs.reduce((n, rs) => n + keptAvailable(rs), 0);
  if (available <= minAvailable) return 0;
  oldRSs.sort(byCreation);
  const target = available - minAvailable;
  let total = 0;
  for (const rs of oldRSs) {
    if (total >= target) break;
    const size = rsReplicas(rs);
    if (size === 0) continue;
    const down = Math.min(size, target - total);
    await s.scaleReplicaSet(rs, size - down);
    total += down;
  }
  return total;
}
