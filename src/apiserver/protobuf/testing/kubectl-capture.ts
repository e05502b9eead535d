// Test support: a throwaway API server that the real kubectl can create objects against, so
// tests can capture the exact request bodies (JSON or Kubernetes protobuf) each version sends.
// It serves only what `kubectl create <kind>` needs: /version, legacy discovery, the minimal
// OpenAPI answers, and POST to collections (recorded, then echoed back as created).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CapturedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  contentType: string | undefined;
  accept: string | undefined;
  body: Buffer;
}

/** Turns a recorded POST body into the object the fake server echoes back (201). */
export type EchoBody = (req: CapturedRequest) => Record<string, unknown>;

interface DiscoveredResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

// Only the resources the imperative create commands map to (core and the few named groups).
const CORE_RESOURCES: DiscoveredResource[] = [
  { name: 'namespaces', kind: 'Namespace', namespaced: false },
  { name: 'services', kind: 'Service', namespaced: true },
  { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { name: 'secrets', kind: 'Secret', namespaced: true },
  { name: 'pods', kind: 'Pod', namespaced: true },
  { name: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
  { name: 'resourcequotas', kind: 'ResourceQuota', namespaced: true },
];
const GROUPS: Record<string, DiscoveredResource[]> = {
  'apps/v1': [{ name: 'deployments', kind: 'Deployment', namespaced: true }],
  'batch/v1': [
    { name: 'jobs', kind: 'Job', namespaced: true },
    { name: 'cronjobs', kind: 'CronJob', namespaced: true },
  ],
  'networking.k8s.io/v1': [{ name: 'ingresses', kind: 'Ingress', namespaced: true }],
};

function resourceList(groupVersion: string, resources: DiscoveredResource[]): unknown {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: resources.map((r) => ({
      name: r.name,
      singularName: r.kind.toLowerCase(),
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    })),
  };
}

function discoveryAnswer(path: string, minor: number, host: string): unknown {
  if (path === '/version') return { major: '1', minor: String(minor), gitVersion: `v1.${minor}.0` };
  if (path === '/api') {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }] };
  }
  if (path === '/apis') {
    const groups = Object.keys(GROUPS).map((gv) => {
      const [name, version] = gv.split('/') as [string, string];
      const v = { groupVersion: gv, version };
      return { name, versions: [v], preferredVersion: v };
    });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  if (path === '/api/v1') return resourceList('v1', CORE_RESOURCES);
  const group = GROUPS[path.replace(/^\/apis\//, '')];
  if (path.startsWith('/apis/') && group) return resourceList(path.slice('/apis/'.length), group);
  if (path === '/openapi/v3') return { paths: {} };
  return undefined;
}

export class FakeApiServer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    /** Every request, in arrival order. */
    readonly requests: readonly CapturedRequest[],
  ) {}

  /** Starts on 127.0.0.1 (random port), claiming to be Kubernetes 1.<minor>. */
  static async start(minor: number, echo: EchoBody): Promise<FakeApiServer> {
    const requests: CapturedRequest[] = [];
    const server = createServer((req, res) => {
      void handle(req, res, minor, echo, requests);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new FakeApiServer(server, `http://127.0.0.1:${port}`, requests);
  }

  /** POST requests to collections, in arrival order. */
  posts(): CapturedRequest[] {
    return this.requests.filter((r) => r.method === 'POST');
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, minor: number, echo: EchoBody, requests: CapturedRequest[]): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const captured: CapturedRequest = {
    method: req.method ?? '',
    url: req.url ?? '',
    contentType: req.headers['content-type'],
    accept: req.headers.accept,
    body: Buffer.concat(chunks),
  };
  requests.push(captured);
  const path = new URL(captured.url, 'http://x').pathname;
  const send = (code: number, body: unknown, type = 'application/json'): void => {
    res.writeHead(code, { 'Content-Type': type });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  if (captured.method === 'GET' && path === '/openapi/v2') return send(200, '', 'application/octet-stream');
  if (captured.method === 'GET') {
    const answer = discoveryAnswer(path, minor, req.headers.host ?? '');
    return answer === undefined ? send(404, notFound(path)) : send(200, answer);
  }
  if (captured.method === 'POST') {
    try {
      return send(201, echo(captured));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return send(400, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'BadRequest', code: 400 });
    }
  }
  send(405, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'MethodNotAllowed', code: 405 });
}

function notFound(path: string): unknown {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `${path} not found`, reason: 'NotFound', code: 404 };
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh HOME and kubeconfig pointing at one server, so no discovery cache leaks between runs. */
export class KubectlSandbox {
  private constructor(
    readonly dir: string,
    private readonly kubeconfig: string,
  ) {}

  static async create(serverUrl: string): Promise<KubectlSandbox> {
    const dir = await mkdtemp(join(tmpdir(), 'tinykube-pb-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: fake, cluster: {server: "' + serverUrl + '"}}]',
        'users: [{name: fake, user: {}}]',
        'contexts: [{name: fake, context: {cluster: fake, user: fake, namespace: default}}]',
        'current-context: fake',
        '',
      ].join('\n'),
    );
    return new KubectlSandbox(dir, kubeconfig);
  }

  run(binary: string, args: string[]): Promise<KubectlResult> {
    // A minimal environment: no KUBECTL_* switches from the caller change what kubectl sends.
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: this.dir, KUBECONFIG: this.kubeconfig };
    return new Promise((resolve) => {
      execFile(binary, args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ code, stdout, stderr });
      });
    });
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
