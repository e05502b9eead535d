// The real kubectl (the dispatcher: it runs the client matching our /version minor) against a
// real cluster, under default validation, for the everyday verbs.
import { chmodSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster, waitFor } from './harness.js';

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
  labels:
    app: web
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 8080
`;

const DEPLOYMENT = (replicas: number, image = 'nginx:1.25'): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - containerPort: 8080
        env:
        - name: A
          value: "1"
`;

describe('kubectl against tinykube', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start();
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('version reports the emulated server version', async () => {
    const out = await c.k(['version', '-o', 'json']);
    const v = JSON.parse(out) as { serverVersion: { major: string; minor: string } };
    expect(v.serverVersion).toMatchObject({ major: '1', minor: '32' });
  });

  it('apply creates, is unchanged on repeat, and configures on change', async () => {
    const svc = c.writeFile('svc.yaml', SERVICE);
    expect(await c.k(['apply', '-f', svc])).toBe('service/web created\n');
    expect(await c.k(['apply', '-f', svc])).toBe('service/web unchanged\n');
    const dep = c.writeFile('dep.yaml', DEPLOYMENT(2));
    expect(await c.k(['apply', '-f', dep])).toBe('deployment.apps/web created\n');
    expect(await c.k(['apply', '-f', dep])).toBe('deployment.apps/web unchanged\n');
    c.writeFile('dep.yaml', DEPLOYMENT(3, 'nginx:1.26'));
    expect(await c.k(['apply', '-f', dep])).toBe('deployment.apps/web configured\n');
    const d = JSON.parse(await c.k(['get', 'deploy', 'web', '-o', 'json'])) as { metadata: { generation: number; annotations: Record<string, string> }; spec: { replicas: number; template: { spec: { containers: { image: string; env: unknown[] }[] } } } };
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.spec.containers[0]!.image).toBe('nginx:1.26');
    expect(d.spec.template.spec.containers[0]!.env).toEqual([{ name: 'A', value: '1' }]);
    expect(d.metadata.generation).toBe(2);
    expect(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('nginx:1.26');
  });

  it('apply removes what the manifest no longer has (three-way strategic merge)', async () => {
    const dep = c.writeFile('dep2.yaml', DEPLOYMENT(3, 'nginx:1.26').replace('        env:\n        - name: A\n          value: "1"\n', ''));
    expect(await c.k(['apply', '-f', dep])).toBe('deployment.apps/web configured\n');
    const containers = JSON.parse(await c.k(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers}'])) as { env?: unknown }[];
    expect(containers[0]!.env).toBeUndefined();
  });

  it('create deployment/configmap/secret/namespace/service imperatively', async () => {
    expect(await c.k(['create', 'namespace', 'team-a'])).toBe('namespace/team-a created\n');
    expect(await c.k(['create', 'deployment', 'api', '--image=registry.k8s.io/e2e-test-images/agnhost:2.39', '--replicas=2', '--port=8080', '-n', 'team-a'])).toBe('deployment.apps/api created\n');
    expect(await c.k(['create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=b=two', '-n', 'team-a'])).toBe('configmap/cfg created\n');
    expect(await c.k(['create', 'secret', 'generic', 'pw', '--from-literal=password=hunter2', '-n', 'team-a'])).toBe('secret/pw created\n');
    expect(await c.k(['create', 'service', 'nodeport', 'api', '--tcp=80:8080', '-n', 'team-a'])).toBe('service/api created\n');
    const secret = JSON.parse(await c.k(['get', 'secret', 'pw', '-n', 'team-a', '-o', 'json'])) as { data: Record<string, string>; type: string };
    expect(Buffer.from(secret.data['password']!, 'base64').toString()).toBe('hunter2');
    expect(secret.type).toBe('Opaque');
    const dep = JSON.parse(await c.k(['get', 'deploy', 'api', '-n', 'team-a', '-o', 'json'])) as { spec: { replicas: number; strategy: { type: string } } };
    expect(dep.spec.replicas).toBe(2);
    expect(dep.spec.strategy.type).toBe('RollingUpdate');
  });

  it('get prints Kubernetes columns, -o wide, and every output format', async () => {
    const svc = await c.k(['get', 'svc', 'web', '-o', 'wide']);
    expect(svc.split('\n')[0]).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\s+SELECTOR$/);
    expect(svc).toMatch(/web\s+ClusterIP\s+\S+\s+<none>\s+80\/TCP\s+\d+s\s+app=web/);
    const dep = await c.k(['get', 'deploy', '-o', 'wide']);
    expect(dep.split('\n')[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
    expect(dep).toMatch(/web\s+0\/3\s+\d+\s+0\s+\S+\s+nginx\s+nginx:1\.26\s+app=web/);
    expect(await c.k(['get', 'cm', 'cfg', '-n', 'team-a'])).toMatch(/^NAME\s+DATA\s+AGE\ncfg\s+2\s+\S+\n$/);
    expect(await c.k(['get', 'ns'])).toMatch(/team-a\s+Active/);
    expect(await c.k(['get', 'svc', 'api', '-n', 'team-a'])).toMatch(/api\s+NodePort/);
    expect(await c.k(['get', 'secret', '-n', 'team-a'])).toMatch(/pw\s+Opaque\s+1/);
    expect(await c.k(['get', 'svc,deploy', '-o', 'name'])).toBe('service/kubernetes\nservice/web\ndeployment.apps/web\n');
    expect(await c.k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].targetPort}'])).toBe('8080');
    expect(await c.k(['get', 'svc', 'web', '-o', 'yaml'])).toMatch(/^apiVersion: v1\nkind: Service\n/);
    const list = JSON.parse(await c.k(['get', 'cm', '-A', '-o', 'json'])) as { kind: string; items: { metadata: { name: string } }[] };
    expect(list.kind).toBe('List');
    expect(list.items.map((i) => i.metadata.name)).toContain('cfg');
    // Every served kind answers get with a table (no "server doesn't have a resource type").
    for (const kind of ['pods', 'services', 'endpoints', 'events', 'configmaps', 'secrets', 'nodes', 'namespaces', 'deployments', 'replicasets', 'endpointslices', 'ingresses', 'ingressclasses', 'leases']) {
      const r = await c.kubectl(['get', kind, '-A']);
      expect(r.code, `${kind}: ${r.stderr}`).toBe(0);
    }
  });

  it('--show-labels, -L, -A, -l and --sort-by', async () => {
    await c.k(['create', 'cm', 'zeta', '--from-literal=k=v']);
    await c.k(['create', 'cm', 'alpha']);
    await c.k(['label', 'cm', 'zeta', 'tier=backend']);
    expect(await c.k(['get', 'cm', 'zeta', '--show-labels'])).toMatch(/LABELS\nzeta\s+1\s+\S+\s+tier=backend\n/);
    expect(await c.k(['get', 'cm', 'zeta', '-L', 'tier'])).toMatch(/TIER\nzeta\s+1\s+\S+\s+backend\n/);
    const all = await c.k(['get', 'cm', '-A']);
    expect(all.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+DATA\s+AGE$/);
    expect(all).toMatch(/team-a\s+cfg/);
    expect(await c.k(['get', 'cm', '-l', 'tier=backend', '-o', 'name'])).toBe('configmap/zeta\n');
    expect(await c.k(['get', 'cm', '-l', 'tier!=backend,!nothing', '-o', 'name'])).not.toContain('zeta');
    expect(await c.k(['get', 'cm', '-l', 'tier in (backend,frontend)', '-o', 'name'])).toBe('configmap/zeta\n');
    const sorted = await c.k(['get', 'cm', '--sort-by=.metadata.name', '-o', 'custom-columns=N:.metadata.name', '--no-headers']);
    const names = sorted.trim().split('\n');
    expect(names).toEqual([...names].sort());
    // Sorting by a field whose order differs from the server's name order.
    await c.k(['create', 'cm', 'sort-a', '--from-literal=k=2']);
    await c.k(['create', 'cm', 'sort-b', '--from-literal=k=1']);
    const byValue = await c.k(['get', 'cm', '-l', '!tier', '--sort-by=.data.k', '-o', 'name']);
    expect(byValue.indexOf('configmap/sort-b')).toBeLessThan(byValue.indexOf('configmap/sort-a'));
  });

  it('get -w streams live updates', async () => {
    const watch = c.kubectl(['get', 'cm', '-w', '--request-timeout=6s'], { timeoutMs: 8000 });
    await new Promise((r) => setTimeout(r, 1500));
    await c.k(['create', 'cm', 'live-one']);
    await c.k(['label', 'cm', 'live-one', 'x=y']);
    await c.k(['delete', 'cm', 'live-one']);
    const r = await watch;
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('live-one'));
    expect(lines.length, r.stdout + r.stderr).toBeGreaterThanOrEqual(2);
    expect(r.stdout.split('\n')[0]).toMatch(/^NAME\s+DATA\s+AGE$/);
  });

  it('get -w on one name starts with the current object', async () => {
    await c.k(['create', 'cm', 'watched']);
    const watch = c.kubectl(['get', 'cm', 'watched', '-w', '--request-timeout=4s'], { timeoutMs: 6000 });
    await new Promise((r) => setTimeout(r, 1500));
    await c.k(['annotate', 'cm', 'watched', 'note=changed']);
    const r = await watch;
    expect(r.stdout.split('\n').filter((l) => l.startsWith('watched')).length, r.stdout + r.stderr).toBeGreaterThanOrEqual(2);
  });

  it('describe shows the object and its events', async () => {
    const out = await c.k(['describe', 'svc', 'web']);
    expect(out).toMatch(/Name:\s+web/);
    expect(out).toMatch(/Selector:\s+app=web/);
    expect(out).toMatch(/Port:\s+http\s+80\/TCP/);
    const d = await c.k(['describe', 'deploy', 'web']);
    expect(d).toMatch(/Replicas:\s+3 desired/);
  });

  it('label and annotate, with overwrite rules', async () => {
    await c.k(['label', 'svc', 'web', 'env=prod']);
    const clash = await c.kubectl(['label', 'svc', 'web', 'env=dev']);
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toContain("'env' already has a value (prod)");
    await c.k(['label', 'svc', 'web', 'env=dev', '--overwrite']);
    await c.k(['annotate', 'svc', 'web', 'owner=team-a']);
    await c.k(['label', 'svc', 'web', 'env-']);
    const meta = JSON.parse(await c.k(['get', 'svc', 'web', '-o', 'jsonpath={.metadata}'])) as { labels: Record<string, string>; annotations: Record<string, string> };
    expect(meta.labels['env']).toBeUndefined();
    expect(meta.annotations['owner']).toBe('team-a');
  });

  it('patch with strategic, merge and json patches', async () => {
    await c.k(['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}']);
    let containers = JSON.parse(await c.k(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers}'])) as { name: string }[];
    // As Kubernetes orders a strategic merge: the patch's new items first, then the others.
    expect(containers.map((x) => x.name)).toEqual(['sidecar', 'nginx']);
    await c.k(['patch', 'deploy', 'web', '--type', 'merge', '-p', '{"spec":{"replicas":5}}']);
    expect(await c.k(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'])).toBe('5');
    await c.k(['patch', 'deploy', 'web', '--type', 'json', '-p', '[{"op":"remove","path":"/spec/template/spec/containers/0"}]']);
    containers = JSON.parse(await c.k(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers}'])) as { name: string }[];
    expect(containers.map((x) => x.name)).toEqual(['nginx']);
    const bad = await c.kubectl(['patch', 'deploy', 'web', '--type', 'json', '-p', '[{"op":"test","path":"/spec/replicas","value":99}]']);
    expect(bad.code).not.toBe(0);
  });

  it('scale goes through the scale subresource', async () => {
    expect(await c.k(['scale', 'deploy', 'web', '--replicas=2'])).toBe('deployment.apps/web scaled\n');
    expect(await c.k(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'])).toBe('2');
    const scale = await c.request('GET', '/apis/apps/v1/namespaces/default/deployments/web/scale');
    expect(scale.json).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 2 }, status: { selector: 'app=web' } });
  });

  it('edit applies what the editor saved', async () => {
    const editor = c.writeFile('editor.sh', '#!/bin/sh\nsed -i "s/^  a: \\"1\\"/  a: \\"edited\\"/" "$1"\n');
    chmodSync(editor, 0o755);
    await c.k(['edit', 'cm', 'cfg', '-n', 'team-a'], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
    expect(await c.k(['get', 'cm', 'cfg', '-n', 'team-a', '-o', 'jsonpath={.data.a}'])).toBe('edited');
  });

  it('replace swaps the object, and a stale resourceVersion conflicts', async () => {
    const cm = JSON.parse(await c.k(['get', 'cm', 'alpha', '-o', 'json'])) as { data?: Record<string, string>; metadata: { resourceVersion: string } };
    cm.data = { replaced: 'yes' };
    const file = c.writeFile('alpha.json', JSON.stringify(cm));
    expect(await c.k(['replace', '-f', file])).toBe('configmap/alpha replaced\n');
    const again = await c.kubectl(['replace', '-f', file]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('the object has been modified; please apply your changes to the latest version and try again');
  });

  it('delete honours each propagation policy', async () => {
    const owner = JSON.parse(await c.k(['create', 'cm', 'owner', '-o', 'json'])) as { metadata: { uid: string } };
    const dependent = (name: string): string =>
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid, blockOwnerDeletion: true }] } });
    await c.k(['create', '-f', '-'], { input: dependent('dep-bg') });
    await c.k(['delete', 'cm', 'owner', '--cascade=background']);
    await waitFor('background dependent collected', async () => (await c.kubectl(['get', 'cm', 'dep-bg'])).code !== 0);

    const owner2 = JSON.parse(await c.k(['create', 'cm', 'owner', '-o', 'json'])) as { metadata: { uid: string } };
    await c.k(['create', '-f', '-'], { input: dependent('dep-orphan').replace(owner.metadata.uid, owner2.metadata.uid) });
    await c.k(['delete', 'cm', 'owner', '--cascade=orphan']);
    const orphan = JSON.parse(await c.k(['get', 'cm', 'dep-orphan', '-o', 'json'])) as { metadata: { ownerReferences?: unknown[] } };
    expect(orphan.metadata.ownerReferences).toBeUndefined();

    const owner3 = JSON.parse(await c.k(['create', 'cm', 'owner', '-o', 'json'])) as { metadata: { uid: string } };
    await c.k(['create', '-f', '-'], { input: dependent('dep-fg').replace(owner.metadata.uid, owner3.metadata.uid) });
    await c.k(['delete', 'cm', 'owner', '--cascade=foreground']);
    expect((await c.kubectl(['get', 'cm', 'dep-fg'])).code).not.toBe(0);
    expect((await c.kubectl(['get', 'cm', 'owner'])).code).not.toBe(0);
  });

  it('deleting a namespace empties it and then removes it', async () => {
    expect(await c.k(['delete', 'ns', 'team-a'])).toBe('namespace "team-a" deleted\n');
    expect((await c.kubectl(['get', 'ns', 'team-a'])).code).not.toBe(0);
    const left = await c.request('GET', '/api/v1/namespaces/team-a/configmaps');
    expect((left.json as { items: unknown[] }).items).toEqual([]);
  });

  it('explain answers from the OpenAPI schema', async () => {
    const out = await c.k(['explain', 'service.spec.ports']);
    expect(out).toMatch(/KIND:\s+Service/);
    expect(out).toMatch(/targetPort/);
    expect(out).toMatch(/nodePort/);
  });

  it('api-resources lists every served kind with short names', async () => {
    const out = await c.k(['api-resources']);
    for (const line of [/^configmaps\s+cm\s+v1\s+true\s+ConfigMap$/m, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m, /^ingresses\s+ing\s+networking\.k8s\.io\/v1\s+true\s+Ingress$/m, /^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m]) {
      expect(out).toMatch(line);
    }
    expect(await c.k(['api-resources', '--namespaced=false', '-o', 'name'])).toMatch(/^namespaces$/m);
  });

  it('server-side apply creates and updates with a field manager', async () => {
    const cm = c.writeFile('ssa.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: "1"\n  b: "2"\n');
    expect(await c.k(['apply', '--server-side', '-f', cm])).toBe('configmap/ssa serverside-applied\n');
    c.writeFile('ssa.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: "1"\n');
    expect(await c.k(['apply', '--server-side', '-f', cm])).toBe('configmap/ssa serverside-applied\n');
    const data = JSON.parse(await c.k(['get', 'cm', 'ssa', '-o', 'jsonpath={.data}'])) as Record<string, string>;
    expect(data).toEqual({ a: '1' });
    const mf = await c.k(['get', 'cm', 'ssa', '-o', 'jsonpath={.metadata.managedFields[*].manager}', '--show-managed-fields']);
    expect(mf).toContain('kubectl');
  });
});
