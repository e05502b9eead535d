// Pods: NAME READY STATUS RESTARTS AGE [IP NODE NOMINATED NODE READINESS GATES].
// STATUS is the one-word summary kubectl users know ("Running", "Init:0/1", "CrashLoopBackOff",
// "Completed", "Terminating"), derived from the pod's status the way Kubernetes' printer does.

import type { KubeObject } from '../../api/types.js';
import { ageColumn, column, nameColumn, wideColumn } from './columns.js';
import { age, humanDuration, parseTime } from './duration.js';
import type { ResourcePrinter, TableRowCondition } from './types.js';
import { bool, int, present, rec, records, str, type JsonRecord } from './values.js';

// The reason the node lifecycle controller sets on pods of an unreachable node.
const NODE_LOST = 'NodeLost';

interface PodSummary {
  ready: number;
  total: number;
  status: string;
  restarts: number;
  /** When the most recently restarted container last terminated (ms since epoch). */
  lastRestart: number | undefined;
}

/** A tracker of restart counts and the latest lastState.terminated.finishedAt. */
class Restarts {
  count = 0;
  last: number | undefined;

  add(cs: JsonRecord): void {
    this.count += int(cs.restartCount);
    const lastTerminated = rec(cs.lastState).terminated;
    if (!present(lastTerminated)) return;
    const finished = parseTime(lastTerminated.finishedAt);
    if (finished !== undefined && (this.last === undefined || finished > this.last)) this.last = finished;
  }
}

/** A sidecar: an init container with restartPolicy Always, which keeps running beside the app. */
function isRestartableInit(container: JsonRecord | undefined): boolean {
  return container !== undefined && str(container.restartPolicy) === 'Always';
}

/** Whether the first condition of this type has this status. */
function conditionIs(status: JsonRecord, type: string, value: string): boolean {
  const c = records(status.conditions).find((cond) => str(cond.type) === type);
  return c !== undefined && str(c.status) === value;
}

/** Whether any condition of this type has this status. */
function anyConditionIs(status: JsonRecord, type: string, value: string): boolean {
  return records(status.conditions).some((cond) => str(cond.type) === type && str(cond.status) === value);
}

/** "Signal:9" or "ExitCode:1" for a terminated state that carries no reason. */
function exitSummary(terminated: JsonRecord): string {
  const signal = int(terminated.signal);
  return signal !== 0 ? `Signal:${signal}` : `ExitCode:${int(terminated.exitCode)}`;
}

function summarizePod(pod: KubeObject): PodSummary {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const initContainers = records(spec.initContainers);
  const initByName = new Map(initContainers.map((c) => [str(c.name), c]));

  const phase = str(status.phase);
  let reason = str(status.reason) || phase;
  // A pod held back by scheduling gates shows that instead of "Pending".
  for (const cond of records(status.conditions)) {
    if (str(cond.type) === 'PodScheduled' && str(cond.reason) === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const total = records(spec.containers).length + initContainers.filter(isRestartableInit).length;
  let ready = 0;
  const all = new Restarts();
  const sidecars = new Restarts();

  // Init containers run in order; the first one not done decides the status.
  let initializing = false;
  const initStatuses = records(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i]!;
    const sidecar = isRestartableInit(initByName.get(str(cs.name)));
    all.add(cs);
    if (sidecar) sidecars.add(cs);
    const state = rec(cs.state);
    const terminated = state.terminated;
    const waiting = state.waiting;
    if (present(terminated) && int(terminated.exitCode) === 0) continue;
    if (sidecar && bool(cs.started)) {
      if (bool(cs.ready)) ready++;
      continue;
    }
    if (present(terminated)) {
      reason = str(terminated.reason) ? `Init:${str(terminated.reason)}` : `Init:${exitSummary(terminated)}`;
    } else if (present(waiting) && str(waiting.reason) !== '' && str(waiting.reason) !== 'PodInitializing') {
      reason = `Init:${str(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }

  let restarts = all;
  if (!initializing || conditionIs(status, 'Initialized', 'True')) {
    // Once initialized, only sidecar restarts carry over from the init phase.
    restarts = sidecars;
    let hasRunning = false;
    // Walked from the last container so the first container's state has the final word.
    const statuses = records(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i]!;
      restarts.add(cs);
      const state = rec(cs.state);
      const waiting = state.waiting;
      const terminated = state.terminated;
      if (present(waiting) && str(waiting.reason) !== '') {
        reason = str(waiting.reason);
      } else if (present(terminated)) {
        reason = str(terminated.reason) || exitSummary(terminated);
      } else if (bool(cs.ready) && present(state.running)) {
        hasRunning = true;
        ready++;
      }
    }
    // A finished container beside a running one: the pod as a whole is still running.
    if (reason === 'Completed' && hasRunning) {
      reason = anyConditionIs(status, 'Ready', 'True') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp) {
    if (str(status.reason) === NODE_LOST) reason = 'Unknown';
    else if (phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  }

  return { ready, total, status: reason, restarts: restarts.count, lastRestart: restarts.last };
}

/** "0", "3", or "3 (5m ago)" when the last restart time is known. */
function restartsCell(s: PodSummary, now: Date): string {
  if (s.restarts === 0 || s.lastRestart === undefined) return String(s.restarts);
  return `${s.restarts} (${humanDuration(now.getTime() - s.lastRestart)} ago)`;
}

function podIP(status: JsonRecord): string {
  // status.podIPs[0] is the primary address; podIP mirrors it (older writers set only podIP).
  const ips = records(status.podIPs);
  return (ips.length > 0 ? str(ips[0]!.ip) : str(status.podIP)) || '<none>';
}

/** "<none>", or how many of spec.readinessGates have a True condition, e.g. "1/2". */
function readinessGatesCell(spec: JsonRecord, status: JsonRecord): string {
  const gates = records(spec.readinessGates);
  if (gates.length === 0) return '<none>';
  const satisfied = gates.filter((g) => conditionIs(status, str(g.conditionType), 'True')).length;
  return `${satisfied}/${gates.length}`;
}

export const podPrinter: ResourcePrinter = {
  columns: [
    nameColumn(),
    column('Ready', 'Ready containers out of all containers (sidecars included): the pod serves traffic once all are ready.'),
    column('Status', "A one-word summary of the pod's phase and its containers' states."),
    column('Restarts', 'Container restarts in the pod, with the time since the most recent one.'),
    ageColumn(),
    wideColumn('IP', "The pod's primary IP address (status.podIPs[0]); <none> until it has one."),
    wideColumn('Node', 'The node the pod is bound to (spec.nodeName).'),
    wideColumn('Nominated Node', 'The node the scheduler preempted pods on for this pod (status.nominatedNodeName).'),
    wideColumn('Readiness Gates', 'Readiness gates whose condition is True, of all spec.readinessGates.'),
  ],
  row(pod, now) {
    const spec = rec(pod.spec);
    const status = rec(pod.status);
    const s = summarizePod(pod);
    return [
      pod.metadata.name ?? '',
      `${s.ready}/${s.total}`,
      s.status,
      restartsCell(s, now),
      age(pod, now),
      podIP(status),
      str(spec.nodeName) || '<none>',
      str(status.nominatedNodeName) || '<none>',
      readinessGatesCell(spec, status),
    ];
  },
  conditions(pod) {
    // Rows of pods in a terminal phase carry a Completed condition.
    switch (str(rec(pod.status).phase)) {
      case 'Succeeded':
        return [completed('Succeeded', 'The pod has completed successfully.')];
      case 'Failed':
        return [completed('Failed', 'The pod failed.')];
      default:
        return undefined;
    }
  },
};

function completed(reason: string, message: string): TableRowCondition {
  return { type: 'Completed', status: 'True', reason, message };
}
