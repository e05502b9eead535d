import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostResolvers } from './dns.js';

describe('hostResolvers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tinykube-resolvers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const behind = file('resolved.conf', '# written by systemd-resolved\nnameserver 127.0.0.2\nnameserver 127.0.0.3\nsearch lan\n');

  it("reads resolv.conf's nameservers", () => {
    expect(hostResolvers(file('plain.conf', 'search lan\nnameserver 127.0.0.9\n  nameserver 127.0.0.8\n'), behind)).toEqual(['127.0.0.9', '127.0.0.8']);
  });

  it("takes the servers behind systemd-resolved's stub, so that forwarding never comes back through resolved", () => {
    expect(hostResolvers(file('stub.conf', 'nameserver 127.0.0.53\noptions edns0 trust-ad\n'), behind)).toEqual(['127.0.0.2', '127.0.0.3']);
    expect(hostResolvers(file('stubs.conf', 'nameserver 127.0.0.53\nnameserver 127.0.0.54\n'), behind)).toEqual(['127.0.0.2', '127.0.0.3']);
  });

  it('keeps the stub when resolved lists no server of its own, and a stub beside other servers', () => {
    expect(hostResolvers(file('stub2.conf', 'nameserver 127.0.0.53\n'), join(dir, 'missing.conf'))).toEqual(['127.0.0.53']);
    expect(hostResolvers(file('mixed.conf', 'nameserver 127.0.0.53\nnameserver 127.0.0.9\n'), behind)).toEqual(['127.0.0.53', '127.0.0.9']);
  });
});
