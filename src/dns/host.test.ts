import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DROP_IN, dropInText, MARK, resetHost, reverseZones, setupHost, type HostEnv, type Runner } from './host.js';

const cfg = { server: '127.96.0.10', port: 53, domain: 'cluster.local', serviceCidr: '127.96.0.0/12' };

describe('reverseZones', () => {
  it.each([
    ['127.0.0.0/8', ['127.in-addr.arpa']],
    ['127.96.0.0/16', ['96.127.in-addr.arpa']],
    ['127.96.5.0/24', ['5.96.127.in-addr.arpa']],
    ['127.96.5.77/24', ['5.96.127.in-addr.arpa']],
    ['127.96.0.0/12', Array.from({ length: 16 }, (_, i) => `${96 + i}.127.in-addr.arpa`)],
    ['127.96.16.0/20', Array.from({ length: 16 }, (_, i) => `${16 + i}.96.127.in-addr.arpa`)],
    ['127.96.5.128/25', Array.from({ length: 128 }, (_, i) => `${128 + i}.5.96.127.in-addr.arpa`)],
    ['127.96.5.9/32', ['9.5.96.127.in-addr.arpa']],
  ])('%s', (cidr, zones) => {
    expect(reverseZones(cidr)).toEqual(zones);
  });

  it('covers /0 with the 256 first-octet zones, and refuses what is not a CIDR', () => {
    expect(reverseZones('0.0.0.0/0')).toHaveLength(256);
    expect(() => reverseZones('127.96.0.0')).toThrow('not an IPv4 CIDR');
  });
});

describe('dropInText', () => {
  it('routes only the cluster domain and the reverse zones to cluster DNS', () => {
    const text = dropInText({ ...cfg, serviceCidr: '127.96.0.0/16' });
    expect(text.split('\n')[0]).toBe(MARK);
    expect(text).toContain('\n[Resolve]\nDNS=127.96.0.10\nDomains=~cluster.local ~96.127.in-addr.arpa\n');
    expect(text).not.toMatch(/~\.(\s|$)/); // never the catch-all routing domain
  });

  it('writes ADDR:PORT for a port other than 53', () => {
    expect(dropInText({ ...cfg, port: 5353, domain: 'kube.test', serviceCidr: '127.50.0.0/24' })).toContain('DNS=127.96.0.10:5353\nDomains=~kube.test ~0.50.127.in-addr.arpa\n');
  });
});

describe('setupHost and resetHost on a root directory', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A root with (or without) resolved's runtime directory; commands are recorded and answered. */
  function env(opts: { resolved: boolean; privileged?: boolean; fail?: string }): HostEnv & { ran: string[]; path: string } {
    const root = mkdtempSync(join(tmpdir(), 'tinykube-hostdns-'));
    dirs.push(root);
    if (opts.resolved) mkdirSync(join(root, 'run/systemd/resolve'), { recursive: true });
    const ran: string[] = [];
    const run: Runner = async (cmd, args) => {
      ran.push([cmd, ...args].join(' '));
      if (opts.fail === cmd) return { code: 1, stdout: '', stderr: `${cmd}: failed\n` };
      return { code: 0, stdout: cmd === 'resolvectl' ? 'kubernetes.default.svc.cluster.local: 127.96.0.1\n' : '', stderr: '' };
    };
    return { root, run, privileged: opts.privileged ?? true, ran, path: join(root, DROP_IN) };
  }

  it('writes the drop-in, restarts resolved and checks a name; a second run changes nothing', async () => {
    const e = env({ resolved: true });
    const first = await setupHost(cfg, e, false);
    expect(first).toEqual({ ok: true, lines: [`wrote ${e.path}`, 'restarted systemd-resolved', 'kubernetes.default.svc.cluster.local: 127.96.0.1'] });
    expect(readFileSync(e.path, 'utf8')).toBe(dropInText(cfg));
    expect(e.ran).toEqual(['systemctl restart systemd-resolved', 'resolvectl query kubernetes.default.svc.cluster.local']);
    const again = await setupHost(cfg, e, false);
    expect(again.ok && again.lines[0]).toBe(`${e.path} is already up to date`);
    // A changed setting rewrites our own file.
    await setupHost({ ...cfg, port: 5353 }, e, false);
    expect(readFileSync(e.path, 'utf8')).toContain('DNS=127.96.0.10:5353');
  });

  it('without resolved: exit 3 with what to use instead, nothing written, nothing run', async () => {
    const e = env({ resolved: false });
    const r = await setupHost(cfg, e, false);
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.exitCode).toBe(3);
    expect(r.lines.join('\n')).toContain('dig @127.96.0.10 kubernetes.default.svc.cluster.local');
    expect(existsSync(e.path)).toBe(false);
    expect(e.ran).toEqual([]);
  });

  it('dry run: says what it would do and touches nothing', async () => {
    const e = env({ resolved: true });
    const r = await setupHost(cfg, e, true);
    expect(r.ok).toBe(true);
    expect(r.lines).toContain('  DNS=127.96.0.10');
    expect(r.lines).toContain('would run: systemctl restart systemd-resolved');
    expect(existsSync(e.path)).toBe(false);
    expect(e.ran).toEqual([]);
    expect((await resetHost(e, true)).lines).toEqual([`${e.path} does not exist: nothing to undo`]);
  });

  it('leaves a file it did not write alone, on setup and on reset', async () => {
    const e = env({ resolved: true });
    mkdirSync(join(e.root, 'etc/systemd/resolved.conf.d'), { recursive: true });
    writeFileSync(e.path, '[Resolve]\nDNS=127.0.0.2\n');
    for (const r of [await setupHost(cfg, e, false), await resetHost(e, false)]) {
      expect(r.ok).toBe(false);
      expect(r.lines[0]).toContain('was not written by tinykube');
    }
    expect(readFileSync(e.path, 'utf8')).toBe('[Resolve]\nDNS=127.0.0.2\n');
    expect(e.ran).toEqual([]);
  });

  it('needs root to write or remove, and says the command', async () => {
    const e = env({ resolved: true, privileged: false });
    const r = await setupHost(cfg, e, false);
    expect(r.ok === false && r.exitCode).toBe(4);
    expect(r.lines[0]).toContain('sudo tinykube dns host-setup --server 127.96.0.10:53 --cluster-domain cluster.local --service-cidr 127.96.0.0/12');
    expect(existsSync(e.path)).toBe(false);
  });

  it('reset removes our drop-in and restarts resolved', async () => {
    const e = env({ resolved: true });
    await setupHost(cfg, e, false);
    e.ran.length = 0;
    expect(await resetHost(e, false)).toEqual({ ok: true, lines: [`removed ${e.path}`, 'restarted systemd-resolved'] });
    expect(existsSync(e.path)).toBe(false);
    expect(e.ran).toEqual(['systemctl restart systemd-resolved']);
  });

  it('reports a failed restart', async () => {
    const e = env({ resolved: true, fail: 'systemctl' });
    const r = await setupHost(cfg, e, false);
    expect(r.ok).toBe(false);
    expect(r.lines).toEqual([`wrote ${e.path}`, 'systemctl restart systemd-resolved failed: systemctl: failed']);
  });
});
