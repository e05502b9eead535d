import { describe, expect, it } from 'vitest';
import { isIPv6String, isLinkLocalMulticast, isLinkLocalUnicast, isLoopback, isUnspecified, parseCIDRSloppy, parseIPSloppy } from './ip.js';

describe('parseIPSloppy', () => {
  // [text, valid, IPv4 (To4() != nil)]
  const cases: [string, boolean, boolean][] = [
    ['10.96.0.1', true, true],
    ['127.0.0.50', true, true],
    ['010.001.0.1', true, true], // leading zeros: sloppy, read as decimal
    ['256.1.1.1', false, false],
    ['1.2.3', false, false],
    ['1.2.3.4.5', false, false],
    ['1..2.3', false, false],
    [' 1.2.3.4', false, false],
    ['', false, false],
    ['None', false, false],
    ['::', true, false],
    ['::1', true, false],
    ['fd00::5', true, false],
    ['2001:db8:0:0:0:0:0:ffff', true, false],
    ['2001:db8::0:0:0:0:0:ffff', false, false], // "::" must stand for at least one group
    ['1:2:3:4:5:6:7', false, false],
    ['1::2::3', false, false],
    ['12345::1', false, false],
    ['::ffff:10.0.0.1', true, true], // IPv4-mapped counts as IPv4, as in Go
    ['64:ff9b::192.0.2.1', true, false],
    ['fe80::1%eth0', false, false],
  ];
  it.each(cases)('%s', (text, valid, v4) => {
    const ip = parseIPSloppy(text);
    expect(ip !== undefined).toBe(valid);
    if (ip) expect(ip.v4).toBe(v4);
  });

  it('classifies addresses as Go net.IP does', () => {
    const cls = (s: string): string[] => {
      const ip = parseIPSloppy(s)!;
      return [isUnspecified(ip) && 'unspecified', isLoopback(ip) && 'loopback', isLinkLocalUnicast(ip) && 'link-local', isLinkLocalMulticast(ip) && 'll-multicast'].filter((x): x is string => x !== false);
    };
    expect(cls('0.0.0.0')).toEqual(['unspecified']);
    expect(cls('::')).toEqual(['unspecified']);
    expect(cls('127.1.2.3')).toEqual(['loopback']);
    expect(cls('::1')).toEqual(['loopback']);
    expect(cls('::ffff:127.0.0.1')).toEqual(['loopback']);
    expect(cls('169.254.1.1')).toEqual(['link-local']);
    expect(cls('fe80::1')).toEqual(['link-local']);
    expect(cls('febf::1')).toEqual(['link-local']);
    expect(cls('fec0::1')).toEqual([]);
    expect(cls('224.0.0.251')).toEqual(['ll-multicast']);
    expect(cls('224.0.1.1')).toEqual([]);
    expect(cls('ff02::fb')).toEqual(['ll-multicast']);
    expect(cls('192.0.2.1')).toEqual([]);
    expect(isIPv6String('fd00::1')).toBe(true);
    expect(isIPv6String('::ffff:1.2.3.4')).toBe(false);
    expect(isIPv6String('1.2.3.4')).toBe(false);
  });
});

describe('parseCIDRSloppy', () => {
  const cases: [string, number | undefined][] = [
    ['10.0.0.0/8', 8],
    ['10.0.0.1/32', 32],
    ['0.0.0.0/0', 0],
    ['10.0.0.0/33', undefined],
    ['10.0.0.1', undefined],
    ['10.0.0.0/', undefined],
    ['10.0.0.0/-1', undefined],
    ['2001:db8::/64', 64],
    ['::ffff:10.0.0.0/104', 104],
    ['2001:db8::/129', undefined],
  ];
  it.each(cases)('%s', (text, bits) => {
    expect(parseCIDRSloppy(text)?.bits).toBe(bits);
  });
});
