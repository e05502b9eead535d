import { describe, expect, it } from 'vitest';
import type { EndpointAddress, EndpointSubset } from '../../api/core.js';
import { pod, service } from '../endpointslice/testing/fixtures.js';
import { desiredSubsets } from './controller.js';
import { countAddresses, repackSubsets, subsetsEqual, truncateSubsets } from './subsets.js';

const a = (ip: string, uid = `u-${ip}`): EndpointAddress => ({ ip, targetRef: { kind: 'Pod', namespace: 'default', name: uid, uid } });
const P80 = { name: 'http', port: 80, protocol: 'TCP' };
const P443 = { name: 'https', port: 443, protocol: 'TCP' };

describe('repackSubsets (RepackSubsets)', () => {
  const cases: [string, EndpointSubset[], EndpointSubset[]][] = [
    ['nothing stays nothing', [], []],
    [
      'one address per port merges into one subset per port set',
      [
        { addresses: [a('127.0.0.2')], ports: [P80] },
        { addresses: [a('127.0.0.1')], ports: [P80] },
        { addresses: [a('127.0.0.1')], ports: [P443] },
        { addresses: [a('127.0.0.2')], ports: [P443] },
      ],
      [{ addresses: [a('127.0.0.1'), a('127.0.0.2')], ports: [P80, P443] }],
    ],
    [
      'addresses with different ports land in different subsets',
      [
        { addresses: [a('127.0.0.1')], ports: [P80] },
        { addresses: [a('127.0.0.2')], ports: [P443] },
      ],
      [
        { addresses: [a('127.0.0.1')], ports: [P80] },
        { addresses: [a('127.0.0.2')], ports: [P443] },
      ],
    ],
    [
      'ready and not-ready addresses of the same ports share a subset',
      [
        { addresses: [a('127.0.0.1')], ports: [P80] },
        { notReadyAddresses: [a('127.0.0.2')], ports: [P80] },
      ],
      [{ addresses: [a('127.0.0.1')], notReadyAddresses: [a('127.0.0.2')], ports: [P80] }],
    ],
    [
      'an address both ready and not ready counts as not ready',
      [
        { addresses: [a('127.0.0.1')], ports: [P80] },
        { notReadyAddresses: [a('127.0.0.1')], ports: [P80] },
      ],
      [{ notReadyAddresses: [a('127.0.0.1')], ports: [P80] }],
    ],
    [
      'duplicates (same IP and uid) collapse; same IP of another pod does not',
      [{ addresses: [a('127.0.0.1'), a('127.0.0.1'), a('127.0.0.1', 'other')], ports: [P80] }],
      [{ addresses: [a('127.0.0.1', 'other'), a('127.0.0.1')], ports: [P80] }],
    ],
    ['subsets without ports keep their addresses', [{ addresses: [a('127.0.0.2')] }, { addresses: [a('127.0.0.1')] }], [{ addresses: [a('127.0.0.1'), a('127.0.0.2')] }]],
  ];
  it.each(cases)('%s', (_what, input, want) => {
    expect(repackSubsets(input)).toEqual(want);
  });

  it('is canonical: any order of the same endpoints repacks the same', () => {
    const x: EndpointSubset[] = [
      { addresses: [a('127.0.0.3'), a('127.0.0.1')], ports: [P443, P80] },
      { notReadyAddresses: [a('127.0.0.9')], ports: [P80] },
    ];
    const y: EndpointSubset[] = [
      { notReadyAddresses: [a('127.0.0.9')], ports: [P80] },
      { addresses: [a('127.0.0.1'), a('127.0.0.3')], ports: [P80, P443] },
    ];
    expect(repackSubsets(x)).toEqual(repackSubsets(y));
    expect(subsetsEqual(repackSubsets(x), repackSubsets(y))).toBe(true);
  });

  it('subsetsEqual ignores the target resourceVersion and absent-versus-empty lists', () => {
    const withRv: EndpointSubset[] = [{ addresses: [{ ...a('127.0.0.1'), targetRef: { ...a('127.0.0.1').targetRef, resourceVersion: '9' } }], notReadyAddresses: [], ports: [P80] }];
    expect(subsetsEqual(withRv, [{ addresses: [a('127.0.0.1')], ports: [P80] }])).toBe(true);
    expect(subsetsEqual(withRv, [{ notReadyAddresses: [a('127.0.0.1')], ports: [P80] }])).toBe(false);
  });
});

describe('truncateSubsets (truncateEndpoints)', () => {
  const many = (n: number, base: number): EndpointAddress[] => Array.from({ length: n }, (_, i) => a(`127.1.${Math.floor((base + i) / 250)}.${((base + i) % 250) + 1}`));
  const cases: [string, EndpointSubset[], boolean, [number, number][]][] = [
    ['under the cap nothing changes', [{ addresses: many(10, 0), notReadyAddresses: many(5, 100), ports: [P80] }], false, [[10, 5]]],
    ['not-ready addresses are cut first', [{ addresses: many(900, 0), notReadyAddresses: many(200, 1000), ports: [P80] }], true, [[900, 100]]],
    [
      'ready addresses over the cap: cut in proportion, not-ready dropped',
      [
        { addresses: many(1200, 0), notReadyAddresses: many(10, 5000), ports: [P80] },
        { addresses: many(300, 2000), ports: [P443] },
      ],
      true,
      [
        [800, 0],
        [200, 0],
      ],
    ],
  ];
  it.each(cases)('%s', (_what, input, truncated, counts) => {
    const r = truncateSubsets(input);
    expect(r.truncated).toBe(truncated);
    expect(r.subsets.map((s) => [s.addresses?.length ?? 0, s.notReadyAddresses?.length ?? 0])).toEqual(counts);
    expect(countAddresses(r.subsets)).toBeLessThanOrEqual(1000);
  });
});

describe('desiredSubsets (the Endpoints controller)', () => {
  const svc = service('web', { ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
  const ports = [{ name: 'http', containerPort: 8080, protocol: 'TCP' as const }];

  it('ready pods are addresses, not-ready ones notReadyAddresses, terminating ones left out', () => {
    const subsets = desiredSubsets(svc, [
      pod('a', { ip: '127.244.0.1', ports }),
      pod('b', { ip: '127.244.0.2', ports, ready: false }),
      pod('c', { ip: '127.244.0.3', ports, deleting: true }),
      pod('d', { ip: '127.244.0.4', ports, phase: 'Failed' }),
      pod('e', { ip: '127.244.0.5', ports: [] }),
    ]);
    expect(subsets).toEqual([
      {
        addresses: [{ ip: '127.244.0.1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } }],
        notReadyAddresses: [{ ip: '127.244.0.2', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' } }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  it('publishNotReadyAddresses publishes not-ready and terminating pods as ready', () => {
    const pub = service('web', { publishNotReadyAddresses: true, ports: [{ port: 80, targetPort: 8080 }] });
    const subsets = desiredSubsets(pub, [pod('b', { ip: '127.244.0.2', ready: false }), pod('c', { ip: '127.244.0.3', deleting: true })]);
    expect(subsets.map((s) => [s.addresses?.map((x) => x.ip), s.notReadyAddresses, s.ports])).toEqual([[['127.244.0.2', '127.244.0.3'], undefined, [{ port: 8080, protocol: 'TCP' }]]]);
  });

  it('a headless Service without ports lists bare addresses with hostnames', () => {
    const h = service('h', { clusterIP: 'None', ports: [] });
    const subsets = desiredSubsets(h, [pod('a', { ip: '127.244.0.1', hostname: 'a0', subdomain: 'h', node: 'n1' })]);
    expect(subsets).toEqual([{ addresses: [{ ip: '127.244.0.1', hostname: 'a0', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } }] }]);
  });
});
