// The built-in Services, through a real API server start on a data dir: created when missing,
// repaired when changed, moved when the service CIDR changes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/types.js';
import { serviceAddress } from './bootstrap.js';
import { resourceFor, startApiServer, type RunningApiServer } from './index.js';

const SERVICES = resourceFor('', 'v1', 'services')!;
const ENDPOINTS = resourceFor('', 'v1', 'endpoints')!;
const SLICES = resourceFor('discovery.k8s.io', 'v1', 'endpointslices')!;

type Obj = Record<string, unknown>;
const spec = (o: KubeObject): Obj => o['spec'] as Obj;

const dirs: string[] = [];
const servers: RunningApiServer[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(dir: string, serviceCidr: string, log: string[] = []): Promise<RunningApiServer> {
  const s = await startApiServer({ dataDir: dir, host: '127.0.0.1', port: 0, durable: false, serviceCidr, log: (m) => log.push(m) });
  servers.push(s);
  return s;
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tinykube-bootstrap-'));
  dirs.push(d);
  return d;
}

describe('built-in Services', () => {
  it('serviceAddress: the nth address when the CIDR has it', () => {
    expect(serviceAddress('127.96.0.0/12', 1)).toBe('127.96.0.1');
    expect(serviceAddress('127.96.0.0/12', 10)).toBe('127.96.0.10');
    expect(serviceAddress('127.100.7.0/24', 10)).toBe('127.100.7.10');
    expect(serviceAddress('127.96.0.0/29', 10)).toBeUndefined();
    expect(serviceAddress('127.96.0.0/28', 15)).toBeUndefined();
  });

  it('creates default/kubernetes with its Endpoints and EndpointSlice, and kube-system/kube-dns', async () => {
    const s = await start(tempDir(), '127.96.0.0/12');
    const k = await s.registry.get(SERVICES, 'default', 'kubernetes');
    expect(k.metadata.labels).toEqual({ component: 'apiserver', provider: 'kubernetes' });
    expect(spec(k)).toMatchObject({ type: 'ClusterIP', clusterIP: '127.96.0.1', clusterIPs: ['127.96.0.1'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', sessionAffinity: 'None' });
    expect(spec(k)['ports']).toEqual([{ name: 'https', port: 443, protocol: 'TCP', targetPort: s.port }]);
    expect(spec(k)['selector']).toBeUndefined();
    const ep = await s.registry.get(ENDPOINTS, 'default', 'kubernetes');
    expect(ep.metadata.labels).toEqual({ 'endpointslice.kubernetes.io/skip-mirror': 'true' });
    expect(ep['subsets']).toEqual([{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: s.port, protocol: 'TCP' }] }]);
    const slice = await s.registry.get(SLICES, 'default', 'kubernetes');
    expect(slice.metadata.labels).toEqual({ 'kubernetes.io/service-name': 'kubernetes' });
    expect(slice).toMatchObject({ addressType: 'IPv4', endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }], ports: [{ name: 'https', port: s.port, protocol: 'TCP' }] });
    const dns = await s.registry.get(SERVICES, 'kube-system', 'kube-dns');
    expect(dns.metadata.labels).toEqual({ 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' });
    expect(spec(dns)).toMatchObject({ clusterIP: '127.96.0.10' });
    expect(spec(dns)['selector']).toBeUndefined();
    expect((spec(dns)['ports'] as Obj[]).map((p) => `${String(p['name'])}:${String(p['port'])}/${String(p['protocol'])}`)).toEqual(['dns:53/UDP', 'dns-tcp:53/TCP', 'metrics:9153/TCP']);
    expect(s.allocators.clusterIPs.has('127.96.0.1')).toBe(true);
    expect(s.allocators.clusterIPs.has('127.96.0.10')).toBe(true);
  });

  it('repairs drift at the next start, and moves them when the service CIDR changes', async () => {
    const dir = tempDir();
    let s = await start(dir, '127.96.0.0/24');
    await s.registry.update(SERVICES, 'default', 'kubernetes', (cur) => {
      spec(cur)['ports'] = [{ name: 'https', port: 8443, protocol: 'TCP', targetPort: 1 }];
      spec(cur)['selector'] = { app: 'oops' };
      return cur;
    });
    await s.registry.update(ENDPOINTS, 'default', 'kubernetes', (cur) => {
      cur['subsets'] = [];
      return cur;
    });
    await s.close();
    servers.splice(0);

    s = await start(dir, '127.96.0.0/24');
    const k = await s.registry.get(SERVICES, 'default', 'kubernetes');
    expect(spec(k)['ports']).toEqual([{ name: 'https', port: 443, protocol: 'TCP', targetPort: s.port }]);
    expect(spec(k)['selector']).toBeUndefined();
    const ep = await s.registry.get(ENDPOINTS, 'default', 'kubernetes');
    expect(ep['subsets']).toEqual([{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: s.port, protocol: 'TCP' }] }]);
    await s.close();
    servers.splice(0);

    const log: string[] = [];
    s = await start(dir, '127.97.0.0/24', log);
    expect(spec(await s.registry.get(SERVICES, 'default', 'kubernetes'))['clusterIP']).toBe('127.97.0.1');
    expect(spec(await s.registry.get(SERVICES, 'kube-system', 'kube-dns'))['clusterIP']).toBe('127.97.0.10');
    // The repair pass saw the old addresses outside the new range before the bootstrap moved them.
    expect(log.filter((l) => l.includes('is not within the service CIDR 127.97.0.0/24'))).toHaveLength(2);
    expect(s.allocators.clusterIPs.used).toBe(2);
  });

  it('a CIDR too small for .10 gets the kubernetes Service only, and says so', async () => {
    const log: string[] = [];
    const s = await start(tempDir(), '127.96.0.0/29', log);
    expect(spec(await s.registry.get(SERVICES, 'default', 'kubernetes'))['clusterIP']).toBe('127.96.0.1');
    expect(log.some((l) => l.includes('too small for the cluster DNS address'))).toBe(true);
  });
});
