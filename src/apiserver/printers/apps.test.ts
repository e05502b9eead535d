import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { deploymentPrinter, replicaSetPrinter } from './apps.js';

const NOW = new Date('2024-05-01T12:00:00Z');

const template = (containers: unknown[]) => ({ metadata: { labels: { app: 'web' } }, spec: { containers } });
const nginx = { name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] };

function deployment(spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', generation: 1, creationTimestamp: '2024-05-01T11:50:00Z' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: template([nginx]), ...spec },
    ...(status ? { status } : {}),
  };
}

describe('deployment printer', () => {
  // [description, deployment, READY UP-TO-DATE AVAILABLE AGE CONTAINERS IMAGES SELECTOR]
  it.each<[string, KubeObject, unknown[]]>([
    [
      'rolled out',
      deployment({ replicas: 3 }, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 }),
      ['3/3', 3, 3, '10m', 'nginx', 'nginx:1.25', 'app=web'],
    ],
    [
      'mid-rollout',
      deployment({ replicas: 3 }, { replicas: 4, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 2 }),
      ['2/3', 1, 2, '10m', 'nginx', 'nginx:1.25', 'app=web'],
    ],
    ['just created, no status', deployment({ replicas: 3 }), ['0/3', 0, 0, '10m', 'nginx', 'nginx:1.25', 'app=web']],
    ['replicas unset reads as 1', deployment({}), ['0/1', 0, 0, '10m', 'nginx', 'nginx:1.25', 'app=web']],
    ['scaled to zero', deployment({ replicas: 0 }, { observedGeneration: 2 }), ['0/0', 0, 0, '10m', 'nginx', 'nginx:1.25', 'app=web']],
    [
      'two containers, expression selector',
      deployment({
        replicas: 2,
        selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] },
        template: template([nginx, { name: 'log-shipper', image: 'fluent/fluent-bit:3.0' }]),
      }),
      ['0/2', 0, 0, '10m', 'nginx,log-shipper', 'nginx:1.25,fluent/fluent-bit:3.0', 'app=web,tier in (api,web)'],
    ],
    ['empty selector prints empty', deployment({ replicas: 1, selector: {} }), ['0/1', 0, 0, '10m', 'nginx', 'nginx:1.25', '']],
    [
      'unconvertible selector',
      deployment({ replicas: 1, selector: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] } }),
      ['0/1', 0, 0, '10m', 'nginx', 'nginx:1.25', '<invalid>'],
    ],
  ])('%s', (_what, obj, cells) => {
    expect(deploymentPrinter.row(obj, NOW)).toEqual(['web', ...cells]);
  });

  it('declares Kubernetes’ deployment columns', () => {
    expect(deploymentPrinter.columns.map((c) => [c.name, c.type, c.priority])).toEqual([
      ['Name', 'string', 0],
      ['Ready', 'string', 0],
      ['Up-to-date', 'string', 0],
      ['Available', 'string', 0],
      ['Age', 'string', 0],
      ['Containers', 'string', 1],
      ['Images', 'string', 1],
      ['Selector', 'string', 1],
    ]);
  });
});

function replicaSet(spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject {
  const hash = '7d4b9c8f5d';
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${hash}`,
      namespace: 'default',
      creationTimestamp: '2024-05-01T11:50:00Z',
      labels: { app: 'web', 'pod-template-hash': hash },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u1', controller: true }],
    },
    spec: { selector: { matchLabels: { 'pod-template-hash': hash, app: 'web' } }, template: template([nginx]), ...spec },
    ...(status ? { status } : {}),
  };
}

describe('replicaset printer', () => {
  // [description, replica set, DESIRED CURRENT READY AGE CONTAINERS IMAGES SELECTOR]
  it.each<[string, KubeObject, unknown[]]>([
    [
      'steady',
      replicaSet({ replicas: 3 }, { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3 }),
      [3, 3, 3, '10m', 'nginx', 'nginx:1.25', 'app=web,pod-template-hash=7d4b9c8f5d'],
    ],
    ['scaling up', replicaSet({ replicas: 5 }, { replicas: 3, readyReplicas: 1 }), [5, 3, 1, '10m', 'nginx', 'nginx:1.25', 'app=web,pod-template-hash=7d4b9c8f5d']],
    ['old, scaled down', replicaSet({ replicas: 0 }, { replicas: 0 }), [0, 0, 0, '10m', 'nginx', 'nginx:1.25', 'app=web,pod-template-hash=7d4b9c8f5d']],
    ['empty selector', replicaSet({ replicas: 1, selector: {} }), [1, 0, 0, '10m', 'nginx', 'nginx:1.25', '<none>']],
    [
      'unconvertible selector',
      replicaSet({ replicas: 1, selector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['b'] }] } }),
      [1, 0, 0, '10m', 'nginx', 'nginx:1.25', '<error>'],
    ],
  ])('%s', (_what, obj, cells) => {
    expect(replicaSetPrinter.row(obj, NOW)).toEqual(['web-7d4b9c8f5d', ...cells]);
  });

  it('declares Kubernetes’ replica set columns', () => {
    expect(replicaSetPrinter.columns.map((c) => [c.name, c.type, c.priority])).toEqual([
      ['Name', 'string', 0],
      ['Desired', 'integer', 0],
      ['Current', 'integer', 0],
      ['Ready', 'integer', 0],
      ['Age', 'string', 0],
      ['Containers', 'string', 1],
      ['Images', 'string', 1],
      ['Selector', 'string', 1],
    ]);
  });
});
