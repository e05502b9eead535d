// `tinykube dns host-setup` as a user runs it next to a cluster: the drop-in it would give
// systemd-resolved names that cluster's DNS address, port, domain and reverse zones; on a host
// without systemd-resolved it changes nothing and says what to use instead.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, run, TestCluster } from './harness.js';

const DROP_IN = '/etc/systemd/resolved.conf.d/tinykube.conf';

describe('tinykube dns host-setup', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start({ extraArgs: ['--cluster-domain', 'kube.test', '--dns-port', '5353'] });
  }, 60_000);
  afterAll(async () => {
    await c?.stop();
  });

  /** The cluster's service CIDR, as the harness chose it (up records its settings in cluster.json). */
  function serviceCidr(): string {
    return (JSON.parse(readFileSync(join(c.dataDir, 'cluster.json'), 'utf8')) as { serviceCidr: string }).serviceCidr;
  }

  it('--dry-run prints the drop-in for the cluster on --data-dir and touches nothing', async () => {
    const existed = existsSync(DROP_IN);
    const r = await run(process.execPath, [BIN, 'dns', 'host-setup', '--dry-run', '--data-dir', c.dataDir]);
    expect(r.code, r.stderr).toBe(0);
    const [a, b, cc] = serviceCidr().split('/')[0]!.split('.');
    expect(r.stdout).toContain(`would write ${DROP_IN}:`);
    expect(r.stdout).toContain(`  DNS=${a}.${b}.${cc}.10:5353\n`);
    expect(r.stdout).toContain(`  Domains=~kube.test ~${cc}.${b}.${a}.in-addr.arpa\n`);
    expect(r.stdout).toContain('would check: resolvectl query kubernetes.default.svc.kube.test');
    expect(existsSync(DROP_IN)).toBe(existed);
  });

  it('flags override the cluster, and bad ones are refused', async () => {
    const r = await run(process.execPath, [BIN, 'dns', 'host-setup', '--dry-run', '--data-dir', c.dataDir, '--server', '127.0.0.1', '--cluster-domain', 'other.test']);
    expect(r.stdout).toContain('  DNS=127.0.0.1\n');
    expect(r.stdout).toContain('  Domains=~other.test ');
    const bad = await run(process.execPath, [BIN, 'dns', 'host-setup', '--dry-run', '--server', 'dns.example']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--server: "dns.example" is not IP[:PORT]');
  });

  // Without --dry-run the command changes the host's resolver when systemd-resolved runs (as root),
  // so it is only run where there is none, as on the CI machines: there it must change nothing.
  it.runIf(!existsSync('/run/systemd/resolve'))('without systemd-resolved: exit 3, the alternatives, nothing written', async () => {
    const r = await run(process.execPath, [BIN, 'dns', 'host-setup', '--data-dir', c.dataDir]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('systemd-resolved is not running on this host');
    expect(r.stdout).toMatch(/dig @127\.\d+\.\d+\.10 -p 5353 kubernetes\.default\.svc\.kube\.test/);
    expect(existsSync(DROP_IN)).toBe(false);
  });
});
