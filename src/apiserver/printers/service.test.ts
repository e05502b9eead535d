import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { servicePrinter } from './service.js';

const NOW = new Date('2024-05-01T12:00:00Z');

/** A Service as `kubectl create service`/`expose` stores it after defaulting, created 5 minutes ago. */
function svc(name: string, spec: Record<string, unknown>, status: Record<string, unknown> = { loadBalancer: {} }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', creationTimestamp: '2024-05-01T11:55:00Z' },
    spec: { sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', ...spec },
    status,
  };
}

const web = { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] };

// [description, service, TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR]
const cases: [string, KubeObject, unknown[]][] = [
  [
    'ClusterIP',
    svc('web', { type: 'ClusterIP', clusterIP: '10.96.12.34', clusterIPs: ['10.96.12.34'], ...web }),
    ['ClusterIP', '10.96.12.34', '<none>', '80/TCP', '5m', 'app=web'],
  ],
  [
    'several ports and protocols, selector sorted',
    svc('dns', {
      type: 'ClusterIP',
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      selector: { 'k8s-app': 'kube-dns', app: 'dns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        { name: 'metrics', port: 9153, protocol: 'TCP' },
      ],
    }),
    ['ClusterIP', '10.96.0.10', '<none>', '53/UDP,53/TCP,9153/TCP', '5m', 'app=dns,k8s-app=kube-dns'],
  ],
  [
    'ClusterIP with external IPs',
    svc('web', { type: 'ClusterIP', clusterIPs: ['10.96.12.34'], externalIPs: ['203.0.113.5', '203.0.113.6'], ...web }),
    ['ClusterIP', '10.96.12.34', '203.0.113.5,203.0.113.6', '80/TCP', '5m', 'app=web'],
  ],
  [
    'headless',
    svc('db', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], selector: { app: 'db' }, ports: [{ port: 5432, protocol: 'TCP' }] }),
    ['ClusterIP', 'None', '<none>', '5432/TCP', '5m', 'app=db'],
  ],
  [
    'NodePort',
    svc('web', {
      type: 'NodePort',
      clusterIPs: ['10.96.12.34'],
      externalTrafficPolicy: 'Cluster',
      selector: { app: 'web' },
      ports: [
        { port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' },
        { port: 443, targetPort: 8443, nodePort: 30443, protocol: 'TCP' },
      ],
    }),
    ['NodePort', '10.96.12.34', '<none>', '80:30080/TCP,443:30443/TCP', '5m', 'app=web'],
  ],
  [
    'LoadBalancer waiting for an address',
    svc('web', { type: 'LoadBalancer', clusterIPs: ['10.96.12.34'], selector: { app: 'web' }, ports: [{ port: 80, nodePort: 31234, protocol: 'TCP' }] }),
    ['LoadBalancer', '10.96.12.34', '<pending>', '80:31234/TCP', '5m', 'app=web'],
  ],
  [
    'LoadBalancer with ingress IPs and a hostname, sorted and de-duplicated',
    svc(
      'web',
      { type: 'LoadBalancer', clusterIPs: ['10.96.12.34'], selector: { app: 'web' }, ports: [{ port: 80, nodePort: 31234, protocol: 'TCP' }] },
      { loadBalancer: { ingress: [{ ip: '192.0.2.20' }, { ip: '192.0.2.10' }, { hostname: 'lb.example.com' }, { ip: '192.0.2.10' }] } },
    ),
    ['LoadBalancer', '10.96.12.34', '192.0.2.10,192.0.2.20,lb.example.com', '80:31234/TCP', '5m', 'app=web'],
  ],
  [
    'LoadBalancer with ingress and external IPs: ingress first',
    svc(
      'web',
      { type: 'LoadBalancer', clusterIPs: ['10.96.12.34'], externalIPs: ['203.0.113.5'], ...web },
      { loadBalancer: { ingress: [{ ip: '192.0.2.10', ipMode: 'VIP' }] } },
    ),
    ['LoadBalancer', '10.96.12.34', '192.0.2.10,203.0.113.5', '80/TCP', '5m', 'app=web'],
  ],
  [
    'LoadBalancer with only external IPs',
    svc('web', { type: 'LoadBalancer', clusterIPs: ['10.96.12.34'], externalIPs: ['203.0.113.5'], ...web }),
    ['LoadBalancer', '10.96.12.34', '203.0.113.5', '80/TCP', '5m', 'app=web'],
  ],
  [
    'ExternalName',
    svc('db', { type: 'ExternalName', externalName: 'db.example.com' }, {}),
    ['ExternalName', '<none>', 'db.example.com', '<none>', '5m', '<none>'],
  ],
  [
    'type and protocol unset read as their defaults',
    svc('web', { clusterIP: '10.96.12.34', selector: { app: 'web' }, ports: [{ port: 80 }] }),
    ['ClusterIP', '10.96.12.34', '<none>', '80/TCP', '5m', 'app=web'],
  ],
];

describe('service printer', () => {
  it.each(cases)('%s', (_what, obj, cells) => {
    expect(servicePrinter.row(obj, NOW)).toEqual([obj.metadata.name, ...cells]);
  });

  it('declares Kubernetes’ service columns', () => {
    expect(servicePrinter.columns.map((c) => [c.name, c.type, c.format, c.priority])).toEqual([
      ['Name', 'string', 'name', 0],
      ['Type', 'string', '', 0],
      ['Cluster-IP', 'string', '', 0],
      ['External-IP', 'string', '', 0],
      ['Port(s)', 'string', '', 0],
      ['Age', 'string', '', 0],
      ['Selector', 'string', '', 1],
    ]);
  });
});
