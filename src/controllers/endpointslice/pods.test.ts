import { describe, expect, it } from 'vitest';
import type { ServicePort } from '../../api/core.js';
import { addressTypesFor, endpointPortsFor, findPort, podChange, podIPs, portMapKey, shouldPodBeInEndpoints, shouldSetHostname } from './pods.js';
import { pod, service } from './testing/fixtures.js';

describe('findPort (pkg/api/v1/pod FindPort)', () => {
  const web = pod('web', {
    ports: [
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'dns', containerPort: 5353, protocol: 'UDP' },
      { name: 'metrics', containerPort: 9090 },
    ],
    initPorts: [{ name: 'proxy', containerPort: 15001, protocol: 'TCP' }],
  });
  const cases: [string, ServicePort, number | undefined][] = [
    ['a numeric targetPort is used as is', { port: 80, targetPort: 9999 }, 9999],
    ['no targetPort means the service port', { port: 80 }, 80],
    ['a named targetPort resolves by name', { port: 80, targetPort: 'http', protocol: 'TCP' }, 8080],
    ['the protocol must match too', { port: 53, targetPort: 'dns', protocol: 'TCP' }, undefined],
    ['a UDP name matches a UDP port', { port: 53, targetPort: 'dns', protocol: 'UDP' }, 5353],
    ['protocols default to TCP on both sides', { port: 90, targetPort: 'metrics' }, 9090],
    ['an unknown name resolves to nothing', { port: 80, targetPort: 'grpc' }, undefined],
    ['a restartable init container (sidecar) counts', { port: 15001, targetPort: 'proxy' }, 15001],
  ];
  it.each(cases)('%s', (_what, sp, want) => {
    expect(findPort(web, sp)).toBe(want);
  });

  it('an init container that is not restartable does not count', () => {
    const p = pod('p', { initPorts: [{ name: 'proxy', containerPort: 1 }] });
    p.spec.initContainers![0] = { name: 'side', image: 'x', ports: [{ name: 'proxy', containerPort: 1 }] };
    expect(findPort(p, { port: 1, targetPort: 'proxy' })).toBeUndefined();
  });
});

describe('endpointPortsFor (getEndpointPorts)', () => {
  it('names each resolved port as the Service port, skipping unresolved ones', () => {
    const svc = service('web', {
      ports: [
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        { name: 'admin', port: 81, targetPort: 'admin', protocol: 'TCP', appProtocol: 'http' },
        { port: 82, targetPort: 8082 },
      ],
    });
    const p = pod('a', { ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] });
    expect(endpointPortsFor(svc, p)).toEqual([
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: '', port: 8082, protocol: 'TCP' },
    ]);
  });

  it('a headless Service without ports has none', () => {
    expect(endpointPortsFor(service('h', { clusterIP: 'None', ports: [] }), pod('a'))).toEqual([]);
  });
});

describe('portMapKey (NewPortMapKey)', () => {
  it('is the same for the same ports in any order, different for different ports', () => {
    const a = { name: 'a', port: 1, protocol: 'TCP' as const };
    const b = { name: 'b', port: 2, protocol: 'TCP' as const };
    expect(portMapKey([a, b])).toBe(portMapKey([b, a]));
    expect(portMapKey([a])).not.toBe(portMapKey([{ ...a, port: 3 }]));
    expect(portMapKey(null)).toBe(portMapKey([]));
  });
});

describe('shouldPodBeInEndpoints', () => {
  const cases: [string, Parameters<typeof pod>[1], boolean, boolean][] = [
    ['a running pod with an IP', {}, false, true],
    ['a pod without an IP', { ip: '' }, true, false],
    ['a Succeeded pod', { phase: 'Succeeded' }, true, false],
    ['a Failed pod', { phase: 'Failed' }, true, false],
    ['a not-ready pod is still in', { ready: false }, false, true],
    ['a terminating pod, terminating excluded', { deleting: true }, false, false],
    ['a terminating pod, terminating included', { deleting: true }, true, true],
  ];
  it.each(cases)('%s', (_what, opts, includeTerminating, want) => {
    expect(shouldPodBeInEndpoints(pod('p', opts), includeTerminating)).toBe(want);
  });
});

describe('pod addresses, hostnames, address types', () => {
  it('podIPs prefers status.podIPs and falls back to status.podIP', () => {
    expect(podIPs(pod('p', { ips: ['127.244.0.9', 'fd00::9'] }))).toEqual(['127.244.0.9', 'fd00::9']);
    expect(podIPs(pod('p', { ip: '127.244.0.8' }))).toEqual(['127.244.0.8']);
  });

  const hostnameCases: [string, Parameters<typeof pod>[1], boolean][] = [
    ['hostname and subdomain = service name', { hostname: 'h0', subdomain: 'web' }, true],
    ['subdomain of another service', { hostname: 'h0', subdomain: 'other' }, false],
    ['no hostname', { subdomain: 'web' }, false],
    ['another namespace', { hostname: 'h0', subdomain: 'web', ns: 'other' }, false],
  ];
  it.each(hostnameCases)('shouldSetHostname: %s', (_what, opts, want) => {
    expect(shouldSetHostname(pod('p', opts), service('web'))).toBe(want);
  });

  it('address types come from ipFamilies, else the cluster IP, else both for headless', () => {
    expect(addressTypesFor(service('a', { ipFamilies: ['IPv4'] }))).toEqual(['IPv4']);
    expect(addressTypesFor(service('a', { ipFamilies: ['IPv6', 'IPv4'] }))).toEqual(['IPv6', 'IPv4']);
    expect(addressTypesFor(service('a', { ipFamilies: [], clusterIP: 'fd00::1' }))).toEqual(['IPv6']);
    expect(addressTypesFor(service('a', { ipFamilies: [], clusterIP: 'None' }))).toEqual(['IPv4', 'IPv6']);
  });
});

describe('podChange (podEndpointsChanged)', () => {
  const base = pod('p', { rv: '1' });
  const cases: [string, Parameters<typeof pod>[1], { endpoints: boolean; membership: boolean }][] = [
    ['nothing that matters', { rv: '2' }, { endpoints: false, membership: false }],
    ['readiness', { ready: false }, { endpoints: true, membership: false }],
    ['deletion', { deleting: true }, { endpoints: true, membership: false }],
    ['address', { ip: '127.244.9.9' }, { endpoints: true, membership: false }],
    ['terminal phase', { phase: 'Succeeded' }, { endpoints: true, membership: false }],
    ['hostname', { hostname: 'h' }, { endpoints: true, membership: false }],
    ['labels', { labels: { app: 'other' } }, { endpoints: false, membership: true }],
  ];
  it.each(cases)('%s', (_what, opts, want) => {
    expect(podChange(base, pod('p', opts))).toEqual(want);
  });
});
