import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { podPrinter } from './pod.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const ago = (seconds: number): string => new Date(NOW.getTime() - seconds * 1000).toISOString();

interface PodParts {
  containers?: unknown[];
  initContainers?: unknown[];
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  deletionTimestamp?: string;
}

/** A pod as `kubectl run`/a ReplicaSet would create it, scheduled on node-1 ten minutes ago. */
function pod(name: string, parts: PodParts = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      creationTimestamp: ago(600),
      ...(parts.deletionTimestamp ? { deletionTimestamp: parts.deletionTimestamp } : {}),
    },
    spec: {
      containers: parts.containers ?? [{ name: 'web', image: 'nginx:1.25' }],
      ...(parts.initContainers ? { initContainers: parts.initContainers } : {}),
      nodeName: 'node-1',
      restartPolicy: 'Always',
      ...parts.spec,
    },
    status: { podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }], ...parts.status },
  };
}

const running = { running: { startedAt: ago(590) } };
const ready = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  ready: true,
  started: true,
  restartCount: 0,
  state: running,
  ...extra,
});

// [description, pod, READY, STATUS, RESTARTS]
const cases: [string, KubeObject, string, string, string][] = [
  [
    'running and ready',
    pod('web-1', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [ready('web')] } }),
    '1/1',
    'Running',
    '0',
  ],
  ['pending, not yet scheduled', pod('web-2', { spec: { nodeName: undefined }, status: { phase: 'Pending' } }), '0/1', 'Pending', '0'],
  [
    'creating its container',
    pod('web-3', {
      status: { phase: 'Pending', containerStatuses: [{ name: 'web', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] },
    }),
    '0/1',
    'ContainerCreating',
    '0',
  ],
  [
    'crash looping, restarted twice, last 40s ago',
    pod('web-4', {
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'web',
            ready: false,
            restartCount: 2,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: ago(45), finishedAt: ago(40) } },
          },
        ],
      },
    }),
    '0/1',
    'CrashLoopBackOff',
    '2 (40s ago)',
  ],
  [
    'restarts without a known last termination',
    pod('web-5', { status: { phase: 'Running', containerStatuses: [ready('web', { restartCount: 5 })] } }),
    '1/1',
    'Running',
    '5',
  ],
  [
    'first init container still running',
    pod('web-6', {
      initContainers: [{ name: 'wait-db', image: 'busybox' }],
      status: {
        phase: 'Pending',
        conditions: [{ type: 'Initialized', status: 'False' }],
        initContainerStatuses: [{ name: 'wait-db', ready: false, restartCount: 0, state: running }],
        containerStatuses: [{ name: 'web', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
      },
    }),
    '0/1',
    'Init:0/1',
    '0',
  ],
  [
    'second of two init containers running',
    pod('web-7', {
      initContainers: [{ name: 'migrate' }, { name: 'wait-db' }],
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'migrate', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          { name: 'wait-db', restartCount: 0, state: running },
        ],
      },
    }),
    '0/1',
    'Init:1/2',
    '0',
  ],
  [
    'init container crash looping',
    pod('web-8', {
      initContainers: [{ name: 'wait-db' }],
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'wait-db',
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(120) } },
          },
        ],
        containerStatuses: [{ name: 'web', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
      },
    }),
    '0/1',
    'Init:CrashLoopBackOff',
    '3 (2m ago)',
  ],
  [
    'init container failed',
    pod('web-9', {
      initContainers: [{ name: 'wait-db' }],
      status: { phase: 'Pending', initContainerStatuses: [{ name: 'wait-db', restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }] },
    }),
    '0/1',
    'Init:Error',
    '0',
  ],
  [
    'init container exited without a reason',
    pod('web-10', {
      initContainers: [{ name: 'wait-db' }],
      status: { phase: 'Pending', initContainerStatuses: [{ name: 'wait-db', restartCount: 0, state: { terminated: { exitCode: 2 } } }] },
    }),
    '0/1',
    'Init:ExitCode:2',
    '0',
  ],
  [
    'init container killed by a signal',
    pod('web-11', {
      initContainers: [{ name: 'wait-db' }],
      status: { phase: 'Pending', initContainerStatuses: [{ name: 'wait-db', restartCount: 0, state: { terminated: { exitCode: 137, signal: 9 } } }] },
    }),
    '0/1',
    'Init:Signal:9',
    '0',
  ],
  [
    'completed (restartPolicy Never)',
    pod('job-1', {
      spec: { restartPolicy: 'Never' },
      status: {
        phase: 'Succeeded',
        containerStatuses: [{ name: 'web', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      },
    }),
    '0/1',
    'Completed',
    '0',
  ],
  [
    'failed with Error',
    pod('job-2', {
      status: { phase: 'Failed', containerStatuses: [{ name: 'web', restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }] },
    }),
    '0/1',
    'Error',
    '0',
  ],
  [
    'container exited without a reason',
    pod('web-12', { status: { phase: 'Running', containerStatuses: [{ name: 'web', restartCount: 0, state: { terminated: { exitCode: 137 } } }] } }),
    '0/1',
    'ExitCode:137',
    '0',
  ],
  [
    'container killed by a signal',
    pod('web-13', { status: { phase: 'Running', containerStatuses: [{ name: 'web', restartCount: 0, state: { terminated: { exitCode: 0, signal: 15 } } }] } }),
    '0/1',
    'Signal:15',
    '0',
  ],
  [
    'one container done, the other running, pod not ready',
    pod('web-14', {
      containers: [{ name: 'web' }, { name: 'setup' }],
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [ready('web'), { name: 'setup', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      },
    }),
    '1/2',
    'NotReady',
    '0',
  ],
  [
    'one container done, the other running, pod ready',
    pod('web-15', {
      containers: [{ name: 'web' }, { name: 'setup' }],
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [ready('web'), { name: 'setup', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      },
    }),
    '1/2',
    'Running',
    '0',
  ],
  [
    'half ready',
    pod('web-16', {
      containers: [{ name: 'web' }, { name: 'metrics' }],
      status: { phase: 'Running', containerStatuses: [ready('web'), { name: 'metrics', ready: false, restartCount: 0, state: running }] },
    }),
    '1/2',
    'Running',
    '0',
  ],
  [
    'terminating',
    pod('web-17', { deletionTimestamp: ago(5), status: { phase: 'Running', containerStatuses: [ready('web')] } }),
    '1/1',
    'Terminating',
    '0',
  ],
  [
    'terminating after it completed keeps Completed',
    pod('job-3', {
      deletionTimestamp: ago(5),
      status: { phase: 'Succeeded', containerStatuses: [{ name: 'web', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
    }),
    '0/1',
    'Completed',
    '0',
  ],
  [
    'deleted on a lost node',
    pod('web-18', { deletionTimestamp: ago(5), status: { phase: 'Running', reason: 'NodeLost', containerStatuses: [ready('web')] } }),
    '1/1',
    'Unknown',
    '0',
  ],
  ['evicted', pod('web-19', { status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' } }), '0/1', 'Evicted', '0'],
  [
    'held by scheduling gates',
    pod('web-20', {
      spec: { nodeName: undefined, schedulingGates: [{ name: 'example.com/quota' }] },
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] },
    }),
    '0/1',
    'SchedulingGated',
    '0',
  ],
  [
    'sidecar init container counts toward READY and RESTARTS',
    pod('web-21', {
      initContainers: [{ name: 'proxy', restartPolicy: 'Always' }],
      status: {
        phase: 'Running',
        conditions: [
          { type: 'Initialized', status: 'True' },
          { type: 'Ready', status: 'True' },
        ],
        initContainerStatuses: [
          ready('proxy', { restartCount: 1, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(600) } } }),
        ],
        containerStatuses: [ready('web')],
      },
    }),
    '2/2',
    'Running',
    '1 (10m ago)',
  ],
  [
    'latest restart across containers wins',
    pod('web-22', {
      containers: [{ name: 'web' }, { name: 'metrics' }],
      status: {
        phase: 'Running',
        containerStatuses: [
          ready('web', { restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(3600) } } }),
          ready('metrics', { restartCount: 2, lastState: { terminated: { exitCode: 1, finishedAt: ago(90) } } }),
        ],
      },
    }),
    '2/2',
    'Running',
    '3 (90s ago)',
  ],
];

describe('pod printer', () => {
  it.each(cases)('%s', (_what, obj, readyCell, status, restarts) => {
    const cells = podPrinter.row(obj, NOW);
    expect(cells.slice(1, 5)).toEqual([readyCell, status, restarts, '10m']);
    expect(cells).toHaveLength(podPrinter.columns.length);
  });

  it('prints the wide cells: IP, node, nominated node, readiness gates', () => {
    expect(podPrinter.row(cases[0]![1], NOW)).toEqual(['web-1', '1/1', 'Running', '0', '10m', '10.244.0.5', 'node-1', '<none>', '<none>']);
    const waiting = pod('web-2', { spec: { nodeName: undefined }, status: { phase: 'Pending', podIP: undefined, podIPs: undefined } });
    expect(podPrinter.row(waiting, NOW).slice(5)).toEqual(['<none>', '<none>', '<none>', '<none>']);
    const gated = pod('web-3', {
      spec: { readinessGates: [{ conditionType: 'example.com/lb-ready' }, { conditionType: 'example.com/warm' }] },
      status: {
        phase: 'Running',
        nominatedNodeName: 'node-2',
        podIPs: [{ ip: '10.244.1.7' }, { ip: 'fd00::7' }],
        conditions: [
          { type: 'example.com/lb-ready', status: 'True' },
          { type: 'example.com/warm', status: 'False' },
        ],
      },
    });
    expect(podPrinter.row(gated, NOW).slice(5)).toEqual(['10.244.1.7', 'node-1', 'node-2', '1/2']);
    const podIPOnly = pod('web-4', { status: { phase: 'Running', podIP: '10.244.2.2', podIPs: undefined } });
    expect(podPrinter.row(podIPOnly, NOW)[5]).toBe('10.244.2.2');
  });

  it('declares Kubernetes’ pod columns', () => {
    expect(podPrinter.columns.map((c) => [c.name, c.type, c.format, c.priority])).toEqual([
      ['Name', 'string', 'name', 0],
      ['Ready', 'string', '', 0],
      ['Status', 'string', '', 0],
      ['Restarts', 'string', '', 0],
      ['Age', 'string', '', 0],
      ['IP', 'string', '', 1],
      ['Node', 'string', '', 1],
      ['Nominated Node', 'string', '', 1],
      ['Readiness Gates', 'string', '', 1],
    ]);
  });

  it('marks terminal pods’ rows Completed', () => {
    const byPhase = (phase: string) => podPrinter.conditions?.(pod('p', { status: { phase } }));
    expect(byPhase('Succeeded')).toEqual([{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
    expect(byPhase('Failed')).toEqual([{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]);
    expect(byPhase('Running')).toBeUndefined();
  });
});
