import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from './harness.js';

describe('harness', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start();
  });
  afterAll(async () => {
    await c?.stop();
  });
  it('serves kubectl and raw requests', async () => {
    expect(await c.k(['get', 'ns', '-o', 'name'])).toContain('namespace/default');
    const r = await c.request('GET', '/api/v1/namespaces/default');
    expect(r.status).toBe(200);
    const unauth = await c.request('GET', '/api/v1/namespaces', { token: null });
    expect(unauth.status).toBe(401);
  });
});
