// For the streaming end-to-end tests: the real API server in-process, whose pod streams are served
// by this folder's accept functions over a tiny real backend (exec runs the command on the host,
// with node-pty for a tty; port-forward dials 127.0.0.1), plus the real kubectl of each version.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable, type Duplex } from 'node:stream';
import { resourceFor, startApiServer, type PodStreamKind, type PodStreams, type RunningApiServer } from '../../../apiserver/index.js';
import type { KubeObject } from '../../../api/types.js';
import { kubectlBinary, run, type RunResult } from '../../../../test/e2e/harness.js';
import { acceptPortForward, acceptRemoteCommand, type RemoteCommandSession } from '../index.js';

export const POD = 'web';
export const CONTAINER = 'main';

/** What each upgrade asked for and what was negotiated, for asserting the protocol a kubectl used. */
export interface UpgradeRecord {
  kind: PodStreamKind;
  /** 'websocket' or 'spdy/3.1'. */
  upgrade: string;
  /** Sec-WebSocket-Protocol or X-Stream-Protocol-Version, as offered. */
  offered: string;
  /** The remote command protocol of the session (exec/attach). */
  negotiated?: string;
  /** Terminal sizes the session received. */
  resizes: { width: number; height: number }[];
}

interface QueryLike {
  all(name: string): string[];
  bool(name: string): boolean | undefined;
}

/** Exec on the host: the command with pipes, or on a pseudo-terminal for a tty. */
async function runCommand(session: RemoteCommandSession, argv: string[], tty: boolean, record: UpgradeRecord): Promise<void> {
  session.onResize((s) => record.resizes.push(s));
  if (tty) {
    // The terminal starts at the client's size: kubectl sends it as soon as the streams are open.
    const size = await new Promise<{ width: number; height: number }>((resolve) => {
      const fallback = setTimeout(() => resolve({ width: 80, height: 24 }), 10_000);
      session.onResize((s) => {
        clearTimeout(fallback);
        resolve(s);
      });
    });
    const pty = await import('node-pty');
    const term = pty.spawn(argv[0]!, argv.slice(1), { name: 'xterm', cols: size.width || 80, rows: size.height || 24, cwd: tmpdir(), env: { ...process.env, TERM: 'xterm' } as Record<string, string> });
    session.onResize((s) => {
      if (s.width > 0 && s.height > 0) term.resize(s.width, s.height);
    });
    term.onData((d) => session.stdout?.write(d));
    session.stdin?.on('data', (d: Buffer) => term.write(d.toString('utf8')));
    term.onExit(({ exitCode }) => session.finish({ exitCode }));
    void session.closed.then(() => term.kill('SIGKILL'));
    return;
  }
  const child = spawn(argv[0]!, argv.slice(1), { stdio: [session.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(session.stdout ?? nowhere(), { end: false });
  child.stderr!.pipe(session.stderr ?? nowhere(), { end: false });
  if (session.stdin && child.stdin) {
    child.stdin.on('error', () => undefined);
    session.stdin.pipe(child.stdin);
  }
  child.once('error', (e) => session.finish({ error: `Internal error occurred: error executing command in container: ${e.message}` }));
  child.once('close', (code, signal) => session.finish({ exitCode: code ?? (signal ? 137 : 1) }));
  void session.closed.then(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
}

function nowhere(): Writable {
  return new Writable({ write: (_c, _e, cb) => cb() });
}

class HostPodStreams implements PodStreams {
  readonly records: UpgradeRecord[] = [];

  handle(_kind: PodStreamKind, _pod: KubeObject, _req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(400, { 'Content-Type': 'text/plain' }).end('Upgrade request required');
  }

  async upgrade(kind: PodStreamKind, _pod: KubeObject, req: IncomingMessage, socket: Duplex, head: Buffer, query: QueryLike): Promise<void> {
    const websocket = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
    const record: UpgradeRecord = {
      kind,
      upgrade: (req.headers.upgrade ?? '').toLowerCase(),
      offered: String((websocket ? req.headers['sec-websocket-protocol'] : req.headers['x-stream-protocol-version']) ?? ''),
      resizes: [],
    };
    this.records.push(record);
    if (kind === 'portforward') {
      await acceptPortForward(req, socket, head, (s) => {
        // "Pod" ports map to 127.0.0.1 ports of the same number.
        const backend = connect({ host: '127.0.0.1', port: s.port });
        let connected = false;
        backend.once('connect', () => {
          connected = true;
          s.data.pipe(backend);
          backend.pipe(s.data);
        });
        backend.on('error', (e: NodeJS.ErrnoException) => {
          if (!connected) s.error(`failed to connect to localhost:${s.port} inside namespace "test", IPv4: dial tcp4 127.0.0.1:${s.port}: ${e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.message}`);
          else s.data.destroy();
        });
        s.data.on('close', () => backend.destroy());
      });
      return;
    }
    const tty = query.bool('tty') === true;
    const opts = { stdin: query.bool('stdin') === true, stdout: query.bool('stdout') === true, stderr: query.bool('stderr') === true, tty };
    const session = await acceptRemoteCommand(req, socket, head, opts);
    if (!session) return;
    record.negotiated = session.protocol;
    const argv = query.all('command');
    if (kind === 'attach' || argv.length === 0) {
      session.finish({ error: 'attach is not served by this test backend' });
      return;
    }
    await runCommand(session, argv, tty, record);
  }
}

export interface StreamsCluster {
  api: RunningApiServer;
  records: UpgradeRecord[];
  kubeconfig: string;
  /** Runs one kubectl version to completion. */
  kubectl(version: string, args: string[], opts?: { input?: string; timeoutMs?: number; env?: Record<string, string> }): Promise<RunResult>;
  /** Starts a long-running kubectl (port-forward); stop() kills what is left by PID. */
  spawnKubectl(version: string, args: string[], env?: Record<string, string>): ChildProcess;
  /** The environment of one kubectl: a HOME of its own (kubectl caches discovery there). */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startStreamsCluster(): Promise<StreamsCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'tinykube-streams-'));
  const podStreams = new HostPodStreams();
  const api = await startApiServer({ dataDir: join(dir, 'data'), host: '127.0.0.1', port: 0, durable: false, podStreams });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: test',
      '  cluster:',
      `    server: ${api.url}`,
      `    certificate-authority-data: ${Buffer.from(api.caPem).toString('base64')}`,
      'users:',
      '- name: test',
      '  user:',
      `    token: ${api.token}`,
      'contexts:',
      '- name: test',
      '  context: {cluster: test, user: test, namespace: default}',
      'current-context: test',
      '',
    ].join('\n'),
  );
  const pods = resourceFor('', 'v1', 'pods')!;
  await api.registry.create(pods, 'default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: POD, namespace: 'default' },
    spec: { nodeName: 'node-1', containers: [{ name: CONTAINER, image: 'toolbox' }] },
  } as KubeObject);
  await api.registry.update(
    pods,
    'default',
    POD,
    (cur) => ({
      ...cur,
      status: {
        phase: 'Running',
        podIP: '127.0.0.1',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: CONTAINER, image: 'toolbox', imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: new Date().toISOString() } } }],
      },
    }),
    { subresource: 'status' },
  );

  const children = new Set<ChildProcess>();
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...process.env, HOME: mkdtempSync(join(dir, 'home-')), KUBECONFIG: '', ...extra });
  return {
    api,
    records: podStreams.records,
    kubeconfig,
    env,
    kubectl(version, args, opts = {}) {
      return run(kubectlBinary(version), ['--kubeconfig', kubeconfig, ...args], { env: env(opts.env), input: opts.input, timeoutMs: opts.timeoutMs ?? 60_000 });
    },
    spawnKubectl(version, args, extra) {
      const child = spawn(kubectlBinary(version), ['--kubeconfig', kubeconfig, ...args], { env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    async stop() {
      for (const child of children) {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGKILL');
          await exited;
        }
      }
      try {
        await api.close();
      } finally {
        // A kubectl that just exited may still be flushing its discovery cache under dir.
        rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      }
    },
  };
}
