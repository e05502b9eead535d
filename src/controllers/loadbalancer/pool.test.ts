import { describe, expect, it } from 'vitest';
import { AddressPool, PoolError } from './pool.js';

describe('AddressPool', () => {
  it.each([
    ['127.240.0.0/24', 254, '127.240.0.1', '127.240.0.254'],
    ['127.240.0.0/30', 2, '127.240.0.1', '127.240.0.2'],
    ['127.240.0.8/31', 2, '127.240.0.8', '127.240.0.9'],
    ['127.240.0.7/32', 1, '127.240.0.7', '127.240.0.7'],
  ])('%s: %i addresses, %s to %s (no network or broadcast address up to /30)', (cidr, size, first, last) => {
    const pool = new AddressPool(cidr);
    expect(pool.size).toBe(size);
    expect(pool.assignable(first)).toBe(true);
    expect(pool.assignable(last)).toBe(true);
    const all: string[] = [];
    for (let ip = pool.allocate('s0'), i = 1; ip !== undefined; ip = pool.allocate(`s${i++}`)) all.push(ip);
    expect(all).toHaveLength(size);
    expect(all[0]).toBe(first);
    expect(all[all.length - 1]).toBe(last);
  });

  it('does not hand out the network or broadcast address, nor anything outside', () => {
    const pool = new AddressPool('127.240.0.0/24');
    for (const ip of ['127.240.0.0', '127.240.0.255', '127.240.1.1', '10.0.0.1', 'nonsense', '127.240.0.01']) expect(pool.assignable(ip), ip).toBe(false);
    expect(pool.assign('127.240.0.255', 'x')).toBe(false);
  });

  it('normalizes a CIDR given with host bits', () => {
    expect(new AddressPool('127.240.0.77/24').cidr).toBe('127.240.0.0/24');
  });

  it('refuses what is not an IPv4 CIDR', () => {
    for (const bad of ['127.240.0.0', '127.240.0.0/33', 'fd00::/64', '300.1.1.1/24']) expect(() => new AddressPool(bad), bad).toThrow(PoolError);
  });

  it('gives the lowest free address, keeps an owner on its address, and reuses a released one', () => {
    const pool = new AddressPool('127.240.0.0/29');
    expect(pool.allocate('a')).toBe('127.240.0.1');
    expect(pool.allocate('b')).toBe('127.240.0.2');
    expect(pool.allocate('a')).toBe('127.240.0.1');
    expect(pool.release('a')).toBe('127.240.0.1');
    expect(pool.release('a')).toBeUndefined();
    expect(pool.allocate('c')).toBe('127.240.0.1');
    expect(pool.used).toBe(2);
  });

  it('assign: a specific address, never one another owner holds', () => {
    const pool = new AddressPool('127.240.0.0/29');
    expect(pool.assign('127.240.0.5', 'a')).toBe(true);
    expect(pool.assign('127.240.0.5', 'a')).toBe(true);
    expect(pool.assign('127.240.0.5', 'b')).toBe(false);
    expect(pool.holder('127.240.0.5')).toBe('a');
    // Moving to another address frees the old one.
    expect(pool.assign('127.240.0.6', 'a')).toBe(true);
    expect(pool.holder('127.240.0.5')).toBeUndefined();
    expect(pool.addressOf('a')).toBe('127.240.0.6');
  });
});
