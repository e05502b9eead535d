import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { eventPrinter } from './event.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const ago = (seconds: number): string => new Date(NOW.getTime() - seconds * 1000).toISOString();

function event(name: string, body: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default', creationTimestamp: ago(300) }, ...body };
}

// [description, event, LAST SEEN TYPE REASON OBJECT SUBOBJECT SOURCE MESSAGE FIRST SEEN COUNT NAME]
const cases: [string, KubeObject, unknown[]][] = [
  [
    'a kubelet event, repeated',
    event('web-1.17c2a1b3d4e5f6a7', {
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-1', fieldPath: 'spec.containers{web}' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container web in pod web-1_default(uid)\n',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: ago(300),
      lastTimestamp: ago(30),
      count: 7,
      type: 'Warning',
    }),
    [
      '30s',
      'Warning',
      'BackOff',
      'pod/web-1',
      'spec.containers{web}',
      'kubelet, node-1',
      'Back-off restarting failed container web in pod web-1_default(uid)',
      '5m',
      7,
      'web-1.17c2a1b3d4e5f6a7',
    ],
  ],
  [
    'a scheduler event through events.k8s.io (eventTime, reportingComponent, no count)',
    event('web-1.17c2a1b3d4e5f6a8', {
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-1' },
      reason: 'Scheduled',
      message: 'Successfully assigned default/web-1 to node-1',
      source: {},
      eventTime: '2024-05-01T11:59:15.123456Z',
      reportingComponent: 'default-scheduler',
      reportingInstance: 'default-scheduler-node-1',
      type: 'Normal',
      action: 'Binding',
    }),
    [
      '44s',
      'Normal',
      'Scheduled',
      'pod/web-1',
      '',
      'default-scheduler, default-scheduler-node-1',
      'Successfully assigned default/web-1 to node-1',
      '44s',
      1,
      'web-1.17c2a1b3d4e5f6a8',
    ],
  ],
  [
    'an event series',
    event('web.17c2a1b3d4e5f6a9', {
      involvedObject: { kind: 'Deployment', namespace: 'default', name: 'web' },
      reason: 'ScalingReplicaSet',
      message: 'Scaled up replica set web-7d4b9c8f5d to 3',
      eventTime: ago(600),
      series: { count: 4, lastObservedTime: ago(10) },
      reportingComponent: 'deployment-controller',
      type: 'Normal',
    }),
    ['10s', 'Normal', 'ScalingReplicaSet', 'deployment/web', '', 'deployment-controller', 'Scaled up replica set web-7d4b9c8f5d to 3', '10m', 4, 'web.17c2a1b3d4e5f6a9'],
  ],
  [
    'no timestamps at all, and an involved object without a name',
    event('node.1', { involvedObject: { kind: 'Node' }, reason: 'RegisteredNode', type: 'Normal' }),
    ['<unknown>', 'Normal', 'RegisteredNode', 'node', '', '', '', '<unknown>', 1, 'node.1'],
  ],
];

describe('event printer', () => {
  it.each(cases)('%s', (_what, obj, cells) => {
    expect(eventPrinter.row(obj, NOW)).toEqual(cells);
  });

  it('declares Kubernetes’ event columns, the wide ones interleaved', () => {
    expect(eventPrinter.columns.map((c) => [c.name, c.format, c.priority])).toEqual([
      ['Last Seen', '', 0],
      ['Type', '', 0],
      ['Reason', '', 0],
      ['Object', '', 0],
      ['Subobject', '', 1],
      ['Source', '', 1],
      ['Message', '', 0],
      ['First Seen', '', 1],
      ['Count', '', 1],
      ['Name', 'name', 1],
    ]);
    expect(eventPrinter.columns.every((c) => c.type === 'string')).toBe(true);
  });
});
