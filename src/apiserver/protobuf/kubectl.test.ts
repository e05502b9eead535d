// The real kubectl 1.32 and 1.33 against a throwaway server: every imperative create arrives
// as Kubernetes protobuf, and decoding it must give exactly the object the same kubectl prints
// for `--dry-run=client -o json` (the JSON it would have sent).
// UPDATE_PROTOBUF_FIXTURES=1 also rewrites testdata/ from what kubectl sent.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf, KUBERNETES_PROTOBUF } from './index.js';
import { kubectlBinary } from './testing/kubectl-binary.js';
import { FakeApiServer, KubectlSandbox, type CapturedRequest } from './testing/kubectl-capture.js';
import { CREATE_CASES } from './testing/kubectl-create-cases.js';

const UPDATE_FIXTURES = process.env.UPDATE_PROTOBUF_FIXTURES === '1';
const TESTDATA = join(import.meta.dirname, 'testdata');

function echo(req: CapturedRequest): Record<string, unknown> {
  if (req.contentType === KUBERNETES_PROTOBUF) return decodeKubernetesProtobuf(req.body).object;
  const parsed: unknown = JSON.parse(req.body.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('body is not a JSON object');
  return { ...parsed };
}

/** Adds flags before a `--` (after it, everything is the container's command). */
function withFlags(argv: string[], flags: string[]): string[] {
  const dashes = argv.indexOf('--');
  return dashes < 0 ? [...argv, ...flags] : [...argv.slice(0, dashes), ...flags, ...argv.slice(dashes)];
}

// kubectl is a hard requirement of the suite (scripts/test-prereqs.mjs): a missing binary fails.
function requireKubectl(minor: number): string {
  const k = kubectlBinary(minor);
  if (k === undefined) throw new Error(`kubectl.1.${minor} not found: run scripts/test-prereqs.mjs`);
  return k;
}

for (const minor of [32, 33]) {
  const kubectl = requireKubectl(minor);

  describe(`kubectl 1.${minor} create sends protobuf`, () => {
    let server: FakeApiServer;
    let sandbox: KubectlSandbox;
    let scratch: string;

    beforeAll(async () => {
      server = await FakeApiServer.start(minor, echo);
      sandbox = await KubectlSandbox.create(server.url);
      scratch = mkdtempSync(join(tmpdir(), 'tinykube-pb-files-'));
    });

    afterAll(async () => {
      await sandbox?.dispose();
      await server?.close();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    });

    it.each(CREATE_CASES)('$name', async ({ name, args, liveOnly }) => {
      const bin = kubectl ?? '';
      const argv = args(scratch);
      const before = server.posts().length;
      const created = await sandbox.run(bin, argv);
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      // kubectl accepts the JSON reply to its protobuf request and names the created object.
      expect(created.stdout).toMatch(/^\S+\/\S+ created\n$/);

      const posts = server.posts().slice(before);
      expect(posts).toHaveLength(1);
      const post = posts[0]!;
      expect(post.contentType).toBe(KUBERNETES_PROTOBUF);
      expect(post.accept).toBe(`${KUBERNETES_PROTOBUF},application/json`);
      const decoded = decodeKubernetesProtobuf(post.body);

      const dryRun = await sandbox.run(bin, withFlags(argv, ['--dry-run=client', '-o', 'json']));
      expect(dryRun.code).toBe(0);
      const expected: unknown = JSON.parse(dryRun.stdout);
      expect(decoded.object).toStrictEqual(expected);
      expect([decoded.apiVersion, decoded.kind]).toStrictEqual([decoded.object.apiVersion, decoded.object.kind]);

      if (UPDATE_FIXTURES && liveOnly !== true) {
        const dir = join(TESTDATA, `kubectl-1.${minor}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `${name}.pb`), post.body);
        writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(expected, null, 2)}\n`);
      }
    });
  });
}

// The boundary: before 1.32 the same commands send JSON.
for (const minor of [27, 31]) {
  const kubectl = requireKubectl(minor);

  describe(`kubectl 1.${minor} create sends JSON`, () => {
    it('create deployment', async () => {
      const server = await FakeApiServer.start(minor, echo);
      const sandbox = await KubectlSandbox.create(server.url);
      try {
        const created = await sandbox.run(kubectl ?? '', ['create', 'deployment', 'web', '--image=nginx']);
        expect(created.code).toBe(0);
        expect(server.posts().map((p) => p.contentType)).toStrictEqual(['application/json']);
      } finally {
        await sandbox.dispose();
        await server.close();
      }
    });
  });
}
