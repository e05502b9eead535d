import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSchema } from '../../api/schema.js';
import { GROUP_VERSIONS, RESOURCES } from '../resources.js';
import { OpenApiDocs, openApiHook, V2_PROTOBUF } from './index.js';

type Json = { [key: string]: unknown };

const docs = new OpenApiDocs(loadSchema());
const buildMillis = docs.warm();
const hook = openApiHook(docs);

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

function document(group: string, version: string): Json {
  const d = docs.v3Document(gvPath(group, version));
  if (d === undefined) throw new Error(`no document for ${group}/${version}`);
  return JSON.parse(d.body.toString()) as Json;
}

function schemas(doc: Json): Record<string, Json> {
  return (doc['components'] as { schemas: Record<string, Json> }).schemas;
}

function paths(doc: Json): Record<string, Record<string, Json>> {
  return doc['paths'] as Record<string, Record<string, Json>>;
}

/** Every "$ref" string anywhere under v. */
function refsIn(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) refsIn(x, out);
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.push(x);
      else refsIn(x, out);
    }
  }
  return out;
}

function itemPath(res: (typeof RESOURCES)[number]): string {
  const base = res.group === '' ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
  return res.namespaced ? `${base}/namespaces/{namespace}/${res.plural}/{name}` : `${base}/${res.plural}/{name}`;
}

describe('OpenAPI v3', () => {
  it('builds quickly', () => {
    console.log(`OpenAPI documents built in ${buildMillis.toFixed(1)} ms`);
    expect(buildMillis).toBeGreaterThan(0);
  });

  it('indexes every group-version with a hashed URL that serves its document', () => {
    const index = JSON.parse(docs.v3Index().body.toString()) as { paths: Record<string, { serverRelativeURL: string }> };
    expect(Object.keys(index.paths)).toEqual(GROUP_VERSIONS.map((gv) => gvPath(gv.group, gv.version)));
    for (const [p, { serverRelativeURL }] of Object.entries(index.paths)) {
      const d = docs.v3Document(p)!;
      expect(serverRelativeURL).toBe(`/openapi/v3/${p}?hash=${d.hash}`);
      expect(d.etag).toBe(`"${d.hash}"`);
    }
    expect(docs.v3Document('/apis/apps/v1')).toBe(docs.v3Document('apis/apps/v1'));
    expect(docs.v3Document('apis/batch/v1')).toBeUndefined();
  });

  it.each(GROUP_VERSIONS.map((gv) => [gvPath(gv.group, gv.version), gv] as const))('%s is well-formed and its refs resolve', (_, gv) => {
    const doc = document(gv.group, gv.version);
    expect(doc['openapi']).toBe('3.0.0');
    const defined = new Set(Object.keys(schemas(doc)));
    const dangling = refsIn(doc).filter((r) => !defined.has(r.replace('#/components/schemas/', '')));
    expect(dangling).toEqual([]);
  });

  it.each(RESOURCES.map((r) => [`${r.plural}.${r.group || 'core'}`, r] as const))('%s: PATCH carries its kind and fieldValidation', (_, res) => {
    const doc = document(res.group, res.version);
    const patch = paths(doc)[itemPath(res)]?.['patch'] as Json;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: res.group, kind: res.kind, version: res.version });
    expect(patch['x-kubernetes-action']).toBe('patch');
    const params = patch['parameters'] as { name: string; in: string }[];
    expect(params).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query' }));
    const content = (patch['requestBody'] as { content: Json }).content;
    expect(Object.keys(content)).toContain('application/strategic-merge-patch+json');
    for (const action of ['post', 'put']) {
      const op = (action === 'post' ? paths(doc)[itemPath(res).replace('/{name}', '')]?.['post'] : paths(doc)[itemPath(res)]?.['put']) as Json;
      expect((op['parameters'] as { name: string }[]).map((p) => p.name)).toContain('fieldValidation');
    }
  });

  it('publishes subresources with their kinds', () => {
    const apps = paths(document('apps', 'v1'));
    const scale = apps['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']!;
    expect(scale['patch']!['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', kind: 'Scale', version: 'v1' });
    const status = paths(document('', 'v1'))['/api/v1/namespaces/{namespace}/services/{name}/status']!;
    expect(status['get']!['x-kubernetes-group-version-kind']).toEqual({ group: '', kind: 'Service', version: 'v1' });
    expect(paths(document('', 'v1'))['/api/v1/services']?.['get']?.['x-kubernetes-action']).toBe('list');
    // Namespaces cannot be deleted as a collection.
    expect(paths(document('', 'v1'))['/api/v1/namespaces']?.['delete']).toBeUndefined();
  });

  it('names schemas with Kubernetes definition names and marks kinds', () => {
    const core = schemas(document('', 'v1'));
    expect(core['io.k8s.api.core.v1.Service']?.['x-kubernetes-group-version-kind']).toEqual([{ group: '', kind: 'Service', version: 'v1' }]);
    expect(core['io.k8s.api.core.v1.ServiceList']?.['x-kubernetes-group-version-kind']).toEqual([{ group: '', kind: 'ServiceList', version: 'v1' }]);
    for (const name of [
      'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
      'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
      'io.k8s.apimachinery.pkg.api.resource.Quantity',
      'io.k8s.api.core.v1.PodSpec',
      'io.k8s.api.core.v1.EventSeries',
    ]) {
      expect(core[name], name).toBeDefined();
    }
    const apps = schemas(document('apps', 'v1'));
    expect(apps['io.k8s.api.apps.v1.DeploymentSpec']).toBeDefined();
    expect(apps['io.k8s.api.core.v1.PodTemplateSpec']).toBeDefined();
    expect(apps['io.k8s.api.autoscaling.v1.Scale']?.['x-kubernetes-group-version-kind']).toEqual([{ group: 'autoscaling', kind: 'Scale', version: 'v1' }]);
    const networking = schemas(document('networking.k8s.io', 'v1'));
    expect(networking['io.k8s.api.core.v1.TypedLocalObjectReference']).toBeDefined();
    expect(schemas(document('discovery.k8s.io', 'v1'))['io.k8s.api.discovery.v1.EndpointPort']).toBeDefined();
  });

  it('shapes properties as kubectl reads them', () => {
    const core = schemas(document('', 'v1'));
    const props = (name: string): Record<string, Json> => core[name]!['properties'] as Record<string, Json>;
    expect(props('io.k8s.api.core.v1.ServiceSpec')['ports']).toMatchObject({
      type: 'array',
      items: { allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.ServicePort' }] },
      'x-kubernetes-patch-merge-key': 'port',
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['port', 'protocol'],
    });
    expect(props('io.k8s.api.core.v1.PodSpec')['volumes']).toMatchObject({ 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge,retainKeys' });
    expect(props('io.k8s.api.core.v1.Container')['ports']).toMatchObject({ 'x-kubernetes-patch-merge-key': 'containerPort' });
    expect(props('io.k8s.api.core.v1.ServicePort')['targetPort']).toMatchObject({ allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }] });
    expect(props('io.k8s.api.core.v1.ServicePort')['port']).toMatchObject({ type: 'integer', format: 'int32', description: 'The port that will be exposed by this service.' });
    expect(core['io.k8s.api.core.v1.ServicePort']!['required']).toEqual(['port']);
    expect(props('io.k8s.api.core.v1.ResourceRequirements')['limits']).toMatchObject({
      type: 'object',
      additionalProperties: { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' }] },
    });
    expect(props('io.k8s.api.core.v1.Secret')['data']).toMatchObject({ type: 'object', additionalProperties: { type: 'string', format: 'byte' } });
    expect(props('io.k8s.api.core.v1.Event')['eventTime']).toMatchObject({ allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime' }] });
    expect(core['io.k8s.api.core.v1.ObjectReference']!['x-kubernetes-map-type']).toBe('atomic');
    // Struct fields without a description of their own show their type's, once.
    expect(props('io.k8s.api.core.v1.Service')['spec']).toEqual({
      $ref: '#/components/schemas/io.k8s.api.core.v1.ServiceSpec',
      description: core['io.k8s.api.core.v1.ServiceSpec']!['description'],
    });
  });
});

describe('openApiHook', () => {
  const q = new URLSearchParams();
  it('routes the index, documents and v2', () => {
    // Bodies are the pre-serialized buffers themselves (compared by identity: they are large).
    const index = hook('/openapi/v3', q, 'application/json');
    expect(index).toMatchObject({ code: 200, contentType: 'application/json', etag: docs.v3Index().etag });
    expect(index?.body).toBe(docs.v3Index().body);
    const apps = docs.v3Document('apis/apps/v1')!;
    const served = hook('/openapi/v3/apis/apps/v1', new URLSearchParams({ hash: 'stale' }), undefined);
    expect(served).toMatchObject({ code: 200, contentType: 'application/json', etag: apps.etag });
    expect(served?.body).toBe(apps.body);
    expect(hook('/openapi/v3/apis/nope/v1', q, undefined)).toBeUndefined();
    expect(hook('/openapi/v2', q, 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf')).toMatchObject({ code: 200, contentType: V2_PROTOBUF });
    expect(hook('/openapi/v2', q, 'application/yaml')?.code).toBe(406);
    expect(hook('/openapi/v4', q, undefined)).toBeUndefined();
  });
});

describe('OpenAPI v2', () => {
  it('answers kubectl protobuf requests with an empty document', () => {
    const a = docs.v2('application/com.github.proto-openapi.spec.v2@v1.0+protobuf');
    expect(a).toMatchObject({ status: 200, contentType: V2_PROTOBUF });
    expect(a.body.length).toBe(0);
  });

  it('answers JSON requests with Swagger 2.0 whose refs resolve', () => {
    for (const accept of ['application/json', undefined, '*/*']) {
      const a = docs.v2(accept);
      expect(a.status).toBe(200);
      expect(a.contentType).toBe('application/json');
      const swagger = JSON.parse(a.body.toString()) as Json;
      expect(swagger['swagger']).toBe('2.0');
      const defs = swagger['definitions'] as Record<string, Json>;
      expect(defs['io.k8s.api.core.v1.Service']).toBeDefined();
      expect(defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({ type: 'string', format: 'int-or-string' });
      const dangling = refsIn(swagger).filter((r) => !r.startsWith('#/definitions/') || !(r.slice('#/definitions/'.length) in defs));
      expect(dangling).toEqual([]);
      const patch = (swagger['paths'] as Record<string, Record<string, Json>>)['/api/v1/namespaces/{namespace}/services/{name}']!['patch']!;
      expect(patch['consumes']).toContain('application/strategic-merge-patch+json');
      expect(patch['parameters']).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query', type: 'string' }));
    }
  });

  it('refuses other media types', () => {
    expect(docs.v2('application/yaml').status).toBe(406);
  });
});

// --- kubectl explain against a minimal discovery server --------------------------------------

const KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';
const MINORS = [27, 28, 29, 30, 31, 32, 33];
const kubectlAvailable = existsSync(path.join(KUBECTL_DIR, 'kubectl.1.27'));
const run = promisify(execFile);

/** /version, legacy discovery (application/json, which every kubectl accepts) and OpenAPI. */
function discoveryServer(): Server {
  const json = (res: ServerResponse, body: unknown, status = 200): void => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const resourceList = (group: string, version: string): Json => ({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources: RESOURCES.filter((r) => r.group === group && r.version === version).flatMap((r) => [
      { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs, shortNames: r.shortNames, categories: r.categories },
      ...(r.status ? [{ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] }] : []),
      ...(r.scale
        ? [{ name: `${r.plural}/scale`, singularName: '', namespaced: r.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] }]
        : []),
    ]),
  });
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const p = url.pathname.replace(/\/+$/, '');
    if (p === '/version') return json(res, { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' });
    if (p === '/api') return json(res, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (p === '/apis') {
      const groups = GROUP_VERSIONS.filter((gv) => gv.group !== '').map((gv) => {
        const v = { groupVersion: `${gv.group}/${gv.version}`, version: gv.version };
        return { name: gv.group, versions: [v], preferredVersion: v };
      });
      return json(res, { kind: 'APIGroupList', apiVersion: 'v1', groups });
    }
    const gv = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(p);
    if (gv) return json(res, gv[1] ? resourceList('', gv[1]) : resourceList(gv[2]!, gv[3]!));
    const served = hook(url.pathname, url.searchParams, req.headers.accept);
    if (served !== undefined) {
      res.writeHead(served.code, { 'Content-Type': served.contentType, ...(served.etag === undefined ? {} : { ETag: served.etag }) });
      res.end(served.body);
      return;
    }
    json(res, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound' }, 404);
  };
  return createServer(handle);
}

describe.skipIf(!kubectlAvailable)('kubectl explain (real kubectl 1.27..1.33)', () => {
  let server: Server;
  let dir: string;
  let kubeconfig: string;

  beforeAll(async () => {
    server = discoveryServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    dir = await mkdtemp(path.join(tmpdir(), 'tinykube-openapi-'));
    kubeconfig = path.join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: t, cluster: {server: "http://127.0.0.1:' + port + '"}}]',
        'users: [{name: t, user: {}}]',
        'contexts: [{name: t, context: {cluster: t, user: t}}]',
        'current-context: t',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  async function explain(minor: number, what: string): Promise<string> {
    // A fresh HOME per call: kubectl caches discovery and OpenAPI under ~/.kube/cache.
    const home = await mkdtemp(path.join(dir, `home-${minor}-`));
    const { stdout } = await run(path.join(KUBECTL_DIR, `kubectl.1.${minor}`), ['explain', what], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, KUBECONFIG: kubeconfig },
      timeout: 30_000,
    });
    return stdout;
  }

  it.each(MINORS)('1.%i: explain service.spec.ports', async (minor) => {
    const out = await explain(minor, 'service.spec.ports');
    expect(out).toMatch(/KIND:\s+Service/);
    expect(out).toMatch(/VERSION:\s+v1/);
    expect(out).toContain('FIELD: ports <[]ServicePort>');
    expect(out).toContain('The list of ports that are exposed by this service.');
    expect(out).toMatch(/port\s+<integer> -required-/);
    expect(out).toMatch(/targetPort\s+<IntOrString>/);
    expect(out).toContain('The port that will be exposed by this service.');
  });

  it.each(MINORS)('1.%i: explain deployment.spec.template.spec.containers.ports', async (minor) => {
    const out = await explain(minor, 'deployment.spec.template.spec.containers.ports');
    expect(out).toMatch(/GROUP:\s+apps/);
    expect(out).toMatch(/KIND:\s+Deployment/);
    expect(out).toContain('FIELD: ports <[]ContainerPort>');
    expect(out).toMatch(/containerPort\s+<integer> -required-/);
    expect(out).toContain("Number of port to expose on the pod's IP address.");
    expect(out).toMatch(/protocol\s+<string>/);
  });

  it.each(MINORS)('1.%i: explain a kind, with struct fields described', async (minor) => {
    const out = await explain(minor, 'pods');
    expect(out).toMatch(/KIND:\s+Pod/);
    expect(out).toMatch(/spec\s+<PodSpec>/);
    expect(out).toContain('PodSpec is a description of a pod.');
    expect(out).not.toContain('<no description>');
  });
});
