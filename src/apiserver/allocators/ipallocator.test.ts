import { describe, expect, it } from 'vitest';
import { ClusterIPAllocator, parseIpv4Cidr } from './ipallocator.js';

describe('ClusterIPAllocator', () => {
  it('normalizes the CIDR as Go prints it', () => {
    expect(parseIpv4Cidr('127.96.5.7/12').text).toBe('127.96.0.0/12');
    expect(() => parseIpv4Cidr('127.96.0.0')).toThrow(/not an IPv4 CIDR/);
  });

  it('never hands out the network or broadcast address', () => {
    const a = new ClusterIPAllocator('127.96.0.0/28');
    expect(a.size).toBe(14);
    expect(a.staticBand).toBe(0);
    const got = new Set<string>();
    for (let i = 0; i < 14; i++) got.add(a.allocateNext());
    expect(got.size).toBe(14);
    expect(got.has('127.96.0.0')).toBe(false);
    expect(got.has('127.96.0.15')).toBe(false);
    expect(() => a.allocateNext()).toThrow(expect.objectContaining({ reason: 'Full', message: 'range is full' }));
  });

  it('refuses addresses outside the range with Kubernetes’ text', () => {
    const a = new ClusterIPAllocator('127.96.0.0/12');
    for (const ip of ['127.95.255.255', '127.96.0.0', '127.111.255.255', '10.0.0.1']) {
      expect(() => a.allocate(ip)).toThrow(expect.objectContaining({ reason: 'NotInRange', message: `the provided IP (${ip}) is not in the valid range. The range of valid IPs is 127.96.0.0/12` }));
    }
    a.allocate('127.111.255.254');
    expect(() => a.allocate('127.111.255.254')).toThrow(expect.objectContaining({ reason: 'Allocated', message: 'provided IP is already allocated' }));
  });

  it('keeps dynamic allocations out of the lower band while the upper has room', () => {
    const a = new ClusterIPAllocator('127.96.0.0/24');
    expect(a.staticBand).toBe(16);
    for (let i = 0; i < 200; i++) {
      const last = Number(a.allocateNext().split('.')[3]);
      expect(last).toBeGreaterThan(16);
    }
    expect(a.nth(1)).toBe('127.96.0.1');
    expect(a.nth(10)).toBe('127.96.0.10');
    expect(a.nth(255)).toBeUndefined();
  });

  it('release frees an address for reuse; releasing what is not held is a no-op', () => {
    const a = new ClusterIPAllocator('127.96.0.0/30');
    expect(a.size).toBe(2);
    const x = a.allocateNext();
    const y = a.allocateNext();
    expect(a.free).toBe(0);
    expect(a.release(x)).toBe(true);
    expect(a.release(x)).toBe(false);
    expect(a.release('10.0.0.1')).toBe(false);
    expect(a.allocateNext()).toBe(x);
    expect(a.has(y)).toBe(true);
  });

  it('a /32 or /31 has nothing to hand out', () => {
    expect(new ClusterIPAllocator('127.96.0.1/32').size).toBe(0);
    expect(new ClusterIPAllocator('127.96.0.0/31').size).toBe(0);
  });
});
