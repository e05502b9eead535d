// The tinykube CLI as a user runs it: `up --detach`, `status`, `down`, a restart that keeps every
// object, refusals with a clear message (a second `up`, bad flags, a busy port), the merge into
// the user's kubeconfig and a clean stop of a foreground `up` on Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ROOT, freePort, kubectlBinary, processRuns, run, type RunResult } from './harness.js';

const BIN = join(ROOT, 'bin', 'tinykube.js');

interface RunFile {
  pid: number;
  url: string;
}

/** Address ranges of this file's own (the harness picks others), so clusters side by side never share one. */
function ranges(i: number): string[] {
  const n = (process.pid + 97 + i * 7) % 200;
  // Address ranges of its own, and a free kubelet port (clusters side by side never share 10250).
  return ['--service-cidr', `127.${100 + (n % 20)}.${n}.0/24`, '--pod-cidr', `127.${120 + (n % 20)}.${n}.0/24`, '--lb-pool', `127.${140 + (n % 20)}.${n}.0/24`, '--kubelet-port', '0', '--proxy-metrics-port', '0', '--no-ingress'];
}

function alive(pid: number): boolean {
  return processRuns(pid);
}

async function waitGone(pid: number, ms = 15_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
}

describe('tinykube CLI', () => {
  let dir: string;
  let home: string;
  /** Clusters this file started in the background, to be sure they are gone at the end. */
  const started = new Set<number>();
  const foreground = new Set<ChildProcess>();

  function tk(args: string[], opts: { home?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    return run(process.execPath, [BIN, ...args], { env: { ...process.env, HOME: opts.home ?? home, KUBECONFIG: '' }, timeoutMs: opts.timeoutMs ?? 60_000 });
  }

  function kubectl(dataDir: string, args: string[], input?: string): Promise<RunResult> {
    return run(kubectlBinary(), ['--kubeconfig', join(dataDir, 'kubeconfig'), ...args], { env: { ...process.env, HOME: home, KUBECONFIG: '' }, input });
  }

  async function k(dataDir: string, args: string[], input?: string): Promise<string> {
    const r = await kubectl(dataDir, args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  function runFile(dataDir: string): RunFile {
    return JSON.parse(readFileSync(join(dataDir, 'tinykube.pid'), 'utf8')) as RunFile;
  }

  async function upDetached(dataDir: string, i: number, extra: string[] = []): Promise<{ r: RunResult; pid: number }> {
    const r = await tk(['up', '--detach', '--data-dir', dataDir, '--api-port', '0', '--no-kubeconfig-merge', ...ranges(i), ...extra]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const pid = runFile(dataDir).pid;
    started.add(pid);
    return { r, pid };
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tinykube-cli-'));
    home = join(dir, 'home');
    mkdirSync(home, { recursive: true });
  });

  afterAll(async () => {
    for (const child of foreground) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
      }
    }
    for (const pid of started) {
      if (!alive(pid)) continue;
      process.kill(pid, 'SIGTERM');
      if (!(await waitGone(pid, 10_000))) process.kill(pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  describe('a detached cluster', () => {
    let data: string;
    let pid: number;

    beforeAll(() => {
      data = join(dir, 'detached');
    });

    it('status on a data dir that never ran says not running (exit 3)', async () => {
      const r = await tk(['status', '--data-dir', data]);
      expect(r.code).toBe(3);
      expect(r.stdout).toContain('not running');
    });

    it('up --detach returns once ready and prints export KUBECONFIG=...', async () => {
      const up = await upDetached(data, 0);
      pid = up.pid;
      const kubeconfig = join(data, 'kubeconfig');
      expect(up.r.stdout).toMatch(new RegExp(`^export KUBECONFIG=${kubeconfig.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
      expect(up.r.stdout).toContain(`pid ${pid}`);
      expect(alive(pid)).toBe(true);
      expect(pid).not.toBe(process.pid);
      // Ready means ready: the first request after `up` returns succeeds, no retries.
      expect(await k(data, ['get', 'namespaces', '-o', 'name'])).toContain('namespace/default');
      expect(readFileSync(join(data, 'tinykube.log'), 'utf8')).toMatch(/ready in/);
    });

    it('status reports running and ready (exit 0)', async () => {
      const r = await tk(['status', '--data-dir', data]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`running \\(pid ${pid}\\).*: ready$`, 'm'));
      expect(r.stdout).toContain(runFile(data).url);
    });

    it('a second up on the same data dir is refused with a clear message', async () => {
      for (const extra of [[], ['--detach']]) {
        const r = await tk(['up', '--data-dir', data, '--api-port', '0', '--no-kubeconfig-merge', ...ranges(9), ...extra]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`a cluster is already running on ${data} (pid ${pid}`);
        expect(r.stderr).toContain('tinykube down');
      }
      // The running cluster was left alone.
      expect(runFile(data).pid).toBe(pid);
      expect((await tk(['status', '--data-dir', data])).code).toBe(0);
    });

    let before: Map<string, { version: string; data: unknown }>;
    // ConfigMaps by resourceVersion; Deployments by uid and generation, since the deployment
    // controller writes their status whenever it likes.
    const identity = (o: { kind: string; metadata: { resourceVersion: string; uid?: string; generation?: number }; data?: unknown; spec?: unknown }): { version: string; data: unknown } =>
      o.kind === 'Deployment' ? { version: `${o.metadata.uid}@g${o.metadata.generation}`, data: o.spec } : { version: o.metadata.resourceVersion, data: o.data };
    let maxRvBefore = 0;

    it('objects are written before down', async () => {
      await k(data, ['create', 'namespace', 'keep']);
      for (let i = 0; i < 5; i++) await k(data, ['create', 'configmap', `cm-${i}`, '-n', 'keep', `--from-literal=i=${i}`, `--from-literal=word=w${i * i}`]);
      await k(data, ['create', 'deployment', 'web', '-n', 'keep', '--image=nginx:1.27', '--replicas=2']);
      // An update (PUT) too, not only creates.
      const cm0 = JSON.parse(await k(data, ['get', 'configmap', 'cm-0', '-n', 'keep', '-o', 'json'])) as { metadata: { labels?: Record<string, string> } };
      cm0.metadata.labels = { touched: 'yes' };
      await k(data, ['replace', '--validate=false', '-f', '-'], JSON.stringify(cm0));
      const list = JSON.parse(await k(data, ['get', 'configmaps,deployments', '-n', 'keep', '-o', 'json'])) as { items: { kind: string; metadata: { name: string; resourceVersion: string; labels?: object }; data?: unknown; spec?: unknown }[] };
      before = new Map(list.items.map((o) => [`${o.kind}/${o.metadata.name}`, identity(o)]));
      expect([...before.keys()].filter((x) => x.startsWith('ConfigMap/cm-')).length).toBe(5);
      expect(before.has('Deployment/web')).toBe(true);
      maxRvBefore = Math.max(...list.items.map((o) => Number(o.metadata.resourceVersion)));
    });

    it('down stops the process and removes its pid file', async () => {
      const r = await tk(['down', '--data-dir', data]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`stopped the cluster on ${data} (pid ${pid})`);
      expect(alive(pid)).toBe(false);
      expect(existsSync(join(data, 'tinykube.pid'))).toBe(false);
    });

    it('status after down says not running (exit 3); down again is harmless', async () => {
      const s = await tk(['status', '--data-dir', data]);
      expect(s.code).toBe(3);
      expect(s.stdout).toContain('not running');
      const d = await tk(['down', '--data-dir', data]);
      expect(d.code).toBe(0);
      expect(d.stdout).toContain('no cluster is running');
    });

    it('the next up finds every object, and resourceVersions continue upward', async () => {
      const again = await upDetached(data, 0);
      expect(again.pid).not.toBe(pid);
      const list = JSON.parse(await k(data, ['get', 'configmaps,deployments', '-n', 'keep', '-o', 'json'])) as { items: { kind: string; metadata: { name: string; resourceVersion: string }; data?: unknown; spec?: unknown }[] };
      const after = new Map(list.items.map((o) => [`${o.kind}/${o.metadata.name}`, identity(o)]));
      expect(after).toEqual(before);
      const labels = JSON.parse(await k(data, ['get', 'configmap', 'cm-0', '-n', 'keep', '-o', 'jsonpath={.metadata.labels}'])) as Record<string, string>;
      expect(labels).toEqual({ touched: 'yes' });
      const created = JSON.parse(await k(data, ['create', 'configmap', 'after-restart', '-n', 'keep', '-o', 'json'])) as { metadata: { resourceVersion: string } };
      expect(Number(created.metadata.resourceVersion)).toBeGreaterThan(maxRvBefore);
      const stop = await tk(['down', '--data-dir', data]);
      expect(stop.code).toBe(0);
      expect(await waitGone(again.pid, 1000)).toBe(true);
    });
  });

  describe('refusals', () => {
    it.each([
      [['--service-cidr', 'nonsense'], '--service-cidr', 'nonsense'],
      [['--pod-cidr', '10.0.0.0/99'], '--pod-cidr', '10.0.0.0/99'],
      [['--node-port-range', '5-1'], '--node-port-range', '5-1'],
      [['--node-port-range', 'lots'], '--node-port-range', 'lots'],
      [['--api-port', '70000'], '--api-port', '70000'],
      [['--node-ip', 'localhost'], '--node-ip', 'localhost'],
      [['--bogus'], '--bogus', 'Unknown option'],
      [['--detach=yes'], '--detach', ''],
    ])('up %j exits 2 naming the flag', async (args, flag, detail) => {
      const data = join(dir, `bad-${flag.slice(2)}-${String(args[1] ?? '').replace(/\W/g, '')}`);
      const r = await tk(['up', '--data-dir', data, '--no-kubeconfig-merge', ...args]);
      expect(r.code).toBe(2);
      const firstLine = r.stderr.split('\n')[0]!;
      expect(firstLine).toMatch(/^tinykube: /);
      expect(firstLine).toContain(flag);
      expect(firstLine).toContain(detail);
      expect(r.stderr).toContain('Usage: tinykube');
      expect(existsSync(join(data, 'tinykube.pid'))).toBe(false);
    });

    it('an unknown command exits 2 naming it', async () => {
      const r = await tk(['upp']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('unknown command "upp"');
    });

    describe('a busy --api-port', () => {
      let blocker: Server;
      let port: number;
      beforeAll(async () => {
        port = await freePort();
        blocker = createServer();
        await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
      });
      afterAll(async () => {
        await new Promise((r) => blocker.close(r));
      });

      it('in the foreground: a clear message naming the port and the flag', async () => {
        const data = join(dir, 'busy');
        const r = await tk(['up', '--data-dir', data, '--api-port', String(port), '--no-kubeconfig-merge', ...ranges(3)]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use; choose another with --api-port`);
        expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
        expect(existsSync(join(data, 'tinykube.pid'))).toBe(false);
      });

      it('with --detach: the same message reaches the user', async () => {
        const data = join(dir, 'busy-detached');
        const r = await tk(['up', '--detach', '--data-dir', data, '--api-port', String(port), '--no-kubeconfig-merge', ...ranges(4)]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('exited during start');
        expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
        expect(existsSync(join(data, 'tinykube.pid'))).toBe(false);
      });
    });
  });

  describe('a foreground up that merges into the user kubeconfig', () => {
    const userHome = (): string => join(dir, 'merge-home');
    const userConfig = (): string => join(userHome(), '.kube', 'config');
    const data = (): string => join(dir, 'foreground');
    let child: ChildProcess;
    let stdout = '';
    let url = '';

    beforeAll(async () => {
      mkdirSync(join(userHome(), '.kube'), { recursive: true });
      writeFileSync(
        userConfig(),
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          '- name: other-cluster',
          '  cluster:',
          '    server: https://127.0.0.1:1',
          'users:',
          '- name: other-user',
          '  user:',
          '    token: other-token',
          'contexts:',
          '- name: other',
          '  context:',
          '    cluster: other-cluster',
          '    user: other-user',
          '    namespace: elsewhere',
          'current-context: other',
          '',
        ].join('\n'),
      );
      child = spawn(process.execPath, [BIN, 'up', '--data-dir', data(), '--api-port', '0', ...ranges(5)], {
        env: { ...process.env, HOME: userHome(), KUBECONFIG: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      foreground.add(child);
      child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr!.on('data', (b: Buffer) => (stdout += b.toString()));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not ready in 30 s:\n${stdout}`)), 30_000);
        const check = (): void => {
          const m = /^ready in [^:]+: (\S+)$/m.exec(stdout);
          if (m && stdout.includes('export KUBECONFIG=')) {
            url = m[1]!;
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout!.on('data', check);
        child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${stdout}`)));
      });
    });

    it('adds a tinykube context, makes it current and keeps the other entries', () => {
      expect(stdout).toContain(`kubectl context "tinykube" added to ${userConfig()} and made current`);
      const cfg = parseYaml(readFileSync(userConfig(), 'utf8')) as {
        'current-context': string;
        clusters: { name: string; cluster: { server: string } }[];
        users: { name: string; user: { token?: string } }[];
        contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
      };
      expect(cfg['current-context']).toBe('tinykube');
      expect(cfg.clusters.map((x) => x.name).sort()).toEqual(['other-cluster', 'tinykube']);
      expect(cfg.users.map((x) => x.name).sort()).toEqual(['other-user', 'tinykube']);
      expect(cfg.contexts.map((x) => x.name).sort()).toEqual(['other', 'tinykube']);
      expect(cfg.clusters.find((x) => x.name === 'other-cluster')!.cluster.server).toBe('https://127.0.0.1:1');
      expect(cfg.users.find((x) => x.name === 'other-user')!.user.token).toBe('other-token');
      expect(cfg.contexts.find((x) => x.name === 'other')!.context).toEqual({ cluster: 'other-cluster', user: 'other-user', namespace: 'elsewhere' });
      expect(cfg.clusters.find((x) => x.name === 'tinykube')!.cluster.server).toBe(url);
      expect(cfg.contexts.find((x) => x.name === 'tinykube')!.context).toMatchObject({ cluster: 'tinykube', user: 'tinykube' });
    });

    it('plain kubectl (no --kubeconfig) now reaches the cluster; the old context still resolves', async () => {
      const env = { ...process.env, HOME: userHome(), KUBECONFIG: '' };
      const r = await run(kubectlBinary(), ['get', 'namespaces', '-o', 'name'], { env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('namespace/kube-system');
      const other = await run(kubectlBinary(), ['config', 'view', '--context', 'other', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'], { env });
      expect(other.stdout).toBe('https://127.0.0.1:1');
    });

    it('SIGINT stops it cleanly: exit 0, pid file removed', async () => {
      const pidFile = join(data(), 'tinykube.pid');
      expect(runFile(data()).pid).toBe(child.pid);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stdout).toContain('tinykube: SIGINT, stopping');
      expect(stdout).toContain('tinykube: stopped');
      expect(existsSync(pidFile)).toBe(false);
      const s = await tk(['status', '--data-dir', data()], { home: userHome() });
      expect(s.code).toBe(3);
      // The user's kubeconfig keeps the context (as kind and minikube leave theirs).
      expect(readFileSync(userConfig(), 'utf8')).toContain('other-cluster');
    });
  });
});
