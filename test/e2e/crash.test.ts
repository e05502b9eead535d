// kill -9 in the middle of a burst of writes: whatever the server acknowledged with a 201 must be
// there, intact, after a restart on the same data dir, and revisions must keep going up.
import { Agent, request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from './harness.js';

const TOTAL = 2000;
const IN_FLIGHT = 64;
const KILL_AFTER = 500;
const CM_PATH = '/api/v1/namespaces/default/configmaps';

interface ConfigMap {
  metadata: { name: string; resourceVersion: string; uid: string };
  data?: Record<string, string>;
}

function nameOf(i: number): string {
  return `burst-${String(i).padStart(5, '0')}`;
}

/** Each object's data differs (and is big enough to span pages), so a mix-up or a torn write shows. */
function dataOf(i: number): Record<string, string> {
  return { index: String(i), square: String(i * i), filler: `${i}:`.repeat(40 + (i % 23)) };
}

/** POST over a shared keep-alive agent; resolves with the status and parsed body, rejects on any transport error. */
function post(c: TestCluster, agent: Agent, ca: string, token: string, body: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${c.url}${CM_PATH}`,
      { method: 'POST', agent, ca, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (b: Buffer) => chunks.push(b));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('response aborted')));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        });
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

describe('crash during a burst of writes', () => {
  let c: TestCluster;
  const acked = new Map<string, { index: number; rv: number; uid: string }>();
  let transportErrors = 0;
  let inFlightAtKill = 0;
  let sentBeforeKill = 0;

  beforeAll(async () => {
    c = await TestCluster.start();
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('acknowledges writes until SIGKILL lands mid-burst', async () => {
    const ca = c.caPem;
    const token = c.token;
    const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
    let next = 0;
    let inFlight = 0;
    let killed: Promise<void> | undefined;
    const worker = async (): Promise<void> => {
      while (next < TOTAL && !killed) {
        const i = next++;
        const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: nameOf(i) }, data: dataOf(i) });
        inFlight++;
        try {
          const r = await post(c, agent, ca, token, body);
          if (r.status !== 201) throw new Error(`unexpected ${r.status}: ${JSON.stringify(r.json)}`);
          const cm = r.json as ConfigMap;
          expect(cm.metadata.name).toBe(nameOf(i));
          acked.set(nameOf(i), { index: i, rv: Number(cm.metadata.resourceVersion), uid: cm.metadata.uid });
          if (acked.size >= KILL_AFTER && !killed) {
            inFlightAtKill = inFlight - 1;
            sentBeforeKill = next;
            killed = c.down('SIGKILL');
          }
        } catch (e) {
          // Only the crash may fail a request; anything before it is a server bug.
          if (!killed) throw e;
          transportErrors++;
        } finally {
          inFlight--;
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    agent.destroy();
    expect(killed, 'the burst finished before the kill').toBeDefined();
    await killed;
    // The kill really was mid-burst: requests were on the wire and most of the burst never went out.
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(acked.size).toBeLessThan(TOTAL);
    expect(inFlightAtKill).toBeGreaterThan(0);
    expect(sentBeforeKill).toBeLessThan(TOTAL);
    expect(transportErrors).toBeGreaterThan(0);
    // Acknowledged revisions are distinct: one revision per write.
    expect(new Set([...acked.values()].map((a) => a.rv)).size).toBe(acked.size);
  });

  it('after a restart on the same data dir every acknowledged ConfigMap is there with its data', async () => {
    await c.up();
    const r = await c.request('GET', CM_PATH);
    expect(r.status).toBe(200);
    const list = r.json as { metadata: { resourceVersion: string }; items: ConfigMap[] };
    const byName = new Map(list.items.map((i) => [i.metadata.name, i]));
    const missing: string[] = [];
    for (const [name, a] of acked) {
      const got = byName.get(name);
      if (!got) {
        missing.push(name);
        continue;
      }
      expect(got.data, name).toEqual(dataOf(a.index));
      expect(Number(got.metadata.resourceVersion), name).toBe(a.rv);
      expect(got.metadata.uid, name).toBe(a.uid);
    }
    expect(missing).toEqual([]);
    // Writes that were in flight may or may not have landed, but whatever exists is whole and its own.
    const burst = list.items.filter((i) => i.metadata.name.startsWith('burst-'));
    for (const item of burst) {
      const m = /^burst-(\d{5})$/.exec(item.metadata.name);
      expect(m, item.metadata.name).not.toBeNull();
      const i = Number(m![1]);
      expect(i).toBeLessThan(sentBeforeKill + IN_FLIGHT);
      expect(item.data, item.metadata.name).toEqual(dataOf(i));
    }
    expect(burst.length).toBeGreaterThanOrEqual(acked.size);
    expect(burst.length).toBeLessThanOrEqual(acked.size + IN_FLIGHT);
    // One by one as well: a GET reads what the list read.
    for (const name of [...acked.keys()].slice(-20)) {
      const one = await c.request('GET', `${CM_PATH}/${name}`);
      expect(one.status, name).toBe(200);
      expect((one.json as ConfigMap).data).toEqual(dataOf(acked.get(name)!.index));
    }
  });

  it('the restarted server accepts new writes with resourceVersions above any seen before', async () => {
    const before = await c.request('GET', CM_PATH);
    const list = before.json as { metadata: { resourceVersion: string }; items: ConfigMap[] };
    const seen = Math.max(Number(list.metadata.resourceVersion), ...list.items.map((i) => Number(i.metadata.resourceVersion)), ...[...acked.values()].map((a) => a.rv));
    let last = seen;
    for (let i = 0; i < 20; i++) {
      const name = `after-crash-${i}`;
      const r = await c.request('POST', CM_PATH, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } }), headers: { 'Content-Type': 'application/json' } });
      expect(r.status, r.body).toBe(201);
      const rv = Number((r.json as ConfigMap).metadata.resourceVersion);
      expect(rv).toBeGreaterThan(last);
      last = rv;
    }
    // A name acknowledged before the crash is still taken.
    const dup = await c.request('POST', CM_PATH, { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: [...acked.keys()][0] } }), headers: { 'Content-Type': 'application/json' } });
    expect(dup.status).toBe(409);
    // An update of a pre-crash object works and moves its revision past everything.
    const name = [...acked.keys()][1]!;
    const cur = (await c.request('GET', `${CM_PATH}/${name}`)).json as ConfigMap;
    const put = await c.request('PUT', `${CM_PATH}/${name}`, { body: JSON.stringify({ ...cur, data: { updated: 'yes' } }), headers: { 'Content-Type': 'application/json' } });
    expect(put.status, put.body).toBe(200);
    expect(Number((put.json as ConfigMap).metadata.resourceVersion)).toBeGreaterThan(last);
    // kubectl sees the whole state.
    const names = (await c.k(['get', 'configmaps', '-o', 'name'])).trim().split('\n');
    expect(names.filter((n) => n.startsWith('configmap/burst-')).length).toBe(list.items.filter((i) => i.metadata.name.startsWith('burst-')).length);
    expect(names.filter((n) => n.startsWith('configmap/after-crash-')).length).toBe(20);
  });
});
