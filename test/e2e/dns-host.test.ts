// `tinykube dns host-setup` as a user runs it next to a cluster: what it would hand
// systemd-resolved names that cluster's DNS address, port, domain and reverse zones, read from the
// data dir `up` used; on a host without systemd-resolved it changes nothing, and the commands it
// offers instead really answer. No test here writes under /etc: without --dry-run, host-setup
// and host-reset only run where they have nothing to change.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, run, TestCluster, type RunResult } from './harness.js';

const FILES = ['/etc/systemd/dns-delegate.d/tinykube.dns-delegate', '/etc/systemd/resolved.conf.d/tinykube.conf'];
const resolvedHere = existsSync('/run/systemd/resolve');
/** Our files' contents, and whether their folders exist (host-setup creates them when it writes). */
const snapshot = (): (string | boolean)[] => [...FILES.map((f) => existsSync(f) && readFileSync(f, 'utf8')), ...FILES.map((f) => existsSync(dirname(f)))];

describe('tinykube dns host-setup', () => {
  let c: TestCluster;
  let home: string;
  let dnsIP: string;
  let kubernetesIP: string;
  const before = snapshot();

  beforeAll(async () => {
    // The cluster's data dir is the default one of this HOME, so host-setup finds it unasked.
    home = mkdtempSync(join(tmpdir(), 'tinykube-hostdns-home-'));
    c = await TestCluster.start({ dns: true, home, dataDir: join(home, '.tinykube'), extraArgs: ['--cluster-domain', 'kube.test', '--dns-port', '5354', '--dns-upstream', '127.0.0.1:9'] });
    dnsIP = (await c.k(['-n', 'kube-system', 'get', 'svc', 'kube-dns', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    kubernetesIP = (await c.k(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  }, 90_000);
  afterAll(async () => {
    await c?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });
  afterEach(() => {
    expect(snapshot()).toEqual(before);
  });

  const cli = (...args: string[]): Promise<RunResult> => run(process.execPath, [BIN, 'dns', ...args], { env: { ...process.env, HOME: home } });

  /** The service range as `up` recorded it. */
  function serviceCidr(): string {
    return (JSON.parse(readFileSync(join(home, '.tinykube', 'cluster.json'), 'utf8')) as { serviceCidr: string }).serviceCidr;
  }

  it('--dry-run prints the file for the cluster of the default data dir, and touches nothing', async () => {
    const r = await cli('host-setup', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`tinykube: cluster DNS ${dnsIP}:5354, domain kube.test, service range ${serviceCidr()} (${join(home, '.tinykube', 'cluster.json')}`);
    const [a, b, third] = serviceCidr().split('/')[0]!.split('.'); // the harness gives a /24: one reverse zone
    expect(r.stdout).toContain(`tinykube:   DNS=${dnsIP}:5354\n`);
    expect(r.stdout).toContain(`tinykube:   Domains=~kube.test ~${third}.${b}.${a}.in-addr.arpa\n`);
    expect(r.stdout).toContain('tinykube: would run: systemctl reload-or-restart systemd-resolved\n');
    if (!resolvedHere) {
      expect(r.stdout).toContain('systemd-resolved is not running on this host (no /run/systemd/resolve)');
      for (const f of FILES) expect(r.stdout).toContain(`${f}:\n`);
      expect(r.stdout).toContain('tinykube:   DefaultRoute=no\n');
    }
  });

  it('flags override the cluster, and bad ones are refused', async () => {
    const r = await cli('host-setup', '--dry-run', '--server', '127.0.0.1', '--cluster-domain', 'other.test', '--service-cidr', '127.77.0.0/16');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('tinykube:   DNS=127.0.0.1\n');
    expect(r.stdout).toContain('tinykube:   Domains=~other.test ~77.127.in-addr.arpa\n');
    // --domain is the same setting under a shorter name.
    const short = await cli('host-setup', '--dry-run', '--domain', 'short.test', '--server', '127.0.0.1:5300');
    expect(short.code, short.stderr).toBe(0);
    expect(short.stdout).toContain('tinykube:   DNS=127.0.0.1:5300\n');
    expect(short.stdout).toContain('tinykube:   Domains=~short.test ~');
    const bad = await cli('host-setup', '--dry-run', '--server', 'dns.example');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--server: "dns.example" is not IP[:PORT]');
    const both = await cli('host-setup', '--dry-run', '--domain', 'a.test', '--cluster-domain', 'b.test');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--domain "a.test" and --cluster-domain "b.test" disagree');
    const badDomain = await cli('host-setup', '--dry-run', '--domain', 'Not_A_Domain');
    expect(badDomain.code).toBe(2);
    expect(badDomain.stderr).toContain('--domain: "Not_A_Domain" is not a DNS domain');
  });

  it.runIf(!resolvedHere)('without systemd-resolved: exit 3, nothing written, and the dig and nslookup it offers answer', async () => {
    const r = await cli('host-setup');
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toContain('systemd-resolved is not running on this host (no /run/systemd/resolve)');
    const digLine = /^tinykube: {3}dig (.+)$/m.exec(r.stdout)?.[1];
    expect(digLine).toBe(`@${dnsIP} -p 5354 kubernetes.default.svc.kube.test`);
    const dig = await run('dig', ['+short', '+time=2', '+tries=1', ...digLine!.split(' ')]);
    expect(dig.stdout.trim()).toBe(kubernetesIP);
    const nslookupLine = /^tinykube: {3}nslookup (.+)$/m.exec(r.stdout)?.[1];
    expect(nslookupLine).toBe(`-port=5354 kubernetes.default.svc.kube.test ${dnsIP}`);
    const nslookup = await run('nslookup', ['-timeout=2', '-retry=0', ...nslookupLine!.split(' ')]);
    expect(nslookup.stdout).toMatch(new RegExp(`Name:\\s+kubernetes\\.default\\.svc\\.kube\\.test\\nAddress: ${kubernetesIP.replace(/\./g, '\\.')}\\n`));
  });

  it.runIf(before.every((f) => f === false))('host-reset with no file of ours has nothing to undo', async () => {
    for (const args of [['host-reset', '--dry-run'], ['host-reset']]) {
      const r = await cli(...args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('tinykube: no file of tinykube under /etc/systemd: nothing to undo\n');
    }
  });
});
