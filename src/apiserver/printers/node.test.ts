import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { nodePrinter } from './node.js';

const NOW = new Date('2024-05-01T12:00:00Z');

const nodeInfo = {
  kubeletVersion: 'v1.33.1',
  osImage: 'Ubuntu 24.04 LTS',
  kernelVersion: '6.8.0-31-generic',
  containerRuntimeVersion: 'containerd://1.7.12',
  operatingSystem: 'linux',
  architecture: 'amd64',
};

function node(name: string, parts: { labels?: Record<string, string>; spec?: Record<string, unknown>; status?: Record<string, unknown> }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, creationTimestamp: '2024-04-28T09:00:00Z', labels: { 'kubernetes.io/hostname': name, ...parts.labels } },
    spec: { podCIDR: '10.244.0.0/24', ...parts.spec },
    status: { nodeInfo, addresses: [{ type: 'InternalIP', address: '192.168.1.10' }, { type: 'Hostname', address: name }], ...parts.status },
  };
}

const condition = (type: string, status: string) => ({ type, status, reason: 'KubeletReady' });

// [description, node, STATUS, ROLES]
const cases: [string, KubeObject, string, string][] = [
  [
    'ready control plane',
    node('cp-1', {
      labels: { 'node-role.kubernetes.io/control-plane': '' },
      status: { conditions: [condition('MemoryPressure', 'False'), condition('Ready', 'True')] },
    }),
    'Ready',
    'control-plane',
  ],
  [
    'not ready and cordoned',
    node('w-1', { spec: { unschedulable: true }, status: { conditions: [condition('Ready', 'False')] } }),
    'NotReady,SchedulingDisabled',
    '<none>',
  ],
  ['Ready Unknown (kubelet stopped posting) reads NotReady', node('w-2', { status: { conditions: [condition('Ready', 'Unknown')] } }), 'NotReady', '<none>'],
  ['no Ready condition yet', node('w-3', { status: { conditions: [] } }), 'Unknown', '<none>'],
  ['cordoned, no conditions', node('w-4', { spec: { unschedulable: true } }), 'Unknown,SchedulingDisabled', '<none>'],
  [
    'several roles, sorted, from both label forms',
    node('w-5', {
      labels: { 'node-role.kubernetes.io/worker': 'true', 'node-role.kubernetes.io/ingress': '', 'kubernetes.io/role': 'edge', 'node-role.kubernetes.io/': 'x' },
      status: { conditions: [condition('Ready', 'True')] },
    }),
    'Ready',
    'edge,ingress,worker',
  ],
];

describe('node printer', () => {
  it.each(cases)('%s', (_what, obj, status, roles) => {
    expect(nodePrinter.row(obj, NOW).slice(1, 5)).toEqual([status, roles, '3d3h', 'v1.33.1']);
  });

  it('prints the wide cells', () => {
    const withExternal = node('w-6', {
      status: {
        addresses: [
          { type: 'Hostname', address: 'w-6' },
          { type: 'ExternalIP', address: '203.0.113.9' },
          { type: 'InternalIP', address: '192.168.1.16' },
          { type: 'InternalIP', address: 'fd00::16' },
        ],
      },
    });
    expect(nodePrinter.row(withExternal, NOW)).toEqual([
      'w-6',
      'Unknown',
      '<none>',
      '3d3h',
      'v1.33.1',
      '192.168.1.16',
      '203.0.113.9',
      'Ubuntu 24.04 LTS',
      '6.8.0-31-generic',
      'containerd://1.7.12',
    ]);
    const bare: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'bare' } };
    expect(nodePrinter.row(bare, NOW)).toEqual(['bare', 'Unknown', '<none>', '<unknown>', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  });

  it('declares Kubernetes’ node columns', () => {
    expect(nodePrinter.columns.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0],
      ['Status', 0],
      ['Roles', 0],
      ['Age', 0],
      ['Version', 0],
      ['Internal-IP', 1],
      ['External-IP', 1],
      ['OS-Image', 1],
      ['Kernel-Version', 1],
      ['Container-Runtime', 1],
    ]);
  });
});
