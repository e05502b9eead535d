import { describe, expect, it } from 'vitest';
import { endpointLabel, podLabelAddress, relativeName, reverseIPv4 } from './names.js';

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
