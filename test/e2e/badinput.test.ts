// Bad input against a running server: every error is a Kubernetes Status of the right code and
// reason, with Kubernetes' wording, and a failed request changes nothing (the store's revision
// and the objects stay as they were).
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, TestCluster, type HttpResult } from './harness.js';

interface StatusBody {
  kind: string;
  apiVersion: string;
  status: string;
  code: number;
  reason?: string;
  message?: string;
  details?: { name?: string; kind?: string; causes?: { reason?: string; message?: string; field?: string }[] };
}

const JSON_CT = { 'Content-Type': 'application/json' };
const CM_PATH = '/api/v1/namespaces/default/configmaps';

/** The response is a failure Status whose code is the HTTP status; returns it for more checks. */
function expectStatus(r: HttpResult, code: number, reason?: string): StatusBody {
  expect(r.status, r.body.slice(0, 500)).toBe(code);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  const s = r.json as StatusBody;
  expect(s).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code });
  if (reason !== undefined) expect(s.reason).toBe(reason);
  expect(typeof s.message).toBe('string');
  return s;
}

function configMap(name: string, data: Record<string, string> = { k: 'v' }, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data, ...extra });
}

function deployment(name: string, specExtra: Record<string, unknown> = {}, containerExtra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox', ...containerExtra }] } },
      ...specExtra,
    },
  };
}

/** A chunked upload (no Content-Length), so the server must enforce its limit while reading. */
function chunkedPost(c: TestCluster, path: string, chunks: Buffer[]): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${c.url}${path}`, { method: 'POST', ca: c.caPem, headers: { Authorization: `Bearer ${c.token}`, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => {
        const body = Buffer.concat(parts).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    // The server may answer and close before the whole upload is written.
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
    let i = 0;
    const next = (): void => {
      if (i >= chunks.length) {
        req.end();
        return;
      }
      if (req.write(chunks[i++]!)) setImmediate(next);
      else req.once('drain', next);
    };
    next();
  });
}

describe('bad input', () => {
  let c: TestCluster;

  /**
   * What a failed request must leave alone: every collection these requests aim at, as name@resourceVersion.
   * (Per collection rather than the store's revision, which background writers may move; objects
   * with a generation are compared by uid@generation, since controllers write their status.)
   */
  const WATCHED = [CM_PATH, '/api/v1/namespaces/default/secrets', '/api/v1/namespaces/default/services', '/apis/apps/v1/namespaces/default/deployments', '/api/v1/namespaces/kube-system/configmaps', '/api/v1/namespaces'];
  async function snapshot(): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const path of WATCHED) {
      const r = await c.request('GET', path);
      expect(r.status, path).toBe(200);
      const list = r.json as { items: { metadata: { name: string; uid: string; resourceVersion: string; generation?: number } }[] };
      out[path] = list.items.map(({ metadata: m }) => (m.generation === undefined ? `${m.name}@${m.resourceVersion}` : `${m.name}@${m.uid}@g${m.generation}`)).sort();
    }
    return out;
  }

  /** Runs `fn` (which must fail) and checks that nothing was written. */
  async function changesNothing(fn: () => Promise<void>): Promise<void> {
    const before = await snapshot();
    await fn();
    expect(await snapshot()).toEqual(before);
  }

  async function expectServing(): Promise<void> {
    const r = await c.request('GET', '/api/v1/namespaces/default');
    expect(r.status).toBe(200);
  }

  beforeAll(async () => {
    c = await TestCluster.start();
    const r = await c.request('POST', CM_PATH, { body: configMap('existing'), headers: JSON_CT });
    expect(r.status).toBe(201);
  });
  afterAll(async () => {
    await c?.stop();
  });

  describe('undecodable bodies are 400 BadRequest', () => {
    it('malformed JSON', async () => {
      await changesNothing(async () => {
        for (const body of ['{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"broken"', '{not json}', 'null x']) {
          const s = expectStatus(await c.request('POST', CM_PATH, { body, headers: JSON_CT }), 400, 'BadRequest');
          expect(s.message).toMatch(/json|JSON|unmarshal|parse/);
        }
      });
    });

    it('a JSON body that is not an object', async () => {
      await changesNothing(async () => {
        for (const body of ['[]', '"a string"', '42']) {
          expectStatus(await c.request('POST', CM_PATH, { body, headers: JSON_CT }), 400, 'BadRequest');
        }
      });
    });

    it('malformed YAML', async () => {
      await changesNothing(async () => {
        const body = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n data: [unclosed\n  - : :\n';
        const s = expectStatus(await c.request('POST', CM_PATH, { body, headers: { 'Content-Type': 'application/yaml' } }), 400, 'BadRequest');
        expect(s.message).toMatch(/yaml|YAML/);
      });
    });

    it('well-formed YAML is accepted (control for the YAML case)', async () => {
      const body = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n';
      const r = await c.request('POST', CM_PATH, { body, headers: { 'Content-Type': 'application/yaml' } });
      expect(r.status, r.body).toBe(201);
      expect((r.json as { data: Record<string, string> }).data).toEqual({ k: 'v' });
    });

    it('malformed protobuf (garbage, truncated k8s\\0 envelopes), and the server keeps serving', async () => {
      const PB = { 'Content-Type': 'application/vnd.kubernetes.protobuf' };
      // A real kubectl 1.32 `create configmap cm --from-literal=a=1 --from-literal=b=two` body.
      const good = readFileSync(join(ROOT, 'src/apiserver/protobuf/testdata/kubectl-1.32/configmap.pb'));
      expect(good.subarray(0, 4).toString('latin1')).toBe('k8s\0');
      await changesNothing(async () => {
        const bodies: Buffer[] = [
          Buffer.from('this is not protobuf at all'),
          Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
          Buffer.from('k8s\0', 'latin1'),
          good.subarray(0, 6),
          good.subarray(0, 20),
          good.subarray(0, 40),
          good.subarray(0, good.length - 3),
          Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0a, 0x7f, 0x0a, 0x02])]),
        ];
        for (const body of bodies) {
          const r = await c.request('POST', CM_PATH, { body, headers: PB });
          expectStatus(r, 400, 'BadRequest');
        }
      });
      await expectServing();
      // The same path decodes a whole body: the 400s above are about the bytes, not the format.
      const ok = await c.request('POST', CM_PATH, { body: good, headers: PB });
      expect(ok.status, ok.body).toBe(201);
      expect(ok.json).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' }, data: { a: '1', b: 'two' } });
    });

    it('an unsupported content type is 415', async () => {
      await changesNothing(async () => {
        expectStatus(await c.request('POST', CM_PATH, { body: configMap('xml'), headers: { 'Content-Type': 'application/xml' } }), 415, 'UnsupportedMediaType');
      });
    });
  });

  describe('fieldValidation', () => {
    const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';

    it('Strict rejects unknown fields with 400 naming each of them', async () => {
      await changesNothing(async () => {
        const body = JSON.stringify(deployment('strict', { foo: 1 }, { bar: 'x' }));
        const s = expectStatus(await c.request('POST', `${DEPLOYMENTS}?fieldValidation=Strict`, { body, headers: JSON_CT }), 400, 'BadRequest');
        expect(s.message).toContain('unknown field "spec.foo"');
        expect(s.message).toContain('unknown field "spec.template.spec.containers[0].bar"');
      });
      expect((await c.request('GET', `${DEPLOYMENTS}/strict`)).status).toBe(404);
    });

    it('Strict rejects unknown fields in YAML bodies too', async () => {
      await changesNothing(async () => {
        const body = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict-yaml\n  colour: blue\ndata:\n  k: v\n';
        const s = expectStatus(await c.request('POST', `${CM_PATH}?fieldValidation=Strict`, { body, headers: { 'Content-Type': 'application/yaml' } }), 400, 'BadRequest');
        expect(s.message).toContain('unknown field "metadata.colour"');
      });
    });

    it('Warn creates the object and names the unknown field in a Warning header', async () => {
      const body = JSON.stringify(deployment('warned', { foo: 1 }));
      const r = await c.request('POST', `${DEPLOYMENTS}?fieldValidation=Warn`, { body, headers: JSON_CT });
      expect(r.status, r.body).toBe(201);
      const warning = [r.headers['warning'] ?? []].flat().join('\n');
      expect(warning).toMatch(/^299 - /);
      expect(warning).toContain('unknown field \\"spec.foo\\"');
      expect((r.json as { spec: Record<string, unknown> }).spec['foo']).toBeUndefined();
    });

    it('Ignore creates the object without a warning, and drops the field', async () => {
      const body = JSON.stringify(deployment('ignored', { foo: 1 }));
      const r = await c.request('POST', `${DEPLOYMENTS}?fieldValidation=Ignore`, { body, headers: JSON_CT });
      expect(r.status, r.body).toBe(201);
      expect(r.headers['warning']).toBeUndefined();
      const got = await c.request('GET', `${DEPLOYMENTS}/ignored`);
      expect((got.json as { spec: Record<string, unknown> }).spec['foo']).toBeUndefined();
    });

    it('an unknown fieldValidation value is 422 on CreateOptions', async () => {
      await changesNothing(async () => {
        const s = expectStatus(await c.request('POST', `${CM_PATH}?fieldValidation=Sometimes`, { body: configMap('sometimes'), headers: JSON_CT }), 422, 'Invalid');
        expect(s.message).toContain('fieldValidation: Unsupported value: "Sometimes"');
      });
    });

    it('server-side apply without a fieldManager is 422 on PatchOptions', async () => {
      await changesNothing(async () => {
        const r = await c.request('PATCH', `${CM_PATH}/existing`, { body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: existing\ndata:\n  k: changed\n', headers: { 'Content-Type': 'application/apply-patch+yaml' } });
        const s = expectStatus(r, 422, 'Invalid');
        expect(s.message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
        expect(s.details).toMatchObject({ group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', field: 'fieldManager' }] });
      });
    });

    it('kubectl apply -f of a manifest with an unknown field fails, naming it', async () => {
      const manifest = c.writeFile(
        'unknown-field.yaml',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: applied\nspec:\n  replicas: 1\n  foo: 1\n  selector:\n    matchLabels: {app: applied}\n  template:\n    metadata:\n      labels: {app: applied}\n    spec:\n      containers:\n      - name: c\n        image: busybox\n',
      );
      const r = await c.kubectl(['apply', '-f', manifest]);
      expect(r.code, r.stdout).not.toBe(0);
      expect(r.stderr).toContain('spec.foo');
      expect(r.stderr).toMatch(/unknown field/);
      expect((await c.request('GET', `${DEPLOYMENTS}/applied`)).status).toBe(404);
    });
  });

  describe('invalid objects are 422 Invalid', () => {
    it('names that are not RFC 1123 subdomains', async () => {
      await changesNothing(async () => {
        for (const name of ['Bad_Name', 'UPPER', '-leading', 'trailing-', 'a..b']) {
          const s = expectStatus(await c.request('POST', CM_PATH, { body: configMap(name), headers: JSON_CT }), 422, 'Invalid');
          expect(s.message).toContain(`ConfigMap "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of`);
          expect(s.details).toMatchObject({ name, kind: 'ConfigMap' });
          expect(s.details!.causes).toContainEqual(expect.objectContaining({ reason: 'FieldValueInvalid', field: 'metadata.name' }));
          expect(s.details!.causes!.find((x) => x.field === 'metadata.name')!.message).toContain('a lowercase RFC 1123 subdomain');
        }
      });
    });

    it('a name longer than 253 characters', async () => {
      await changesNothing(async () => {
        const name = 'a'.repeat(254);
        const s = expectStatus(await c.request('POST', CM_PATH, { body: configMap(name), headers: JSON_CT }), 422, 'Invalid');
        expect(s.details!.causes).toContainEqual(expect.objectContaining({ field: 'metadata.name', message: expect.stringContaining('must be no more than 253 characters') }));
      });
    });

    it('a Service name that is not a DNS-1035 label', async () => {
      await changesNothing(async () => {
        const body = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: '1abc' }, spec: { ports: [{ port: 80 }] } });
        const s = expectStatus(await c.request('POST', '/api/v1/namespaces/default/services', { body, headers: JSON_CT }), 422, 'Invalid');
        expect(s.message).toMatch(/^Service "1abc" is invalid: /);
        const cause = s.details!.causes!.find((x) => x.field === 'metadata.name');
        expect(cause?.message).toContain('Invalid value: "1abc": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character');
      });
      // The same name is a fine ConfigMap name (a subdomain): the rule is the Service's own.
      const r = await c.request('POST', CM_PATH, { body: configMap('1abc'), headers: JSON_CT });
      expect(r.status, r.body).toBe(201);
    });

    it('an invalid object of a named group is reported with its qualified kind', async () => {
      await changesNothing(async () => {
        const body = JSON.stringify({ ...deployment('negative'), spec: { ...(deployment('negative')['spec'] as object), replicas: -1 } });
        const s = expectStatus(await c.request('POST', '/apis/apps/v1/namespaces/default/deployments', { body, headers: JSON_CT }), 422, 'Invalid');
        // metav1 NewInvalid: `<Kind>.<group> "<name>" is invalid: ...`, details keep group and kind apart.
        expect(s.message).toBe('Deployment.apps "negative" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
        expect(s.details).toMatchObject({ name: 'negative', group: 'apps', kind: 'Deployment' });
        expect(s.details!.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' }]);
      });
    });

    it('no name and no generateName', async () => {
      await changesNothing(async () => {
        const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: { k: 'v' } });
        const s = expectStatus(await c.request('POST', CM_PATH, { body, headers: JSON_CT }), 422, 'Invalid');
        expect(s.message).toContain('metadata.name: Required value: name or generateName is required');
        expect(s.details!.causes).toContainEqual(expect.objectContaining({ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }));
      });
    });
  });

  describe('bodies over 3 MiB are 413', () => {
    it('a ConfigMap with a 4 MiB value, and the server keeps serving', async () => {
      await changesNothing(async () => {
        const body = configMap('huge', { big: 'x'.repeat(4 * 1024 * 1024) });
        const s = expectStatus(await c.request('POST', CM_PATH, { body, headers: JSON_CT }), 413, 'RequestEntityTooLarge');
        expect(s.message).toContain('3145728');
      });
      await expectServing();
      expect((await c.request('GET', `${CM_PATH}/huge`)).status).toBe(404);
    });

    it('a chunked upload without Content-Length over the limit', async () => {
      await changesNothing(async () => {
        const head = Buffer.from('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"huge-chunked"},"data":{"big":"');
        const chunk = Buffer.alloc(256 * 1024, 'y');
        const chunks = [head, ...Array.from({ length: 16 }, () => chunk), Buffer.from('"}}')];
        expectStatus(await chunkedPost(c, CM_PATH, chunks), 413, 'RequestEntityTooLarge');
      });
      await expectServing();
    });

    it('a PUT over the limit leaves the object as it was', async () => {
      const before = await c.request('GET', `${CM_PATH}/existing`);
      const rv = (before.json as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
      await changesNothing(async () => {
        const body = configMap('existing', { big: 'z'.repeat(3 * 1024 * 1024 + 10) }, { metadata: { name: 'existing', resourceVersion: rv } });
        expectStatus(await c.request('PUT', `${CM_PATH}/existing`, { body, headers: JSON_CT }), 413, 'RequestEntityTooLarge');
      });
      expect((await c.request('GET', `${CM_PATH}/existing`)).json).toEqual(before.json);
    });
  });

  describe('kind and apiVersion must match the URL', () => {
    it('a Secret posted to configmaps is 400', async () => {
      await changesNothing(async () => {
        const body = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'wrong-kind' }, stringData: { a: 'b' } });
        const s = expectStatus(await c.request('POST', CM_PATH, { body, headers: JSON_CT }), 400, 'BadRequest');
        expect(s.message).toContain('Secret');
        expect(s.message).toContain('ConfigMap');
      });
      expect((await c.request('GET', '/api/v1/namespaces/default/secrets/wrong-kind')).status).toBe(404);
    });

    it('apiVersion apps/v1 on a core URL is 400', async () => {
      await changesNothing(async () => {
        const body = JSON.stringify({ apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'wrong-version' } });
        const s = expectStatus(await c.request('POST', CM_PATH, { body, headers: JSON_CT }), 400, 'BadRequest');
        expect(s.message).toContain('apps/v1');
      });
    });

    it('a core apiVersion on an apps URL is 400', async () => {
      await changesNothing(async () => {
        const body = JSON.stringify({ ...deployment('core-version'), apiVersion: 'v1' });
        expectStatus(await c.request('POST', '/apis/apps/v1/namespaces/default/deployments', { body, headers: JSON_CT }), 400, 'BadRequest');
      });
    });

    it('a body namespace other than the URL namespace is 400', async () => {
      await changesNothing(async () => {
        const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'elsewhere', namespace: 'kube-system' } });
        expectStatus(await c.request('POST', CM_PATH, { body, headers: JSON_CT }), 400, 'BadRequest');
      });
      expect((await c.request('GET', '/api/v1/namespaces/kube-system/configmaps/elsewhere')).status).toBe(404);
    });
  });

  describe('authentication', () => {
    it('no token and a wrong token are 401 Unauthorized', async () => {
      await changesNothing(async () => {
        for (const token of [null, 'wrong', `${c.token}x`, c.token.slice(0, -1)]) {
          expectStatus(await c.request('GET', '/api/v1/namespaces', { token }), 401, 'Unauthorized');
          expectStatus(await c.request('POST', CM_PATH, { body: configMap('unauth'), headers: JSON_CT, token }), 401, 'Unauthorized');
        }
        // Basic auth, or the token without the Bearer scheme, is no token at all.
        expectStatus(await c.request('GET', '/api/v1/namespaces', { token: null, headers: { Authorization: c.token } }), 401, 'Unauthorized');
        expectStatus(await c.request('GET', '/api/v1/namespaces', { token: null, headers: { Authorization: `Basic ${Buffer.from(`admin:${c.token}`).toString('base64')}` } }), 401, 'Unauthorized');
      });
    });

    it('discovery is not open', async () => {
      expectStatus(await c.request('GET', '/api', { token: null }), 401, 'Unauthorized');
      expectStatus(await c.request('GET', '/apis', { token: null }), 401, 'Unauthorized');
    });

    it('health and version endpoints are open without a token', async () => {
      for (const path of ['/livez', '/readyz', '/healthz']) {
        const r = await c.request('GET', path, { token: null });
        expect(r.status, path).toBe(200);
        expect(r.body).toBe('ok');
      }
      const v = await c.request('GET', '/version', { token: null });
      expect(v.status).toBe(200);
      expect(v.json).toMatchObject({ major: '1', minor: expect.stringMatching(/^\d+$/), gitVersion: expect.stringMatching(/^v1\.\d+\.\d+/) });
    });
  });

  describe('not found and conflicts', () => {
    it('creating in a namespace that does not exist is 404', async () => {
      await changesNothing(async () => {
        const s = expectStatus(await c.request('POST', '/api/v1/namespaces/no-such-ns/configmaps', { body: configMap('orphan'), headers: JSON_CT }), 404, 'NotFound');
        expect(s.message).toBe('namespaces "no-such-ns" not found');
        expect(s.details).toMatchObject({ name: 'no-such-ns', kind: 'namespaces' });
      });
    });

    it('an invalid object in a namespace that does not exist is 404 too (namespace admission comes before validation)', async () => {
      await changesNothing(async () => {
        const bad = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_A_Name' } });
        const s = expectStatus(await c.request('POST', '/api/v1/namespaces/no-such-ns/configmaps', { body: bad, headers: JSON_CT }), 404, 'NotFound');
        expect(s.message).toBe('namespaces "no-such-ns" not found');
      });
    });

    it('getting an object that does not exist is 404 naming it', async () => {
      const s = expectStatus(await c.request('GET', `${CM_PATH}/nothing-here`), 404, 'NotFound');
      expect(s.message).toBe('configmaps "nothing-here" not found');
      expect(s.details).toMatchObject({ name: 'nothing-here', kind: 'configmaps' });
      const d = expectStatus(await c.request('GET', '/apis/apps/v1/namespaces/default/deployments/nothing-here'), 404, 'NotFound');
      expect(d.message).toBe('deployments.apps "nothing-here" not found');
    });

    it('a duplicate create is 409 AlreadyExists and keeps the first object', async () => {
      const before = await c.request('GET', `${CM_PATH}/existing`);
      await changesNothing(async () => {
        const s = expectStatus(await c.request('POST', CM_PATH, { body: configMap('existing', { other: 'data' }), headers: JSON_CT }), 409, 'AlreadyExists');
        expect(s.message).toBe('configmaps "existing" already exists');
        expect(s.details).toMatchObject({ name: 'existing', kind: 'configmaps' });
      });
      expect((await c.request('GET', `${CM_PATH}/existing`)).json).toEqual(before.json);
    });

    it('a PUT with a stale resourceVersion is 409 Conflict', async () => {
      const created = await c.request('POST', CM_PATH, { body: configMap('contended', { n: '0' }), headers: JSON_CT });
      expect(created.status).toBe(201);
      const staleRv = (created.json as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
      const first = await c.request('PUT', `${CM_PATH}/contended`, { body: configMap('contended', { n: '1' }, { metadata: { name: 'contended', resourceVersion: staleRv } }), headers: JSON_CT });
      expect(first.status, first.body).toBe(200);
      const current = await c.request('GET', `${CM_PATH}/contended`);
      await changesNothing(async () => {
        const body = configMap('contended', { n: '2' }, { metadata: { name: 'contended', resourceVersion: staleRv } });
        const s = expectStatus(await c.request('PUT', `${CM_PATH}/contended`, { body, headers: JSON_CT }), 409, 'Conflict');
        expect(s.message).toBe('Operation cannot be fulfilled on configmaps "contended": the object has been modified; please apply your changes to the latest version and try again');
        expect(s.details).toMatchObject({ name: 'contended', kind: 'configmaps' });
      });
      expect((await c.request('GET', `${CM_PATH}/contended`)).json).toEqual(current.json);
      expect((current.json as { data: Record<string, string> }).data).toEqual({ n: '1' });
    });

    it('a PUT whose body names another object is 400', async () => {
      await changesNothing(async () => {
        expectStatus(await c.request('PUT', `${CM_PATH}/existing`, { body: configMap('not-existing'), headers: JSON_CT }), 400, 'BadRequest');
      });
    });

    it('a PUT to an object that does not exist is 404', async () => {
      await changesNothing(async () => {
        expectStatus(await c.request('PUT', `${CM_PATH}/never-made`, { body: configMap('never-made'), headers: JSON_CT }), 404, 'NotFound');
      });
    });

    it('unknown resource paths are 404', async () => {
      await changesNothing(async () => {
        for (const path of ['/api/v1/foos', '/api/v1/namespaces/default/foos', '/apis/nope.example.com/v1/things', '/apis/apps/v9/deployments', '/api/v2/pods', '/nonsense', `${CM_PATH}/existing/bogus-subresource`]) {
          expectStatus(await c.request('GET', path), 404, 'NotFound');
        }
        expectStatus(await c.request('POST', '/api/v1/namespaces/default/foos', { body: '{}', headers: JSON_CT }), 404, 'NotFound');
      });
    });

    it('a method the resource does not allow is 405', async () => {
      await changesNothing(async () => {
        expectStatus(await c.request('PUT', CM_PATH, { body: configMap('x'), headers: JSON_CT }), 405, 'MethodNotAllowed');
      });
    });
  });

  it('the server still serves kubectl after all of this', async () => {
    const out = await c.k(['get', 'configmaps', '-o', 'name']);
    expect(out).toContain('configmap/existing');
    expect(out).not.toContain('configmap/huge');
  });
});
