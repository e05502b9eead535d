import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { deploymentStrategy, replicaSetStrategy } from './workloads.js';

function deployment(spec: Record<string, unknown>, podSpec: Record<string, unknown> = {}): KubeObject {
  const d: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...podSpec } }, ...spec },
  };
  deploymentStrategy.defaults!(d);
  return d;
}

const messages = (o: KubeObject): string[] => deploymentStrategy.validate!(o).map((e) => `${e.field}: ${e.message}`);

describe('Deployment defaults and validation (apps/v1)', () => {
  it('defaults the strategy, history, deadline and template', () => {
    expect(deployment({})['spec']).toMatchObject({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: { spec: { restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst' } },
    });
    expect(messages(deployment({}))).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, string[]]>([
    ['Recreate with rollingUpdate', { strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }, {}, ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]],
    ['Recreate alone is fine', { strategy: { type: 'Recreate' } }, {}, []],
    ['both fenceposts zero', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } }, {}, ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0%: may not be 0 when `maxSurge` is 0']],
    ['a percent over 100', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '110%' } } }, {}, ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 110%: must not be greater than 100%']],
    ['a string that is not a percent', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'x', maxUnavailable: 1 } } }, {}, ["spec.strategy.rollingUpdate.maxSurge: Invalid value: x: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"]],
    ['a negative int', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: -1, maxUnavailable: 1 } } }, {}, ['spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0']],
    ['an unknown strategy', { strategy: { type: 'BlueGreen' } }, {}, ['spec.strategy.type: Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"']],
    ['negative history', { revisionHistoryLimit: -1 }, {}, ['spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0']],
    ['deadline not above minReadySeconds', { minReadySeconds: 30, progressDeadlineSeconds: 30 }, {}, ['spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds']],
    ['negative minReadySeconds', { minReadySeconds: -1 }, {}, ['spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0']],
    ['pods that do not restart', {}, { restartPolicy: 'Never' }, ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']],
  ])('%s', (_n, spec, podSpec, want) => {
    expect(messages(deployment(spec, podSpec))).toEqual(want);
  });

  it('ReplicaSets check minReadySeconds and the restart policy too', () => {
    const rs: KubeObject = { metadata: { name: 'r' }, spec: { minReadySeconds: -2, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }], restartPolicy: 'OnFailure' } } } };
    expect(replicaSetStrategy.validate!(rs).map((e) => e.field)).toEqual(['spec.template.spec.restartPolicy', 'spec.minReadySeconds']);
  });
});
