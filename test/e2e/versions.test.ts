// A smoke subset with every kubectl from 1.27 to 1.33 (each with its own HOME, so each fetches
// discovery and OpenAPI itself): they differ in discovery format, OpenAPI use, protobuf bodies
// and apply paths.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL_VERSIONS, TestCluster } from './harness.js';

describe.each(KUBECTL_VERSIONS)('kubectl %s', (version) => {
  let c: TestCluster;
  let home: string;
  const ns = `v${version.replace('.', '-')}`;
  const k = (args: string[], input?: string): Promise<string> => c.k(args, { version, home, input });

  beforeAll(async () => {
    c = await TestCluster.start();
    home = join(c.dir, `home-${version}`);
    mkdirSync(home, { recursive: true });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('version, create, apply, get, patch, scale, delete, explain', async () => {
    const v = JSON.parse(await k(['version', '-o', 'json'])) as { clientVersion: { minor: string } };
    expect(v.clientVersion.minor).toBe(version.split('.')[1]);
    expect(await k(['create', 'namespace', ns])).toBe(`namespace/${ns} created\n`);
    expect(await k(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2', '-n', ns])).toBe('deployment.apps/web created\n');
    expect(await k(['create', 'configmap', 'cfg', '--from-literal=a=1', '-n', ns])).toBe('configmap/cfg created\n');
    expect(await k(['create', 'service', 'clusterip', 'web', '--tcp=80:8080', '-n', ns])).toBe('service/web created\n');
    const manifest = `apiVersion: v1\nkind: Service\nmetadata:\n  name: applied\n  namespace: ${ns}\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n`;
    expect(await k(['apply', '-f', '-'], manifest)).toBe('service/applied created\n');
    expect(await k(['apply', '-f', '-'], manifest)).toBe('service/applied unchanged\n');
    expect(await k(['apply', '-f', '-'], manifest.replace('port: 80', 'port: 81'))).toBe('service/applied configured\n');
    const svc = await k(['get', 'svc', '-n', ns, '-o', 'wide']);
    expect(svc).toMatch(/applied\s+ClusterIP\s+\S+\s+<none>\s+81\/TCP\s+\S+\s+app=web/);
    expect(await k(['get', 'deploy', 'web', '-n', ns])).toMatch(/web\s+0\/2\s+\d+\s+0/);
    await k(['patch', 'cm', 'cfg', '-n', ns, '-p', '{"data":{"b":"2"}}']);
    expect(await k(['get', 'cm', 'cfg', '-n', ns, '-o', 'jsonpath={.data.b}'])).toBe('2');
    expect(await k(['scale', 'deploy', 'web', '-n', ns, '--replicas=0'])).toBe('deployment.apps/web scaled\n');
    expect(await k(['get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={.spec.replicas}'])).toBe('0');
    expect(await k(['explain', 'deployment.spec.replicas'])).toMatch(/replicas/);
    expect(await k(['delete', 'cm', 'cfg', '-n', ns])).toBe('configmap "cfg" deleted\n');
    expect(await k(['delete', 'ns', ns])).toBe(`namespace "${ns}" deleted\n`);
  });
});
