// The official JavaScript client (@kubernetes/client-node 2.x) against a running server: typed
// CRUD with object-style parameters, merge and strategic merge patches, a list+watch informer
// and a raw Watch.
import type { ApiException as ApiExceptionType, CoreV1Api as CoreV1ApiType, AppsV1Api as AppsV1ApiType, KubeConfig as KubeConfigType, V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from './harness.js';
import * as k8s from '@kubernetes/client-node';

const { ApiException, AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, Watch, makeInformer, setHeaderOptions } = k8s;

/** Resolves once `pred` holds, polling; fails with `what` after `ms`. */
async function eventually(what: string, pred: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The HTTP code of a failed client call (an ApiException), or a failure if it did not fail. */
async function failureCode(p: Promise<unknown>): Promise<{ code: number; body: { kind?: string; reason?: string; message?: string; code?: number } }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiException);
    const err = e as ApiExceptionType<unknown>;
    const body = typeof err.body === 'string' ? (JSON.parse(err.body) as Record<string, unknown>) : (err.body as Record<string, unknown>);
    return { code: err.code, body };
  }
  throw new Error('the call succeeded; it should have failed');
}

function deploymentBody(name: string, image: string): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'main', image, env: [{ name: 'A', value: '1' }] }, { name: 'sidecar', image: 'busybox:1' }] },
      },
    },
  };
}

describe('@kubernetes/client-node', () => {
  let c: TestCluster;
  let kc: KubeConfigType;
  let core: CoreV1ApiType;
  let apps: AppsV1ApiType;
  const ns = 'client-node';

  beforeAll(async () => {
    c = await TestCluster.start();
    kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: ns } } });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('loads the kubeconfig tinykube wrote', () => {
    expect(kc.getCurrentCluster()?.server).toBe(c.url);
    expect(kc.getCurrentUser()?.token).toBe(c.token);
  });

  it('lists namespaces', async () => {
    const list = await core.listNamespace();
    const names = list.items.map((n) => n.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease', ns]));
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThan(0);
    const one = await core.readNamespace({ name: ns });
    expect(one.status?.phase).toBe('Active');
  });

  it('creates, reads, replaces and deletes a ConfigMap', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'crud', labels: { t: 'crud' } }, data: { a: '1' } } });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.namespace).toBe(ns);
    const read = await core.readNamespacedConfigMap({ name: 'crud', namespace: ns });
    expect(read.data).toEqual({ a: '1' });
    expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);

    read.data = { a: '2', b: '3' };
    const replaced = await core.replaceNamespacedConfigMap({ name: 'crud', namespace: ns, body: read });
    expect(replaced.data).toEqual({ a: '2', b: '3' });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));

    // The stale copy is refused (optimistic concurrency through the typed client too).
    const stale = await failureCode(core.replaceNamespacedConfigMap({ name: 'crud', namespace: ns, body: { ...read, data: { a: 'stale' } } }));
    expect(stale.code).toBe(409);
    expect(stale.body).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 });

    const dup = await failureCode(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'crud' } } }));
    expect(dup.code).toBe(409);
    expect(dup.body.reason).toBe('AlreadyExists');

    const listed = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 't=crud' });
    expect(listed.items.map((i) => i.metadata?.name)).toEqual(['crud']);

    await core.deleteNamespacedConfigMap({ name: 'crud', namespace: ns });
    const gone = await failureCode(core.readNamespacedConfigMap({ name: 'crud', namespace: ns }));
    expect(gone.code).toBe(404);
    expect(gone.body).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'configmaps "crud" not found' });
  });

  it('patches a ConfigMap with a merge patch and a strategic merge patch', async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'patched', labels: { keep: 'yes', drop: 'yes' } }, data: { a: '1', b: '2' } } });
    const merged = await core.patchNamespacedConfigMap(
      { name: 'patched', namespace: ns, body: { metadata: { labels: { drop: null, added: 'yes' } }, data: { b: null, c: '3' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.metadata?.labels).toEqual({ keep: 'yes', added: 'yes' });
    expect(merged.data).toEqual({ a: '1', c: '3' });

    const strategic = await core.patchNamespacedConfigMap({ name: 'patched', namespace: ns, body: { data: { a: '10' } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    expect(strategic.data).toEqual({ a: '10', c: '3' });
    expect(Number(strategic.metadata?.resourceVersion)).toBeGreaterThan(Number(merged.metadata?.resourceVersion));
    expect((await core.readNamespacedConfigMap({ name: 'patched', namespace: ns })).data).toEqual({ a: '10', c: '3' });

    // A JSON patch (the client's default content type for patch) with a failing test op changes nothing.
    const before = await core.readNamespacedConfigMap({ name: 'patched', namespace: ns });
    const failed = await failureCode(core.patchNamespacedConfigMap({ name: 'patched', namespace: ns, body: [{ op: 'test', path: '/data/a', value: 'not-10' }, { op: 'replace', path: '/data/a', value: 'x' }] }));
    // kube-apiserver answers a failed JSON patch operation with 422.
    expect(failed.code).toBe(422);
    expect(failed.body).toMatchObject({ kind: 'Status', code: 422 });
    expect((await core.readNamespacedConfigMap({ name: 'patched', namespace: ns })).metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  it('creates, reads, patches and deletes a Deployment', async () => {
    const created = await apps.createNamespacedDeployment({ namespace: ns, body: deploymentBody('web', 'nginx:1.25') });
    expect(created.metadata?.generation).toBe(1);
    const read = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
    expect(read.spec?.template.spec?.containers.map((x) => x.name)).toEqual(['main', 'sidecar']);
    // Server-side defaults, as kube-apiserver fills them.
    expect(read.spec?.strategy?.type).toBe('RollingUpdate');
    expect(read.spec?.template.spec?.containers[0]?.imagePullPolicy).toBe('IfNotPresent');

    // Strategic merge: containers merge by name, so this changes one image and keeps the sidecar.
    const smp = await apps.patchNamespacedDeployment(
      { name: 'web', namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:1.27', env: [{ name: 'B', value: '2' }] }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const containers = smp.spec?.template.spec?.containers ?? [];
    expect(containers.map((x) => `${x.name}=${x.image}`)).toEqual(['main=nginx:1.27', 'sidecar=busybox:1']);
    expect(containers[0]?.env).toEqual([
      { name: 'B', value: '2' },
      { name: 'A', value: '1' },
    ]);
    expect(smp.metadata?.generation).toBe(2);

    // Merge patch: lists are replaced whole, maps merged.
    const mp = await apps.patchNamespacedDeployment(
      { name: 'web', namespace: ns, body: { metadata: { labels: { tier: 'front' } }, spec: { replicas: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(mp.spec?.replicas).toBe(3);
    expect(mp.metadata?.labels).toEqual({ app: 'web', tier: 'front' });
    expect(mp.spec?.template.spec?.containers.map((x) => x.name)).toEqual(['main', 'sidecar']);

    const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: ns });
    expect(scale.spec?.replicas).toBe(3);

    const listed = await apps.listNamespacedDeployment({ namespace: ns });
    expect(listed.items.map((d) => d.metadata?.name)).toEqual(['web']);

    await apps.deleteNamespacedDeployment({ name: 'web', namespace: ns });
    const gone = await failureCode(apps.readNamespacedDeployment({ name: 'web', namespace: ns }));
    expect(gone.code).toBe(404);
    expect(gone.body.message).toBe('deployments.apps "web" not found');
  });

  it('an informer on configmaps sees add, update and delete', async () => {
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const informer = makeInformer<V1ConfigMap>(kc, path, () => core.listNamespacedConfigMap({ namespace: ns }));
    const seen: string[] = [];
    const errors: unknown[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name} ${JSON.stringify(o.data ?? {})}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name} ${JSON.stringify(o.data ?? {})}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    informer.on('error', (e) => errors.push(e));
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'before-start' }, data: { x: '0' } } });
    await informer.start();
    try {
      // The initial list arrives as adds.
      await eventually('the initial add', () => seen.includes('add before-start {"x":"0"}'));
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'inf' }, data: { v: '1' } } });
      await eventually('the add event', () => seen.includes('add inf {"v":"1"}'));
      const cur = await core.readNamespacedConfigMap({ name: 'inf', namespace: ns });
      await core.replaceNamespacedConfigMap({ name: 'inf', namespace: ns, body: { ...cur, data: { v: '2' } } });
      await eventually('the update event', () => seen.includes('update inf {"v":"2"}'));
      expect(informer.get('inf', ns)?.data).toEqual({ v: '2' });
      await core.deleteNamespacedConfigMap({ name: 'inf', namespace: ns });
      await eventually('the delete event', () => seen.includes('delete inf'));
      expect(informer.get('inf', ns)).toBeUndefined();
      expect(informer.list(ns).map((o) => o.metadata?.name)).toContain('before-start');
      const inf = seen.filter((s) => s.includes(' inf'));
      expect(inf).toEqual(['add inf {"v":"1"}', 'update inf {"v":"2"}', 'delete inf']);
      expect(errors).toEqual([]);
    } finally {
      await informer.stop();
    }
  });

  it('a Watch receives ADDED, MODIFIED and DELETED', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: ns });
    const events: { type: string; name: string; rv: string; data: unknown }[] = [];
    let doneErr: unknown = 'not done';
    const controller = await new Watch(kc).watch(
      `/api/v1/namespaces/${ns}/configmaps`,
      { resourceVersion: list.metadata?.resourceVersion },
      (type, obj: V1ConfigMap) => events.push({ type, name: obj.metadata?.name ?? '', rv: obj.metadata?.resourceVersion ?? '', data: obj.data }),
      (err) => (doneErr = err),
    );
    try {
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'watched' }, data: { n: '1' } } });
      const cur = await core.readNamespacedConfigMap({ name: 'watched', namespace: ns });
      await core.replaceNamespacedConfigMap({ name: 'watched', namespace: ns, body: { ...cur, data: { n: '2' } } });
      await core.deleteNamespacedConfigMap({ name: 'watched', namespace: ns });
      await eventually('three events', () => events.filter((e) => e.name === 'watched').length >= 3);
      const mine = events.filter((e) => e.name === 'watched');
      expect(mine.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
      expect(mine.map((e) => e.data)).toEqual([{ n: '1' }, { n: '2' }, { n: '2' }]);
      const rvs = mine.map((e) => Number(e.rv));
      expect(rvs[0]).toBeGreaterThan(Number(list.metadata?.resourceVersion));
      expect(rvs[1]).toBeGreaterThan(rvs[0]!);
      expect(rvs[2]).toBeGreaterThan(rvs[1]!);
      // Only this watch's events: nothing from before its resourceVersion.
      expect(events.map((e) => e.name)).not.toContain('before-start');
      expect(doneErr).toBe('not done');
    } finally {
      controller.abort();
    }
  });
});
