// Resolving cluster names from the host: a systemd-resolved drop-in that routes the cluster
// domain (and the service range's reverse zones) to cluster DNS and nothing else. Routing-only
// domains ("~cluster.local") keep resolved from sending any other name to that server, so the
// host's own resolution is untouched. Without systemd-resolved there is no per-domain routing in
// /etc/resolv.conf, so we say what to use instead rather than touch it.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { numberToIPv4, parseIpv4Cidr } from '../api/ipv4.js';

/** Where the drop-in goes, under the root (/ on a real host). */
export const DROP_IN = 'etc/systemd/resolved.conf.d/tinykube.conf';
/** The first line of every drop-in we write: a file without it is not ours. */
export const MARK = '# Written by tinykube (tinykube dns host-setup).';

export interface HostDnsConfig {
  /** Cluster DNS's address, e.g. 127.96.0.10. */
  server: string;
  port: number;
  /** The cluster domain, e.g. cluster.local. */
  domain: string;
  /** The service range, for PTR lookups of cluster IPs. */
  serviceCidr: string;
}

/**
 * The in-addr.arpa zones that cover an IPv4 CIDR: one zone when the prefix ends on an octet
 * boundary (/8, /16, /24), else one per value of the octet the prefix only partly fixes
 * (127.96.0.0/12 -> 96.127 ... 111.127.in-addr.arpa: 16 zones; never more than 256).
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

/** The drop-in's text. resolved.conf takes ADDR:PORT for a port other than 53 (systemd 246 and later). */
export function dropInText(c: HostDnsConfig): string {
  const server = c.port === 53 ? c.server : `${c.server}:${c.port}`;
  const domains = [c.domain, ...reverseZones(c.serviceCidr)].map((d) => `~${d}`);
  return [
    MARK,
    '# Routes the cluster domain and the service range\'s reverse zones to the cluster\'s DNS, and',
    '# nothing else (routing-only domains). Remove with: tinykube dns host-reset',
    '[Resolve]',
    `DNS=${server}`,
    `Domains=${domains.join(' ')}`,
    '',
  ].join('\n');
}

export type Runner = (cmd: string, args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

export interface HostEnv {
  /** "/" on a real host; a temporary directory in tests. */
  root: string;
  /** Runs systemctl / resolvectl. */
  run: Runner;
  /** Whether this process may write under root/etc and restart services. */
  privileged: boolean;
}

export const realRunner: Runner = async (cmd, args) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(cmd, args, { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return { code: typeof err.code === 'number' ? err.code : 127, stdout: err.stdout ?? '', stderr: err.stderr || err.message };
  }
};

/** systemd-resolved runs here: its runtime directory exists (it creates it at start). */
export function hasResolved(root: string): boolean {
  return existsSync(join(root, 'run/systemd/resolve'));
}

export type Outcome = { ok: true; lines: string[] } | { ok: false; exitCode: number; lines: string[] };

/** The explanation for a host without systemd-resolved: what to use instead. */
export function withoutResolved(c: HostDnsConfig): string[] {
  const at = c.port === 53 ? c.server : `${c.server} -p ${c.port}`;
  return [
    'systemd-resolved is not running on this host (no /run/systemd/resolve), so there is no per-domain',
    'routing to set up, and /etc/resolv.conf is left alone. Ask cluster DNS directly instead:',
    `  dig @${at} kubernetes.default.svc.${c.domain}`,
    ...(c.port === 53 ? [`  nslookup kubernetes.default.svc.${c.domain} ${c.server}`] : []),
    'or run commands inside a pod (kubectl exec), whose resolv.conf names cluster DNS.',
  ];
}

/** Writes the drop-in and restarts resolved; nothing is touched with dryRun. */
export async function setupHost(c: HostDnsConfig, env: HostEnv, dryRun: boolean): Promise<Outcome> {
  const path = join(env.root, DROP_IN);
  const text = dropInText(c);
  if (dryRun) {
    const note = hasResolved(env.root) ? [] : ['(systemd-resolved is not running on this host: without --dry-run, host-setup would stop here and change nothing)'];
    return { ok: true, lines: [...note, `would write ${path}:`, ...text.trimEnd().split('\n').map((l) => `  ${l}`), 'would run: systemctl restart systemd-resolved', `would check: resolvectl query kubernetes.default.svc.${c.domain}`] };
  }
  if (!hasResolved(env.root)) return { ok: false, exitCode: 3, lines: withoutResolved(c) };
  const foreign = foreignFile(path);
  if (foreign) return { ok: false, exitCode: 1, lines: [foreign] };
  if (!env.privileged) return { ok: false, exitCode: 4, lines: [`writing ${path} and restarting systemd-resolved need root: sudo tinykube dns host-setup ${argsOf(c)}`] };
  const lines: string[] = [];
  if (existsSync(path) && readFileSync(path, 'utf8') === text) lines.push(`${path} is already up to date`);
  else {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
    lines.push(`wrote ${path}`);
  }
  const restart = await env.run('systemctl', ['restart', 'systemd-resolved']);
  if (restart.code !== 0) return { ok: false, exitCode: 1, lines: [...lines, `systemctl restart systemd-resolved failed: ${restart.stderr.trim()}`] };
  lines.push('restarted systemd-resolved');
  const q = await env.run('resolvectl', ['query', `kubernetes.default.svc.${c.domain}`]);
  if (q.code !== 0) lines.push(`resolvectl query kubernetes.default.svc.${c.domain} did not answer yet (${q.stderr.trim() || q.stdout.trim()}); is the cluster running?`);
  else lines.push(q.stdout.trim().split('\n')[0] ?? '');
  return { ok: true, lines };
}

/** Removes our drop-in (only ours) and restarts resolved. */
export async function resetHost(env: HostEnv, dryRun: boolean): Promise<Outcome> {
  const path = join(env.root, DROP_IN);
  if (!existsSync(path)) return { ok: true, lines: [`${path} does not exist: nothing to undo`] };
  const foreign = foreignFile(path);
  if (foreign) return { ok: false, exitCode: 1, lines: [foreign] };
  if (dryRun) return { ok: true, lines: [`would remove ${path}`, 'would run: systemctl restart systemd-resolved'] };
  if (!env.privileged) return { ok: false, exitCode: 4, lines: [`removing ${path} and restarting systemd-resolved need root: sudo tinykube dns host-reset`] };
  rmSync(path);
  const lines = [`removed ${path}`];
  if (hasResolved(env.root)) {
    const restart = await env.run('systemctl', ['restart', 'systemd-resolved']);
    if (restart.code !== 0) return { ok: false, exitCode: 1, lines: [...lines, `systemctl restart systemd-resolved failed: ${restart.stderr.trim()}`] };
    lines.push('restarted systemd-resolved');
  }
  return { ok: true, lines };
}

function foreignFile(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const first = readFileSync(path, 'utf8').split('\n', 1)[0];
  return first === MARK ? undefined : `${path} exists and was not written by tinykube; leaving it alone (move it away to let tinykube manage it)`;
}

function argsOf(c: HostDnsConfig): string {
  return `--server ${c.server}:${c.port} --cluster-domain ${c.domain} --service-cidr ${c.serviceCidr}`;
}
