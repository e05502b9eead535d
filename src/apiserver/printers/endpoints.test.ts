import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { endpointSlicePrinter, endpointsPrinter } from './endpoints.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const meta = (name: string) => ({ name, namespace: 'default', creationTimestamp: '2024-05-01T11:59:00Z' });

const addr = (ip: string) => ({ ip, nodeName: 'node-1', targetRef: { kind: 'Pod', name: `pod-${ip}`, namespace: 'default' } });

function endpoints(subsets?: unknown[]): KubeObject {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: meta('web'), ...(subsets ? { subsets } : {}) };
}

describe('endpoints printer', () => {
  it.each<[string, KubeObject, string]>([
    ['no subsets', endpoints(), '<none>'],
    ['empty subsets', endpoints([]), '<none>'],
    [
      'two ready addresses on one port',
      endpoints([{ addresses: [addr('10.244.0.5'), addr('10.244.0.6')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }]),
      '10.244.0.5:8080,10.244.0.6:8080',
    ],
    [
      'exactly three',
      endpoints([{ addresses: [addr('10.0.0.1'), addr('10.0.0.2'), addr('10.0.0.3')], ports: [{ port: 80 }] }]),
      '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80',
    ],
    [
      'five addresses: three, then the count of the rest',
      endpoints([{ addresses: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5'].map(addr), ports: [{ port: 80 }] }]),
      '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...',
    ],
    [
      'every port of a subset, port by port',
      endpoints([{ addresses: [addr('10.0.0.1'), addr('10.0.0.2')], ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] }]),
      '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...',
    ],
    [
      'across subsets',
      endpoints([
        { addresses: [addr('10.0.0.1'), addr('10.0.0.2')], ports: [{ port: 80 }] },
        { addresses: [addr('10.0.1.1'), addr('10.0.1.2')], ports: [{ port: 8080 }] },
      ]),
      '10.0.0.1:80,10.0.0.2:80,10.0.1.1:8080 + 1 more...',
    ],
    ['headless without ports: bare IPs', endpoints([{ addresses: [addr('10.0.0.1'), addr('10.0.0.2')] }]), '10.0.0.1,10.0.0.2'],
    ['IPv6 in brackets', endpoints([{ addresses: [addr('fd00::5')], ports: [{ port: 80 }] }]), '[fd00::5]:80'],
    ['only not-ready addresses print nothing', endpoints([{ notReadyAddresses: [addr('10.0.0.1')], ports: [{ port: 80 }] }]), ''],
  ])('%s', (_what, obj, cell) => {
    expect(endpointsPrinter.row(obj, NOW)).toEqual(['web', cell, '60s']);
  });
});

function slice(ports: unknown, endpoints: unknown, addressType = 'IPv4'): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { ...meta('web-abc12'), labels: { 'kubernetes.io/service-name': 'web' } },
    addressType,
    ports,
    endpoints,
  };
}

const ep = (...addresses: string[]) => ({ addresses, conditions: { ready: true } });

describe('endpointslice printer', () => {
  it.each<[string, KubeObject, unknown[]]>([
    [
      'a service slice',
      slice([{ name: 'http', port: 8080, protocol: 'TCP' }], [ep('10.244.0.5'), ep('10.244.0.6')]),
      ['IPv4', '8080', '10.244.0.5,10.244.0.6'],
    ],
    ['nothing yet', slice([], []), ['IPv4', '<unset>', '<unset>']],
    ['ports and endpoints unset', slice(undefined, undefined), ['IPv4', '<unset>', '<unset>']],
    [
      'more than three ports and addresses',
      slice(
        [{ port: 80 }, { port: 443 }, { port: 8080 }, { port: 9090 }],
        [ep('10.0.0.1', '10.0.0.2'), ep('10.0.0.3'), ep('10.0.0.4'), ep('10.0.0.5')],
      ),
      ['IPv4', '80,443,8080 + 1 more...', '10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...'],
    ],
    ['a port with only a name; a port for all ports', slice([{ name: 'http' }, {}], [ep('fd00::1')], 'IPv6'), ['IPv6', 'http,*', 'fd00::1']],
  ])('%s', (_what, obj, cells) => {
    expect(endpointSlicePrinter.row(obj, NOW)).toEqual(['web-abc12', ...cells, '60s']);
  });

  it('declares Kubernetes’ columns', () => {
    expect(endpointsPrinter.columns.map((c) => c.name)).toEqual(['Name', 'Endpoints', 'Age']);
    expect(endpointSlicePrinter.columns.map((c) => c.name)).toEqual(['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
  });
});
