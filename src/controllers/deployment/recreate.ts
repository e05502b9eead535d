// The Recreate strategy (recreate.go): every old pod is gone (not just scaled away: terminated
// and deleted) before the new ReplicaSet is created and scaled to the full size.
import type { Pod, ReplicaSet } from '../../api/core.js';
import { replicasOf, rsReplicas, actualReplicaCount } from './fenceposts.js';
import { deploymentComplete } from './status.js';
import type { DeploymentSync } from './sync.js';

/** Pods of the deployment, by the uid of the ReplicaSet that controls them. */
export type PodMap = Map<string, Pod[]>;

export async function rolloutRecreate(s: DeploymentSync, rsList: ReplicaSet[], podMap: PodMap): Promise<void> {
  // No new ReplicaSet yet: creating it first would run new pods beside old ones.
  let { newRS, oldRSs } = await s.replicaSets(rsList, false);
  let allRSs: (ReplicaSet | undefined)[] = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of oldRSs) {
    if (rsReplicas(rs) === 0) continue;
    if (await s.scaleReplicaSet(rs, 0)) scaledDown = true;
  }
  if (scaledDown || oldPodsRunning(newRS, oldRSs, podMap)) return s.syncRolloutStatus(allRSs, newRS);
  if (!newRS) {
    ({ newRS, oldRSs } = await s.replicaSets(rsList, true));
    allRSs = [...oldRSs, newRS];
  }
  if (newRS) await s.scaleReplicaSet(newRS, replicasOf(s.d));
  if (s.d.status && deploymentComplete(s.d, s.d.status)) await s.cleanup(oldRSs);
  return s.syncRolloutStatus(allRSs, newRS);
}

/** Old ReplicaSets still report pods, or some old pod (terminating ones too) is not finished. */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], podMap: PodMap): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    for (const pod of pods) {
      const phase = pod.status?.phase;
      if (phase === 'Failed' || phase === 'Succeeded') continue;
      return true;
    }
  }
  return false;
}
