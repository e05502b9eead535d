import { describe, expect, it } from 'vitest';
import { endpointLabel, formatIP, parseIPv6, podLabelAddress, relativeName, reverseIPv4, reverseIPv6, stripUnderscore } from './names.js';

describe('relativeName', () => {
  it.each([
    ['cluster.local', 'cluster.local', ''],
    ['svc.cluster.local', 'cluster.local', 'svc'],
    ['a.b.svc.cluster.local', 'cluster.local', 'a.b.svc'],
    ['xcluster.local', 'cluster.local', undefined],
    ['cluster.local.example', 'cluster.local', undefined],
    ['.cluster.local', 'cluster.local', undefined],
    ['local', 'cluster.local', undefined],
  ])('%s in %s', (name, zone, want) => expect(relativeName(name, zone)).toBe(want));
});

describe('endpointLabel (CoreDNS endpointHostname)', () => {
  it.each([
    ['10.0.0.1', undefined, '10-0-0-1'],
    ['10.0.0.1', 'web-0', 'web-0'],
    ['5678:abcd::1', undefined, '5678-abcd--1'],
    ['fd00::', undefined, 'fd00--0'],
  ])('%s hostname %s', (ip, hostname, want) => expect(endpointLabel(ip, hostname)).toBe(want));
});

describe('podLabelAddress (CoreDNS findPods)', () => {
  it.each([
    ['10-240-0-1', '10.240.0.1'],
    ['1234-abcd--1', '1234:abcd::1'],
    ['010-240-0-1', undefined],
    ['10-240-0-256', undefined],
    ['10-240-0', undefined],
    ['blah', undefined],
    ['1--2-3', '1::2:3'], // three dashes but a '--': IPv6
    ['fe80--1%eth0', undefined], // Go's ParseIP takes no zone
    ['1-2-3-4-5-6-7--8', undefined], // '::' standing for no group
  ])('%s', (label, want) => expect(podLabelAddress(label)).toBe(want));
});

describe('reverseIPv4', () => {
  it.each([
    ['1.0.96.127', '127.96.0.1'],
    ['0.96.127', undefined],
    ['1.0.96.127.5', undefined],
    ['01.0.96.127', undefined],
    ['x.0.96.127', undefined],
  ])('%s', (labels, want) => expect(reverseIPv4(labels)).toBe(want));
});

/** The reverse name's labels of a 16-byte address, as the spec writes them (nibbles, least significant first). */
function nibbles(hex32: string): string {
  return [...hex32].reverse().join('.');
}

describe('reverseIPv6 (CoreDNS dnsutil reverse6, printed as Go net.IP.String)', () => {
  it.each([
    [nibbles('20010db8000000000000000000000001'), '2001:db8::1'],
    [nibbles('1234abcd000000000000000000000001'), '1234:abcd::1'],
    [nibbles('00000000000000000000ffff0a000001'), '10.0.0.1'], // IPv4-mapped: Go prints the IPv4 address
    [nibbles('00000000000000000000000000000000'), '::'],
    [nibbles('20010db8000000000001000000000001'), '2001:db8::1:0:0:1'], // the first of two equal zero runs
    [nibbles('00010002000300040005000600070008'), '1:2:3:4:5:6:7:8'],
    [`x.${nibbles('20010db8000000000000000000000001')}`, '2001:db8::1'], // a 33rd label is dropped, as reverse6 does
    [nibbles('20010db800000000000000000000000'), undefined], // 31 nibbles: seven groups
    ['01.00.00.00.00.00.00.00.00.00.00.00.00.00.00.00', undefined], // groups of eight digits
    ['g.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0', undefined],
  ])('%s', (labels, want) => expect(reverseIPv6(labels)).toBe(want));
});

describe('parseIPv6 and formatIP (Go netip rules)', () => {
  it.each([
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['FD00:0:0:0:0:0:0:A', 'fd00::a'],
    ['0:0:1:0:0:0:1:0', '0:0:1::1:0'],
    ['1:2:3:4:5:6:7::8', undefined],
    ['1::2::3', undefined],
    ['12345::1', undefined],
    [':1::2', undefined],
    ['1:', undefined],
    ['fe80::1%eth0', undefined],
    ['::ffff:1.2.3.4', undefined], // no embedded IPv4 here (label text has no dots)
    ['', undefined],
  ])('%s', (text, want) => {
    const b = parseIPv6(text);
    expect(b ? formatIP(b) : undefined).toBe(want);
  });
});

describe('stripUnderscore (CoreDNS parse.go)', () => {
  it.each([
    ['_http', 'http'],
    ['http', 'http'],
    ['_', ''],
    ['__x', '_x'],
  ])('%s', (label, want) => expect(stripUnderscore(label)).toBe(want));
});
