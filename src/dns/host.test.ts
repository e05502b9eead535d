import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bypassReason, HOST_FILES, hostFileText, kindFor, MARK, parseSystemdVersion, resetHost, reverseZones, routingDomains, serverSpec, setupHost, type HostEnv, type Runner } from './host.js';

const cfg = { server: '127.96.0.10', port: 53, domain: 'cluster.local', serviceCidr: '127.96.0.0/12' };

describe('reverseZones', () => {
  it.each([
    ['127.0.0.0/8', ['127.in-addr.arpa']],
    ['127.96.0.0/16', ['96.127.in-addr.arpa']],
    ['127.96.5.0/24', ['5.96.127.in-addr.arpa']],
    ['127.96.5.77/24', ['5.96.127.in-addr.arpa']],
    ['127.96.0.0/12', Array.from({ length: 16 }, (_, i) => `${96 + i}.127.in-addr.arpa`)],
    ['127.96.16.0/20', Array.from({ length: 16 }, (_, i) => `${16 + i}.96.127.in-addr.arpa`)],
    ['127.64.0.0/9', Array.from({ length: 128 }, (_, i) => `${i}.127.in-addr.arpa`)],
    ['127.96.5.128/25', Array.from({ length: 128 }, (_, i) => `${128 + i}.5.96.127.in-addr.arpa`)],
    ['127.96.5.9/32', ['9.5.96.127.in-addr.arpa']],
  ])('%s', (cidr, zones) => {
    expect(reverseZones(cidr)).toEqual(zones);
  });

  it('refuses what is not a CIDR', () => {
    expect(() => reverseZones('127.96.0.0')).toThrow('not an IPv4 CIDR');
  });
});

describe('the file for systemd-resolved', () => {
  it('names the server as ADDR, or ADDR:PORT for a port other than 53 (resolved.conf(5); "#" would be a TLS server name)', () => {
    expect(serverSpec(cfg)).toBe('127.96.0.10');
    expect(serverSpec({ ...cfg, port: 5353 })).toBe('127.96.0.10:5353');
  });

  it('routes only the cluster domain and the reverse zones, never the catch-all "~."', () => {
    expect(routingDomains({ ...cfg, serviceCidr: '127.96.0.0/16' })).toEqual(['~cluster.local', '~96.127.in-addr.arpa']);
  });

  it('is a DNS delegate from systemd 258 on, a resolved.conf drop-in before', () => {
    expect([kindFor(undefined), kindFor(245), kindFor(257), kindFor(258), kindFor(259)]).toEqual(['global', 'global', 'global', 'delegate', 'delegate']);
    const c = { ...cfg, port: 5353, domain: 'kube.test', serviceCidr: '127.50.0.0/24' };
    const delegate = hostFileText('delegate', c);
    expect(delegate.split('\n')[0]).toBe(MARK);
    expect(delegate).toContain('\n[Delegate]\nDNS=127.96.0.10:5353\nDomains=~kube.test ~0.50.127.in-addr.arpa\nDefaultRoute=no\n');
    const global = hostFileText('global', c);
    expect(global.split('\n')[0]).toBe(MARK);
    expect(global).toContain('\n[Resolve]\nDNS=127.96.0.10:5353\nDomains=~kube.test ~0.50.127.in-addr.arpa\n');
    expect(global).not.toContain('DefaultRoute');
  });

  it('reads the version from resolvectl --version or systemctl --version', () => {
    expect(parseSystemdVersion('systemd 255 (255.4-1ubuntu8.4)\n+PAM +AUDIT\n')).toBe(255);
    expect(parseSystemdVersion('systemd 258 (258.1-1)\n')).toBe(258);
    expect(parseSystemdVersion('bash: resolvectl: command not found')).toBeUndefined();
  });
});

describe('setupHost and resetHost on a root directory', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  interface Fake {
    /** systemd's version, or undefined for a host without systemd-resolved. */
    systemd?: number;
    /** resolved's runtime directory is there but the unit is stopped. */
    stopped?: boolean;
    privileged?: boolean;
    fail?: 'reload' | 'resolvectl query';
    /** What cluster DNS, getaddrinfo answer; an Error is thrown. */
    server?: string[] | Error;
    host?: string[] | Error;
  }

  /** A root with (or without) resolved's runtime directory; commands are recorded and answered as that systemd would. */
  function env(f: Fake): HostEnv & { ran: string[]; file: (kind: 'delegate' | 'global') => string } {
    const root = mkdtempSync(join(tmpdir(), 'tinykube-hostdns-'));
    dirs.push(root);
    if (f.systemd !== undefined) mkdirSync(join(root, 'run/systemd/resolve'), { recursive: true });
    const ran: string[] = [];
    const run: Runner = async (cmd, args) => {
      const line = [cmd, ...args].join(' ');
      ran.push(line);
      const res = (code: number, stdout = '', stderr = ''): { code: number; stdout: string; stderr: string } => ({ code, stdout, stderr });
      if (line === 'systemctl is-active systemd-resolved') return f.stopped ? res(3, 'inactive\n') : res(0, 'active\n');
      if (line === 'resolvectl --version') return res(0, `systemd ${f.systemd} (${f.systemd}.1-1)\n+PAM\n`);
      if (line === 'systemctl reload-or-restart systemd-resolved') return f.fail === 'reload' ? res(1, '', 'Job failed.\n') : res(0);
      if (line.startsWith('resolvectl query ')) return f.fail === 'resolvectl query' ? res(1, '', `${args[1]}: resolve call failed: No appropriate name servers or networks for name found\n`) : res(0, `${args[1]}: 127.96.0.1\n`);
      return res(127, '', `${cmd}: not expected`);
    };
    const answer = (a: string[] | Error | undefined) => async (): Promise<string[]> => {
      if (a instanceof Error) throw a;
      return a ?? ['127.96.0.1'];
    };
    return { root, run, privileged: f.privileged ?? true, lookup: answer(f.host), askServer: answer(f.server), self: 'node /opt/tinykube/bin/tinykube.js', ran, file: (kind) => join(root, HOST_FILES[kind]) };
  }

  const refused = Object.assign(new Error('queryA ECONNREFUSED kubernetes.default.svc.cluster.local'), { code: 'ECONNREFUSED' });
  const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND kubernetes.default.svc.cluster.local'), { code: 'ENOTFOUND' });

  it('systemd 258: writes the delegate, reloads resolved, checks the name through resolved and getaddrinfo; a second run changes nothing', async () => {
    const e = env({ systemd: 258 });
    const first = await setupHost(cfg, e, false);
    expect(first).toEqual({
      ok: true,
      lines: [`wrote ${e.file('delegate')} (a DNS delegate, systemd 258)`, 'reloaded systemd-resolved', 'kubernetes.default.svc.cluster.local resolves on this host: 127.96.0.1'],
    });
    expect(readFileSync(e.file('delegate'), 'utf8')).toBe(hostFileText('delegate', cfg));
    expect(statSync(e.file('delegate')).mode & 0o777).toBe(0o644);
    expect(existsSync(e.file('global'))).toBe(false);
    expect(e.ran).toEqual(['systemctl is-active systemd-resolved', 'resolvectl --version', 'systemctl reload-or-restart systemd-resolved', 'resolvectl query kubernetes.default.svc.cluster.local']);
    e.ran.length = 0;
    const again = await setupHost(cfg, e, false);
    expect(again.ok && again.lines[0]).toBe(`${e.file('delegate')} is already up to date`);
    expect(e.ran).not.toContain('systemctl reload-or-restart systemd-resolved');
    // A changed setting rewrites our own file.
    await setupHost({ ...cfg, port: 5353 }, e, false);
    expect(readFileSync(e.file('delegate'), 'utf8')).toContain('DNS=127.96.0.10:5353\n');
  });

  it('systemd before 258: writes the resolved.conf drop-in and says that the global server also sees other names', async () => {
    const e = env({ systemd: 255 });
    const r = await setupHost(cfg, e, false);
    expect(r.ok).toBe(true);
    expect(readFileSync(e.file('global'), 'utf8')).toBe(hostFileText('global', cfg));
    expect(existsSync(e.file('delegate'))).toBe(false);
    expect(r.lines.join('\n')).toContain("resolved's global server, which is also asked about names no routing domain matches");
  });

  it('after a systemd upgrade, moves our drop-in to a delegate', async () => {
    const e = env({ systemd: 258 });
    mkdirSync(dirname(e.file('global')), { recursive: true });
    writeFileSync(e.file('global'), hostFileText('global', cfg));
    const r = await setupHost(cfg, e, false);
    expect(r.lines).toContain(`removed ${e.file('global')}`);
    expect(existsSync(e.file('global'))).toBe(false);
    expect(readFileSync(e.file('delegate'), 'utf8')).toBe(hostFileText('delegate', cfg));
  });

  it('refuses a port in DNS= before systemd 246', async () => {
    const e = env({ systemd: 245 });
    const r = await setupHost({ ...cfg, port: 5353 }, e, false);
    expect(r.ok === false && r.exitCode).toBe(1);
    expect(r.lines[0]).toContain('systemd 245 takes no port in DNS=');
    expect(existsSync(e.file('global'))).toBe(false);
  });

  it('without systemd-resolved: exit 3 with what to use instead, nothing written, nothing run', async () => {
    const e = env({});
    const r = await setupHost({ ...cfg, port: 5353 }, e, false);
    expect(r.ok === false && r.exitCode).toBe(3);
    expect(r.lines[0]).toContain('systemd-resolved is not running on this host (no /run/systemd/resolve)');
    expect(r.lines).toContain('  dig @127.96.0.10 -p 5353 kubernetes.default.svc.cluster.local');
    expect(r.lines).toContain('  nslookup -port=5353 kubernetes.default.svc.cluster.local 127.96.0.10');
    expect(existsSync(e.file('delegate')) || existsSync(e.file('global'))).toBe(false);
    expect(e.ran).toEqual([]);
  });

  it('a stopped systemd-resolved (its runtime directory stays) counts as absent', async () => {
    const e = env({ systemd: 258, stopped: true });
    const r = await setupHost(cfg, e, false);
    expect(r.ok === false && r.exitCode).toBe(3);
    expect(r.lines[0]).toContain('(systemctl is-active systemd-resolved: inactive)');
    expect(existsSync(e.file('delegate'))).toBe(false);
  });

  it('dry run without systemd-resolved: shows both forms and the alternatives, touches nothing', async () => {
    const e = env({});
    const r = await setupHost(cfg, e, true);
    expect(r.ok).toBe(true);
    const text = r.lines.join('\n');
    expect(text).toContain(`host-setup would write ${e.file('delegate')}:\n${hostFileText('delegate', cfg).trimEnd().replace(/^/gm, '  ')}\n`);
    expect(text).toContain(`with older systemd, ${e.file('global')}:\n${hostFileText('global', cfg).trimEnd().replace(/^/gm, '  ')}\n`);
    expect(r.lines).toContain('would run: systemctl reload-or-restart systemd-resolved');
    expect(r.lines).toContain('  dig @127.96.0.10 kubernetes.default.svc.cluster.local');
    expect(existsSync(join(e.root, 'etc'))).toBe(false);
    expect(e.ran).toEqual([]);
  });

  it('dry run with systemd-resolved: the one file, the reload, and no change', async () => {
    const e = env({ systemd: 256 });
    const r = await setupHost(cfg, e, true);
    expect(r.lines[0]).toBe(`would write ${e.file('global')} (a resolved.conf drop-in, systemd 256):`);
    expect(r.lines).toContain('  DNS=127.96.0.10');
    expect(r.lines).toContain('would run: systemctl reload-or-restart systemd-resolved');
    expect(existsSync(join(e.root, 'etc'))).toBe(false);
    expect(e.ran).toEqual(['systemctl is-active systemd-resolved', 'resolvectl --version']);
  });

  it('leaves a file it did not write alone, on setup and on reset', async () => {
    const e = env({ systemd: 258 });
    mkdirSync(dirname(e.file('delegate')), { recursive: true });
    writeFileSync(e.file('delegate'), '[Delegate]\nDNS=127.0.0.2\nDomains=~corp.test\n');
    for (const r of [await setupHost(cfg, e, false), await resetHost(e, false), await resetHost(e, true)]) {
      expect(r.ok === false && r.exitCode).toBe(1);
      expect(r.lines[0]).toContain('was not written by tinykube');
    }
    expect(readFileSync(e.file('delegate'), 'utf8')).toBe('[Delegate]\nDNS=127.0.0.2\nDomains=~corp.test\n');
    expect(e.ran).not.toContain('systemctl reload-or-restart systemd-resolved');
  });

  it('without root: changes nothing and names the sudo command; an up-to-date file is only checked', async () => {
    const e = env({ systemd: 258, privileged: false });
    const r = await setupHost(cfg, e, false);
    expect(r.ok === false && r.exitCode).toBe(4);
    expect(r.lines[0]).toContain('run: sudo node /opt/tinykube/bin/tinykube.js dns host-setup --server 127.96.0.10:53 --cluster-domain cluster.local --service-cidr 127.96.0.0/12');
    expect(existsSync(e.file('delegate'))).toBe(false);
    mkdirSync(dirname(e.file('delegate')), { recursive: true });
    writeFileSync(e.file('delegate'), hostFileText('delegate', cfg));
    expect(await setupHost(cfg, e, false)).toEqual({ ok: true, lines: [`${e.file('delegate')} is already up to date`, 'kubernetes.default.svc.cluster.local resolves on this host: 127.96.0.1'] });
    const reset = await resetHost(e, false);
    expect(reset.ok === false && reset.exitCode).toBe(4);
    expect(reset.lines[0]).toContain('run: sudo node /opt/tinykube/bin/tinykube.js dns host-reset');
    expect(existsSync(e.file('delegate'))).toBe(true);
  });

  it('a cluster that is not running: set up, and says the check waits for it', async () => {
    const e = env({ systemd: 258, server: refused });
    const r = await setupHost(cfg, e, false);
    expect(r.ok).toBe(true);
    expect(r.lines.at(-1)).toBe('cluster DNS at 127.96.0.10 does not answer kubernetes.default.svc.cluster.local (ECONNREFUSED): is the cluster running? The routing is in place for when it does.');
    expect(e.ran).not.toContain('resolvectl query kubernetes.default.svc.cluster.local');
  });

  it('fails when resolved does not answer what cluster DNS answers', async () => {
    const e = env({ systemd: 258, fail: 'resolvectl query' });
    const r = await setupHost(cfg, e, false);
    expect(r.ok === false && r.exitCode).toBe(1);
    expect(r.lines.at(-1)).toContain('cluster DNS answers kubernetes.default.svc.cluster.local (127.96.0.1) but systemd-resolved does not: kubernetes.default.svc.cluster.local: resolve call failed');
  });

  it("fails when resolved answers but the host's programs do not ask it, and says which files decide", async () => {
    const e = env({ systemd: 258, host: notFound });
    mkdirSync(join(e.root, 'etc'), { recursive: true });
    writeFileSync(join(e.root, 'etc/nsswitch.conf'), 'passwd: files\nhosts:          files dns\n');
    writeFileSync(join(e.root, 'etc/resolv.conf'), 'nameserver 127.0.0.1\n');
    const r = await setupHost(cfg, e, false);
    expect(r.ok === false && r.exitCode).toBe(1);
    expect(r.lines.at(-1)).toBe(
      "systemd-resolved answers kubernetes.default.svc.cluster.local, but getaddrinfo() does not (ENOTFOUND): /etc/nsswitch.conf's hosts line (files dns) has no \"resolve\" and /etc/resolv.conf names 127.0.0.1, not systemd-resolved's 127.0.0.53",
    );
  });

  it('bypassReason: nss-resolve or the stub in resolv.conf is enough', () => {
    const root = mkdtempSync(join(tmpdir(), 'tinykube-hostdns-'));
    dirs.push(root);
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc/nsswitch.conf'), 'hosts: files resolve [!UNAVAIL=return] dns\n');
    writeFileSync(join(root, 'etc/resolv.conf'), 'nameserver 127.0.0.1\n');
    expect(bypassReason(root)).toBeUndefined();
    writeFileSync(join(root, 'etc/nsswitch.conf'), 'hosts: files dns\n');
    writeFileSync(join(root, 'etc/resolv.conf'), 'nameserver 127.0.0.53\noptions edns0 trust-ad\n');
    expect(bypassReason(root)).toBeUndefined();
  });

  it('reports a failed reload', async () => {
    const e = env({ systemd: 258, fail: 'reload' });
    const r = await setupHost(cfg, e, false);
    expect(r.ok === false && r.exitCode).toBe(1);
    expect(r.lines).toEqual([`wrote ${e.file('delegate')} (a DNS delegate, systemd 258)`, 'systemctl reload-or-restart systemd-resolved failed: Job failed.']);
  });

  it('reset removes our files in either form and reloads resolved; then there is nothing to undo', async () => {
    const e = env({ systemd: 258 });
    await setupHost(cfg, e, false);
    mkdirSync(dirname(e.file('global')), { recursive: true });
    writeFileSync(e.file('global'), hostFileText('global', cfg)); // as an older tinykube would have left it
    expect((await resetHost(e, true)).lines).toEqual([`would remove ${e.file('delegate')}`, `would remove ${e.file('global')}`, 'would run: systemctl reload-or-restart systemd-resolved']);
    expect(existsSync(e.file('delegate'))).toBe(true);
    e.ran.length = 0;
    expect(await resetHost(e, false)).toEqual({ ok: true, lines: [`removed ${e.file('delegate')}`, `removed ${e.file('global')}`, 'reloaded systemd-resolved'] });
    expect(existsSync(e.file('delegate')) || existsSync(e.file('global'))).toBe(false);
    expect(e.ran).toEqual(['systemctl is-active systemd-resolved', 'resolvectl --version', 'systemctl reload-or-restart systemd-resolved']);
    expect(await resetHost(e, false)).toEqual({ ok: true, lines: ['no file of tinykube under /etc/systemd: nothing to undo'] });
  });

  it('reset without systemd-resolved running: removes our file, reloads nothing', async () => {
    const e = env({});
    mkdirSync(dirname(e.file('global')), { recursive: true });
    writeFileSync(e.file('global'), hostFileText('global', cfg));
    expect(await resetHost(e, false)).toEqual({ ok: true, lines: [`removed ${e.file('global')}`] });
    expect(e.ran).toEqual([]);
  });
});
