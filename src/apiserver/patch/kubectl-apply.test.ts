// The strategic merge patches the real kubectl (1.27 and 1.33 send the same bytes) sends for
// `kubectl apply` after a manifest edit, captured from kubectl against a recording server
// (last-applied annotation omitted), applied to the live object the server would hold.
import { describe, expect, it } from 'vitest';
import type { JsonObject, KubeObject } from '../../api/types.js';
import { applyPatch, STRATEGIC_MERGE_PATCH, type PatchContext } from './index.js';

interface Case {
  name: string;
  ctx: PatchContext;
  live: JsonObject;
  /** The patch body kubectl sent. */
  sent: JsonObject;
  want: JsonObject;
}

const deployment: PatchContext = { model: 'V1Deployment', apiVersion: 'apps/v1', kind: 'Deployment', fieldManager: 'kubectl-client-side-apply' };
const service: PatchContext = { model: 'V1Service', apiVersion: 'v1', kind: 'Service', fieldManager: 'kubectl-client-side-apply' };
const configMap: PatchContext = { model: 'V1ConfigMap', apiVersion: 'v1', kind: 'ConfigMap', fieldManager: 'kubectl-client-side-apply' };

const dep = (spec: JsonObject, labels: JsonObject = { app: 'web' }): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
});
const podTemplate = (podSpec: JsonObject): JsonObject => ({ metadata: { labels: { app: 'web' } }, spec: podSpec });
/** A container as stored: with the defaults the server added. */
const defaulted = (c: JsonObject): JsonObject => ({ ...c, imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log' });

const cases: Case[] = [
  {
    name: 'deployment: add a container, drop an env var, change a container port, drop a label',
    ctx: deployment,
    live: dep(
      {
        replicas: 2,
        template: podTemplate({
          containers: [
            defaulted({
              name: 'app',
              image: 'nginx:1.25',
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
                { name: 'C', value: '3' },
              ],
              ports: [{ containerPort: 80, protocol: 'TCP' }],
            }),
          ],
        }),
      },
      { app: 'web', tier: 'front' },
    ),
    sent: {
      metadata: { labels: { tier: null } },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'init' }, { name: 'app' }],
            containers: [
              { image: 'busybox', name: 'init' },
              {
                '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }],
                '$setElementOrder/ports': [{ containerPort: 8080 }],
                env: [{ $patch: 'delete', name: 'B' }],
                name: 'app',
                ports: [{ containerPort: 8080 }, { $patch: 'delete', containerPort: 80 }],
              },
            ],
          },
        },
      },
    },
    want: dep(
      {
        replicas: 2,
        template: podTemplate({
          containers: [
            { image: 'busybox', name: 'init' },
            defaulted({
              name: 'app',
              image: 'nginx:1.25',
              env: [
                { name: 'A', value: '1' },
                { name: 'C', value: '3' },
              ],
              ports: [{ containerPort: 8080 }],
            }),
          ],
        }),
      },
      { app: 'web' },
    ),
  },
  {
    name: 'deployment: strategy RollingUpdate to Recreate',
    ctx: deployment,
    live: dep({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, template: podTemplate({ containers: [defaulted({ name: 'app', image: 'nginx' })] }) }),
    sent: { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } },
    want: dep({ strategy: { type: 'Recreate' }, template: podTemplate({ containers: [defaulted({ name: 'app', image: 'nginx' })] }) }),
  },
  {
    name: 'deployment: a volume changes from emptyDir to configMap',
    ctx: deployment,
    live: dep({ template: podTemplate({ containers: [defaulted({ name: 'app', image: 'nginx' })], volumes: [{ name: 'data', emptyDir: {} }] }) }),
    sent: {
      spec: {
        template: {
          spec: {
            '$setElementOrder/volumes': [{ name: 'data' }],
            volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cfg' }, emptyDir: null, name: 'data' }],
          },
        },
      },
    },
    want: dep({ template: podTemplate({ containers: [defaulted({ name: 'app', image: 'nginx' })], volumes: [{ name: 'data', configMap: { name: 'cfg' } }] }) }),
  },
  {
    name: 'deployment: replicas removed from the manifest, an image changed, containers reordered',
    ctx: deployment,
    live: dep({ replicas: 3, template: podTemplate({ containers: [defaulted({ name: 'a', image: 'a:1' }), defaulted({ name: 'b', image: 'b:1' })] }) }),
    sent: { spec: { replicas: null, template: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ image: 'b:2', name: 'b' }] } } } },
    want: dep({ template: podTemplate({ containers: [defaulted({ name: 'b', image: 'b:2' }), defaulted({ name: 'a', image: 'a:1' })] }) }),
  },
  {
    name: 'service: a port renumbered, a port added, a targetPort changed',
    ctx: service,
    live: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        selector: { app: 'web' },
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
          { name: 'metrics', port: 9100, protocol: 'TCP', targetPort: 9100 },
        ],
      },
    },
    sent: {
      spec: {
        '$setElementOrder/ports': [{ port: 8000 }, { port: 9100 }, { port: 443 }],
        ports: [{ name: 'http', port: 8000, targetPort: 8080 }, { port: 9100, targetPort: 9101 }, { name: 'https', port: 443, targetPort: 8443 }, { $patch: 'delete', port: 80 }],
      },
    },
    want: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        selector: { app: 'web' },
        ports: [
          { name: 'http', port: 8000, targetPort: 8080 },
          { name: 'metrics', port: 9100, protocol: 'TCP', targetPort: 9101 },
          { name: 'https', port: 443, targetPort: 8443 },
        ],
      },
    },
  },
  {
    name: 'configmap: finalizers and data edited, an annotation removed',
    ctx: configMap,
    live: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web', namespace: 'default', finalizers: ['example.com/a', 'example.com/b'], annotations: { note: 'x', keep: 'y' } },
      data: { a: '1', b: '2' },
    },
    sent: {
      data: { b: null, c: '3' },
      metadata: {
        '$deleteFromPrimitiveList/finalizers': ['example.com/a'],
        '$setElementOrder/finalizers': ['example.com/c', 'example.com/b'],
        annotations: { note: null },
        finalizers: ['example.com/c'],
      },
    },
    want: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web', namespace: 'default', finalizers: ['example.com/c', 'example.com/b'], annotations: { keep: 'y' } },
      data: { a: '1', c: '3' },
    },
  },
];

describe('kubectl apply (client-side): the patches kubectl sends', () => {
  it.each(cases)('$name', ({ ctx, live, sent, want }) => {
    const before = structuredClone(live);
    const out = applyPatch(STRATEGIC_MERGE_PATCH, live as unknown as KubeObject, JSON.stringify(sent), ctx);
    expect(out).toEqual(want);
    expect(live).toEqual(before);
  });
});
