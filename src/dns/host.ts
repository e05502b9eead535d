// Resolving cluster names from the host: systemd-resolved is told to send the cluster domain and
// the service range's reverse zones to cluster DNS. How depends on the systemd version:
// - 258 and later: a DNS delegate (systemd.dns-delegate(5)), a lookup scope of its own that is no
//   default route (DefaultRoute= off), so resolved asks cluster DNS about those domains only;
// - older: resolved.conf's global DNS= with routing-only domains ("~cluster.local"). Cluster names
//   go there (the best-matching routing domain wins), but systemd-resolved.service(8) also sends
//   names that match no routing domain to the global server, beside the links' default-route
//   servers; cluster DNS forwards those to its upstreams, so they still resolve.
// Without systemd-resolved nothing is changed: /etc/resolv.conf cannot send one domain to another
// server, so we name what to use instead.
import { execFile } from 'node:child_process';
import { promises as dnsPromises } from 'node:dns';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { numberToIPv4, parseIpv4Cidr } from '../api/ipv4.js';

export interface HostDnsConfig {
  /** Cluster DNS's address, e.g. 127.96.0.10. */
  server: string;
  port: number;
  /** The cluster domain, e.g. cluster.local. */
  domain: string;
  /** The service range, for PTR lookups of cluster IPs. */
  serviceCidr: string;
}

/** The two forms of our file, by systemd version (see the top of this file). */
export type ResolvedFileKind = 'delegate' | 'global';

/** Where each form goes, relative to the root (/ on a real host). */
export const HOST_FILES: Readonly<Record<ResolvedFileKind, string>> = {
  delegate: 'etc/systemd/dns-delegate.d/tinykube.dns-delegate',
  global: 'etc/systemd/resolved.conf.d/tinykube.conf',
};

/** The first line of every file we write: a file without it is not ours. */
export const MARK = '# Written by tinykube (tinykube dns host-setup).';

/** systemd.dns-delegate(5): "Added in version 258". resolved.conf DNS= takes ADDR:PORT since 246. */
export const DELEGATE_SINCE = 258;
export const PORT_SINCE = 246;

/** Makes resolved read our file: a reload where the unit has one (it re-reads the configuration), else a restart. */
export const RELOAD = ['systemctl', 'reload-or-restart', 'systemd-resolved'] as const;

/**
 * The in-addr.arpa zones that cover an IPv4 CIDR exactly: one zone when the prefix ends on an octet
 * boundary (/8, /16, /24), else one per value of the octet the prefix only partly fixes
 * (127.96.0.0/12 -> 96.127 ... 111.127.in-addr.arpa, 16 zones; /20 -> 16 zones of the third
 * octet). Rounding down to one wider zone would send PTR questions for addresses outside the range
 * to cluster DNS too. A real prefix (1-32) gives at most 128 zones.
 */
export function reverseZones(cidr: string): string[] {
  const c = parseIpv4Cidr(cidr);
  if (!c) throw new Error(`"${cidr}" is not an IPv4 CIDR`);
  const named = Math.max(1, Math.ceil(c.prefix / 8)); // octets each zone names
  const step = 2 ** (32 - named * 8);
  const zones: string[] = [];
  for (let n = c.network; n < c.network + c.size; n += step) {
    zones.push(`${numberToIPv4(n).split('.').slice(0, named).reverse().join('.')}.in-addr.arpa`);
  }
  return zones;
}

/** DNS= as resolved.conf(5) writes a server: ADDR, or ADDR:PORT for a port other than 53. */
export function serverSpec(c: HostDnsConfig): string {
  return c.port === 53 ? c.server : `${c.server}:${c.port}`;
}

/** Routing-only ("~") domains: resolved sends these names to the server and never adds them to single-label lookups. */
export function routingDomains(c: HostDnsConfig): string[] {
  return [c.domain, ...reverseZones(c.serviceCidr)].map((d) => `~${d}`);
}

export function kindFor(systemdVersion: number | undefined): ResolvedFileKind {
  return systemdVersion !== undefined && systemdVersion >= DELEGATE_SINCE ? 'delegate' : 'global';
}

/** The text of our file in either form. */
export function hostFileText(kind: ResolvedFileKind, c: HostDnsConfig): string {
  const lines = [MARK, "# Sends the cluster domain and the service range's reverse zones to the cluster's DNS.", '# Remove with: tinykube dns host-reset'];
  if (kind === 'delegate') lines.push('[Delegate]', `DNS=${serverSpec(c)}`, `Domains=${routingDomains(c).join(' ')}`, 'DefaultRoute=no');
  else lines.push('[Resolve]', `DNS=${serverSpec(c)}`, `Domains=${routingDomains(c).join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/** "systemd 255 (255.4-1ubuntu8)", as `resolvectl --version` and `systemctl --version` begin. */
export function parseSystemdVersion(text: string): number | undefined {
  const m = /^systemd (\d+)\b/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

export type Runner = (cmd: string, args: readonly string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

export interface HostEnv {
  /** "/" on a real host; a temporary directory in tests. */
  root: string;
  /** Runs systemctl and resolvectl. */
  run: Runner;
  /** Whether this process may write under root/etc and reload services. */
  privileged: boolean;
  /** The host's own resolution (getaddrinfo, through /etc/nsswitch.conf): the addresses of a name. */
  lookup: (name: string) => Promise<string[]>;
  /** A question straight to cluster DNS, past systemd-resolved: the A records of a name. */
  askServer: (server: string, port: number, name: string) => Promise<string[]>;
  /** How this program was started, for the command to rerun with sudo ("/usr/bin/node /x/bin/tinykube.js"). */
  self: string;
}

export const realRunner: Runner = async (cmd, args) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(cmd, [...args], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return { code: typeof err.code === 'number' ? err.code : 127, stdout: err.stdout ?? '', stderr: err.stderr || err.message };
  }
};

export const realLookup = async (name: string): Promise<string[]> => (await dnsPromises.lookup(name, { all: true, family: 4 })).map((a) => a.address);

export const realAskServer = async (server: string, port: number, name: string): Promise<string[]> => {
  const r = new dnsPromises.Resolver({ timeout: 2000, tries: 1 });
  r.setServers([`${server}:${port}`]);
  return r.resolve4(name);
};

/** What we know of systemd-resolved here. */
export type ResolvedState = { running: false; why: string } | { running: true; version: number | undefined; resolvectl: boolean };

/**
 * Whether systemd-resolved runs: its runtime directory exists (it stays after a stop,
 * RuntimeDirectoryPreserve=yes, so that alone is not enough) and systemd calls the unit active.
 */
export async function detectResolved(env: Pick<HostEnv, 'root' | 'run'>): Promise<ResolvedState> {
  if (!existsSync(join(env.root, 'run/systemd/resolve'))) return { running: false, why: 'no /run/systemd/resolve' };
  const active = await env.run('systemctl', ['is-active', 'systemd-resolved']);
  if (active.code !== 0) return { running: false, why: `systemctl is-active systemd-resolved: ${active.stdout.trim() || active.stderr.trim() || `exit ${active.code}`}` };
  const rv = await env.run('resolvectl', ['--version']);
  const version = parseSystemdVersion(rv.stdout) ?? parseSystemdVersion((await env.run('systemctl', ['--version'])).stdout);
  return { running: true, version, resolvectl: rv.code === 0 };
}

export type Outcome = { ok: true; lines: string[] } | { ok: false; exitCode: number; lines: string[] };

/** Exit codes: 1 failed (the message says why), 3 no systemd-resolved, 4 needs root. */
export const EXIT = { failed: 1, noResolved: 3, needsRoot: 4 } as const;

const ok = (lines: string[]): Outcome => ({ ok: true, lines });
const fail = (exitCode: number, lines: string[]): Outcome => ({ ok: false, exitCode, lines });
const indent = (text: string): string[] => text.trimEnd().split('\n').map((l) => `  ${l}`);
const probeName = (c: HostDnsConfig): string => `kubernetes.default.svc.${c.domain}`;
const GLOBAL_NOTE = `note: before systemd ${DELEGATE_SINCE} cluster DNS is resolved's global server, which is also asked about names no routing domain matches; it forwards those to its upstreams`;

/** For a host without systemd-resolved: why nothing changes, and how to ask cluster DNS directly. */
export function withoutResolved(c: HostDnsConfig, why: string): string[] {
  return [`systemd-resolved is not running on this host (${why}): nothing routes the cluster domain, and /etc/resolv.conf (one set of servers for every name) is left alone.`, ...askDirectly(c)];
}

function askDirectly(c: HostDnsConfig): string[] {
  const name = probeName(c);
  return [
    'Ask cluster DNS directly instead:',
    `  dig @${c.server}${c.port === 53 ? '' : ` -p ${c.port}`} ${name}`,
    `  nslookup${c.port === 53 ? '' : ` -port=${c.port}`} ${name} ${c.server}`,
    '(a cluster started with up --dns-port P answers on port P: dig -p P, nslookup -port=P)',
  ];
}

/** Writes our file for this systemd, reloads resolved and checks a name; nothing is touched with dryRun. */
export async function setupHost(c: HostDnsConfig, env: HostEnv, dryRun: boolean): Promise<Outcome> {
  const resolved = await detectResolved(env);
  if (!resolved.running) {
    if (!dryRun) return fail(EXIT.noResolved, withoutResolved(c, resolved.why));
    return ok([
      `systemd-resolved is not running on this host (${resolved.why}): without --dry-run, host-setup stops here and changes nothing.`,
      `Where it runs, with systemd ${DELEGATE_SINCE} or later, host-setup would write ${join(env.root, HOST_FILES.delegate)}:`,
      ...indent(hostFileText('delegate', c)),
      `with older systemd, ${join(env.root, HOST_FILES.global)}:`,
      ...indent(hostFileText('global', c)),
      `would run: ${RELOAD.join(' ')}`,
      `would check: resolvectl query ${probeName(c)}, and getaddrinfo() of that name`,
      ...askDirectly(c),
    ]);
  }
  const { version } = resolved;
  if (c.port !== 53 && version !== undefined && version < PORT_SINCE) {
    return fail(EXIT.failed, [`systemd ${version} takes no port in DNS= (${PORT_SINCE} or later does); run cluster DNS on port 53 (up --dns-port 53) or give --server ADDR:53`]);
  }
  const kind = kindFor(version);
  const path = join(env.root, HOST_FILES[kind]);
  const other = join(env.root, HOST_FILES[kind === 'delegate' ? 'global' : 'delegate']);
  const foreign = notOurs(path);
  if (foreign) return fail(EXIT.failed, [foreign]);
  const text = hostFileText(kind, c);
  const stale = existsSync(other) && !notOurs(other); // ours, from before a systemd upgrade (or downgrade)
  const current = !stale && existsSync(path) && readFileSync(path, 'utf8') === text;
  const form = kind === 'delegate' ? 'a DNS delegate' : 'a resolved.conf drop-in';
  const forVersion = `systemd ${version ?? '(version unknown)'}`;
  if (dryRun) {
    if (current) return ok([`${path} is up to date (${form}, ${forVersion}): nothing to write`, `would check: resolvectl query ${probeName(c)}, and getaddrinfo() of that name`]);
    return ok([
      `would write ${path} (${form}, ${forVersion}):`,
      ...indent(text),
      ...(stale ? [`would remove ${other} (our file in the other form)`] : []),
      `would run: ${RELOAD.join(' ')}`,
      `would check: resolvectl query ${probeName(c)}, and getaddrinfo() of that name`,
      ...(kind === 'global' ? [GLOBAL_NOTE] : []),
    ]);
  }
  const lines: string[] = [];
  if (current) lines.push(`${path} is already up to date`);
  else {
    if (!env.privileged) return fail(EXIT.needsRoot, [`writing ${path} and reloading systemd-resolved need root; run: sudo ${env.self} dns host-setup ${argsOf(c)}`]);
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(`${path}.tmp`, text, { mode: 0o644 });
      renameSync(`${path}.tmp`, path);
      if (stale) rmSync(other);
    } catch (e) {
      return fail(EXIT.failed, [`cannot write ${path}: ${e instanceof Error ? e.message : String(e)}`]);
    }
    lines.push(`wrote ${path} (${form}, ${forVersion})`, ...(stale ? [`removed ${other}`] : []));
    const reload = await env.run(RELOAD[0], RELOAD.slice(1));
    if (reload.code !== 0) return fail(EXIT.failed, [...lines, `${RELOAD.join(' ')} failed: ${reload.stderr.trim() || `exit ${reload.code}`}`]);
    lines.push('reloaded systemd-resolved');
  }
  if (kind === 'global') lines.push(GLOBAL_NOTE);
  const check = await verify(c, env, resolved.resolvectl);
  return check.ok ? ok([...lines, ...check.lines]) : fail(EXIT.failed, [...lines, ...check.lines]);
}

/**
 * Cluster DNS itself first (when it does not answer, the cluster is down and there is nothing to
 * check yet), then systemd-resolved, then getaddrinfo as every program on the host asks.
 */
async function verify(c: HostDnsConfig, env: HostEnv, resolvectl: boolean): Promise<{ ok: boolean; lines: string[] }> {
  const name = probeName(c);
  const direct = await attempt(() => env.askServer(c.server, c.port, name));
  if ('error' in direct) return { ok: true, lines: [`cluster DNS at ${serverSpec(c)} does not answer ${name} (${direct.error}): is the cluster running? The routing is in place for when it does.`] };
  if (resolvectl) {
    const q = await env.run('resolvectl', ['query', name]);
    if (q.code !== 0) return { ok: false, lines: [`cluster DNS answers ${name} (${direct.value.join(', ')}) but systemd-resolved does not: ${(q.stderr || q.stdout).trim()}; see resolvectl status`] };
  }
  const viaHost = await attempt(() => env.lookup(name));
  if ('error' in viaHost) return { ok: false, lines: [`systemd-resolved answers ${name}, but getaddrinfo() does not (${viaHost.error}): ${bypassReason(env.root) ?? "this host's programs do not ask systemd-resolved"}`] };
  return { ok: true, lines: [`${name} resolves on this host: ${viaHost.value.join(', ')}`] };
}

/**
 * Why programs here would not ask resolved (nss-resolve(8) in /etc/nsswitch.conf, or the stub
 * 127.0.0.53 in /etc/resolv.conf); undefined when one of the two is there.
 */
export function bypassReason(root: string): string | undefined {
  const read = (p: string): string => {
    try {
      return readFileSync(join(root, p), 'utf8');
    } catch {
      return '';
    }
  };
  const hosts = /^\s*hosts:(.*)$/m.exec(read('etc/nsswitch.conf'))?.[1]?.trim() ?? '';
  const servers = [...read('etc/resolv.conf').matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]!);
  if (/\bresolve\b/.test(hosts) || servers.includes('127.0.0.53')) return undefined;
  return `/etc/nsswitch.conf's hosts line (${hosts || 'none'}) has no "resolve" and /etc/resolv.conf names ${servers.join(', ') || 'no server'}, not systemd-resolved's 127.0.0.53`;
}

/** Removes our files (only ours, in either form) and reloads resolved. */
export async function resetHost(env: HostEnv, dryRun: boolean): Promise<Outcome> {
  const present = Object.values(HOST_FILES).map((rel) => join(env.root, rel)).filter((p) => existsSync(p));
  const foreign = present.map(notOurs).filter((m): m is string => m !== undefined);
  const ours = present.filter((p) => !notOurs(p));
  if (ours.length === 0) return foreign.length > 0 ? fail(EXIT.failed, foreign) : ok(['no file of tinykube under /etc/systemd: nothing to undo']);
  const resolved = await detectResolved(env);
  if (dryRun) return ok([...foreign, ...ours.map((p) => `would remove ${p}`), ...(resolved.running ? [`would run: ${RELOAD.join(' ')}`] : [])]);
  if (!env.privileged) return fail(EXIT.needsRoot, [`removing ${ours.join(' and ')} needs root; run: sudo ${env.self} dns host-reset`]);
  const lines = [...foreign];
  try {
    for (const p of ours) rmSync(p);
  } catch (e) {
    return fail(EXIT.failed, [...lines, `cannot remove: ${e instanceof Error ? e.message : String(e)}`]);
  }
  lines.push(...ours.map((p) => `removed ${p}`));
  if (resolved.running) {
    const reload = await env.run(RELOAD[0], RELOAD.slice(1));
    if (reload.code !== 0) return fail(EXIT.failed, [...lines, `${RELOAD.join(' ')} failed: ${reload.stderr.trim() || `exit ${reload.code}`}`]);
    lines.push('reloaded systemd-resolved');
  }
  return ok(lines);
}

/** A message when a file exists at our path that we did not write. */
function notOurs(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const first = readFileSync(path, 'utf8').split('\n', 1)[0];
  return first === MARK ? undefined : `${path} exists and was not written by tinykube; leaving it alone (move it away to let tinykube manage it)`;
}

async function attempt<T>(f: () => Promise<T>): Promise<{ value: T } | { error: string }> {
  try {
    return { value: await f() };
  } catch (e) {
    return { error: e instanceof Error ? ((e as NodeJS.ErrnoException).code ?? e.message) : String(e) };
  }
}

function argsOf(c: HostDnsConfig): string {
  return `--server ${c.server}:${c.port} --cluster-domain ${c.domain} --service-cidr ${c.serviceCidr}`;
}
