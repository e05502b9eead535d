// kill -9 in the middle of a burst of durable writes: every write the store acknowledged must
// be there after reopening (etcd's guarantee: a write is durable once the client has its
// response). The child runs the compiled store from dist/, because plain node cannot load .ts.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SqliteStore } from './sqlite.js';
import type { WatchEvent } from './types.js';

const srcDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(srcDir, '../..');
const distDir = join(root, 'dist', 'storage');

/** dist/storage is missing a module, or older than its source. */
function distIsStale(): boolean {
  for (const name of readdirSync(srcDir)) {
    if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
    const js = join(distDir, name.replace(/\.ts$/, '.js'));
    if (!existsSync(js) || statSync(js).mtimeMs < statSync(join(srcDir, name)).mtimeMs) return true;
  }
  return false;
}

// Writes `total` keys with 64 writes in flight: create, then one compare-and-swap update each.
// Prints "ack <key> <revision> <value>" for every acknowledged write.
const childSource = (storeUrl: string): string => `
import { openStore } from ${JSON.stringify(storeUrl)};
const [path, totalArg] = process.argv.slice(2);
const total = Number(totalArg);
const store = await openStore({ path, durable: true });
let next = 0;
async function writer() {
  for (;;) {
    const n = next++;
    if (n >= total) return;
    const key = '/registry/configmaps/crash/k' + String(n).padStart(7, '0');
    const v1 = JSON.stringify({ n, step: 1 });
    const created = await store.create(key, v1);
    if (!created.ok) throw new Error('create failed: ' + key);
    process.stdout.write('ack ' + key + ' ' + created.revision + ' ' + v1 + '\\n');
    const v2 = JSON.stringify({ n, step: 2 });
    const updated = await store.update(key, v2, created.revision);
    if (!updated.ok) throw new Error('update failed: ' + key);
    process.stdout.write('ack ' + key + ' ' + updated.revision + ' ' + v2 + '\\n');
  }
}
process.stdout.write('ready\\n');
await Promise.all(Array.from({ length: 64 }, writer));
process.stdout.write('done\\n');
await store.close();
`;

let dir: string;

beforeAll(() => {
  if (distIsStale()) {
    // Errors in other components' files do not stop tsc from emitting ours.
    spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'ignore' });
  }
  if (distIsStale()) throw new Error(`dist/storage is older than src/storage and tsc did not refresh it; run npx tsc -p tsconfig.json in ${root}`);
  dir = mkdtempSync(join(tmpdir(), 'tinykube-crash-'));
});

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

interface Ack {
  revision: number;
  value: string;
}

/** Runs the child until it has acknowledged `killAfter` writes, then SIGKILLs it. */
async function burstAndKill(path: string, killAfter: number): Promise<{ acks: Map<string, Ack>; finished: boolean }> {
  const script = join(dir, 'child.mjs');
  writeFileSync(script, childSource(pathToFileURL(join(distDir, 'index.js')).href));
  const child = spawn(process.execPath, [script, path, '1000000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acks = new Map<string, Ack>();
  let count = 0;
  let finished = false;
  let stderr = '';
  let buffered = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (line === 'done') finished = true;
      if (!line.startsWith('ack ')) continue;
      // A torn last line cannot happen: only complete lines are parsed.
      const [, key, rev, value] = line.split(' ') as [string, string, string, string];
      const revision = Number(rev);
      const prev = acks.get(key);
      if (prev === undefined || prev.revision < revision) acks.set(key, { revision, value });
      if (++count === killAfter) child.kill('SIGKILL');
    }
  });
  const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
  if (count < killAfter) throw new Error(`child exited (code ${code}) after ${count} acks: ${stderr}`);
  return { acks, finished };
}

it('every acknowledged durable write survives kill -9; the revision counter continues', async () => {
  const path = join(dir, 'store.db');
  const { acks, finished } = await burstAndKill(path, 3000);
  expect(finished).toBe(false);
  expect(acks.size).toBeGreaterThan(1000);

  const store = await SqliteStore.open({ path, durable: true });
  try {
    const maxAcked = Math.max(...[...acks.values()].map((a) => a.revision));
    const current = await store.currentRevision();
    expect(current).toBeGreaterThanOrEqual(maxAcked);

    for (const [key, ack] of acks) {
      const kv = await store.get(key);
      expect(kv, key).toBeDefined();
      // A later write of the key may have committed without its ack reaching us.
      if (kv!.modRevision === ack.revision) expect(kv!.value).toBe(ack.value);
      else expect(kv!.modRevision).toBeGreaterThan(ack.revision);
    }

    // The log agrees with the state: replaying it from 0 yields exactly one event per revision.
    const events: WatchEvent[] = [];
    const watch = store.watch('', { afterRevision: 0, onEvents: (e) => events.push(...e) });
    const deadline = Date.now() + 20_000;
    while (events.length < current && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    watch.cancel();
    expect(events.length).toBe(current);
    expect(events.every((e, i) => e.revision === i + 1)).toBe(true);

    const after = await store.create('/registry/configmaps/crash/after', '{}');
    expect(after.ok && after.revision).toBe(current + 1);
  } finally {
    await store.close();
  }
});
