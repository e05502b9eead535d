// Starts isolated clusters for end-to-end tests: each gets its own data dir, HOME (kubectl caches
// discovery there), API port and address ranges, and is always torn down by PID.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'tinykube.js');

/** Where the versioned kubectl binaries live (kubectl.1.27 ... kubectl.1.33 beside the dispatcher). */
export function kubectlDir(): string {
  const which = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' });
  if (which.status !== 0) throw new Error('kubectl is not installed (see scripts/test-prereqs.mjs)');
  return dirname(realpathSync(which.stdout.trim()));
}

export const KUBECTL_VERSIONS = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'];

export function kubectlBinary(version?: string): string {
  return version ? join(kubectlDir(), `kubectl.${version}`) : join(kubectlDir(), 'kubectl');
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface HttpResult {
  status: number;
  headers: import('node:http').IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

let clusterCount = 0;

export interface ClusterOptions {
  extraArgs?: string[];
  /** Nodes (kubelets) to run; default 0, so API and controller tests see no pod processes. */
  nodes?: number;
  /** Run cluster DNS (default off: most tests need no DNS, and a DNS test names its own upstream). */
  dns?: boolean;
  /** Run the ingress controller (default off: it would take ports 80 and 443 of the node address; an ingress test names its own). */
  ingress?: boolean;
  /** Reuse a data dir (to test restarts); otherwise a fresh temporary one. */
  dataDir?: string;
  home?: string;
  port?: number;
}

export class TestCluster {
  private child?: ChildProcess;
  output = '';
  url = '';

  private constructor(
    readonly dir: string,
    readonly dataDir: string,
    readonly home: string,
    readonly port: number,
    private readonly extraArgs: string[],
  ) {}

  get kubeconfig(): string {
    return join(this.dataDir, 'kubeconfig');
  }

  static async start(opts: ClusterOptions = {}): Promise<TestCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'tinykube-e2e-'));
    const n = (process.pid + clusterCount++) % 200;
    const home = opts.home ?? join(dir, 'home');
    mkdirSync(home, { recursive: true });
    const port = opts.port ?? (await freePort());
    // Address ranges of our own, so that clusters side by side never share an address.
    // A /22 of pod addresses holds four nodes' /24s; kubelets take free ports on the node address.
    const ranges = ['--service-cidr', `127.${100 + (n % 20)}.${n}.0/24`, '--pod-cidr', `127.${120 + (n % 20)}.${(n * 4) % 256}.0/22`, '--lb-pool', `127.${140 + (n % 20)}.${n}.0/24`];
    const nodes = ['--nodes', String(opts.nodes ?? 0), '--kubelet-port', '0', '--proxy-metrics-port', '0', ...(opts.dns ? [] : ['--no-dns']), ...(opts.ingress ? [] : ['--no-ingress'])];
    const c = new TestCluster(dir, opts.dataDir ?? join(dir, 'data'), home, port, [...ranges, ...nodes, ...(opts.extraArgs ?? [])]);
    await c.up();
    return c;
  }

  /** Starts (or restarts) the cluster process on this data dir and waits for "ready". */
  async up(): Promise<void> {
    const child = spawn(process.execPath, [BIN, 'up', '--data-dir', this.dataDir, '--api-port', String(this.port), '--no-kubeconfig-merge', ...this.extraArgs], {
      env: { ...process.env, HOME: this.home, KUBECONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`cluster did not become ready in 30 s:\n${this.output}`)), 30_000);
      const onData = (b: Buffer): void => {
        this.output += b.toString();
        const m = /^ready in [^:]+: (\S+)$/m.exec(this.output);
        if (m) {
          this.url = m[1]!;
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (b: Buffer) => (this.output += b.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`cluster exited with ${code} before ready:\n${this.output}`));
      });
    });
  }

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  /** Stops the process (SIGTERM, or SIGKILL to simulate a crash) and waits for it to exit. */
  async down(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await exited;
  }

  async stop(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Runs kubectl (the dispatcher, or one version) against this cluster with its own HOME. */
  kubectl(args: string[], opts: { version?: string; input?: string; env?: Record<string, string>; home?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    return run(kubectlBinary(opts.version), ['--kubeconfig', this.kubeconfig, ...args], {
      env: { ...process.env, HOME: opts.home ?? this.home, KUBECONFIG: '', ...(opts.env ?? {}) },
      input: opts.input,
      timeoutMs: opts.timeoutMs,
    });
  }

  /** kubectl that must succeed; returns stdout. */
  async k(args: string[], opts: { version?: string; input?: string; env?: Record<string, string>; home?: string } = {}): Promise<string> {
    const r = await this.kubectl(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  get token(): string {
    return readFileSync(join(this.dataDir, 'pki', 'admin.token'), 'utf8').trim();
  }

  get caPem(): string {
    return readFileSync(join(this.dataDir, 'pki', 'ca.crt'), 'utf8');
  }

  /** A raw HTTPS request to the API server (token auth unless `token` is given; null sends none). */
  request(method: string, path: string, opts: { body?: string | Buffer; headers?: Record<string, string>; token?: string | null } = {}): Promise<HttpResult> {
    const token = opts.token === undefined ? this.token : opts.token;
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (token !== null) headers['Authorization'] = `Bearer ${token}`;
    if (opts.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(opts.body));
    return new Promise((resolve, reject) => {
      const req = httpsRequest(`${this.url}${path}`, { method, headers, ca: this.caPem }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
      });
      req.on('error', reject);
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
  }

  writeFile(name: string, text: string): string {
    const p = join(this.dir, name);
    writeFileSync(p, text);
    return p;
  }
}

/**
 * Whether a process still runs. A zombie (ended, not yet reaped: the detached cluster's parent is
 * init, which may reap late) has stopped running.
 */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    return false;
  }
}

export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Polls `check` until it yields a value (not undefined or false) and returns it; throws naming `what` after the deadline. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
