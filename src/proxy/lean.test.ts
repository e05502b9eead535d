import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Service } from '../api/core.js';
import { leanEndpointSlice, leanService } from './lean.js';
import { ChangeTracker } from './tracker/index.js';

const managedFields = [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:ports': {} } } }];

function services(): Service[] {
  return [
    {
      metadata: { namespace: 'shop', name: 'web', uid: 'u1', resourceVersion: '7', labels: { app: 'web' }, annotations: { note: 'x'.repeat(500) }, managedFields },
      spec: {
        type: 'LoadBalancer', selector: { app: 'web' }, clusterIP: '127.96.0.20', clusterIPs: ['127.96.0.20'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
        ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080, appProtocol: 'http' }, { name: 'dns', protocol: 'UDP', port: 53, targetPort: 'dns', nodePort: 30053 }],
        externalIPs: ['127.33.0.1'], sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
        externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Local', healthCheckNodePort: 31000, allocateLoadBalancerNodePorts: true,
      },
      status: { loadBalancer: { ingress: [{ ip: '127.240.0.5', ipMode: 'VIP', ports: [{ port: 80, protocol: 'TCP' }] }, { ip: '127.240.0.6', ipMode: 'Proxy' }] } },
    },
    { metadata: { namespace: 'shop', name: 'plain', managedFields }, spec: { clusterIP: '127.96.0.21', ports: [{ port: 443, targetPort: 8443 }] } },
    { metadata: { namespace: 'shop', name: 'old' }, spec: { type: 'NodePort', clusterIP: '127.96.0.22', ports: [{ name: 'a', port: 1, nodePort: 30001 }] } },
    { metadata: { namespace: 'shop', name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.org' } },
  ];
}

function slices(): EndpointSlice[] {
  const ep = (ip: string, ready: boolean, nodeName: string) => ({
    addresses: [ip, '127.250.0.99'], conditions: { ready, serving: true, terminating: !ready }, nodeName, zone: 'z1', hostname: 'h', hints: { forZones: [{ name: 'z1' }] },
    targetRef: { kind: 'Pod', namespace: 'shop', name: `web-${ip}`, uid: 'x' },
  });
  return [
    {
      metadata: { namespace: 'shop', name: 'web-abc', labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' }, annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2026-11-22T10:00:00Z' }, managedFields },
      addressType: 'IPv4',
      ports: [{ name: 'http', protocol: 'TCP', port: 8080 }, { name: 'dns', protocol: 'UDP', port: 5353 }],
      endpoints: [ep('127.244.0.1', true, 'n1'), ep('127.244.0.2', false, 'n2'), { addresses: ['127.244.0.3'] }],
    },
    { metadata: { namespace: 'shop', name: 'plain-1', labels: { 'kubernetes.io/service-name': 'plain' } }, addressType: 'IPv4', ports: [{ port: 8443 }], endpoints: [{ addresses: ['127.244.0.4'], conditions: { ready: true } }] },
    { metadata: { namespace: 'shop', name: 'orphan' }, addressType: 'IPv4', ports: null, endpoints: null },
    { metadata: { namespace: 'shop', name: 'v6', labels: { 'kubernetes.io/service-name': 'plain' } }, addressType: 'IPv6', ports: [{ port: 8443 }], endpoints: [{ addresses: ['::1'] }] },
  ];
}

function stateFrom(svcs: Service[], sls: EndpointSlice[]) {
  const t = new ChangeTracker({ nodeName: 'n1' });
  for (const s of svcs) t.onServiceUpsert(s);
  for (const s of sls) t.onEndpointSliceUpsert(s);
  return { state: t.state(), triggers: t.takeChanges().triggerTimes };
}

describe('lean projections of the proxy', () => {
  it('give the change tracker exactly the state the full objects give', () => {
    const full = stateFrom(services(), slices());
    const lean = stateFrom(services().map(leanService), slices().map(leanEndpointSlice));
    expect(full.state.size).toBe(4); // web http + dns, plain, old
    expect([...lean.state]).toEqual([...full.state]);
    expect(lean.triggers).toEqual(full.triggers);
  });

  it('drop what the tracker never reads', () => {
    const svc = leanService(services()[0]!);
    expect(JSON.stringify(svc)).not.toMatch(/managedFields|selector|xxxx|targetPort|appProtocol|ipFamil|allocateLoadBalancerNodePorts/);
    const slice = leanEndpointSlice(slices()[0]!);
    expect(JSON.stringify(slice)).not.toMatch(/managedFields|managed-by|targetRef|hints|hostname|127\.250\.0\.99/);
    expect(slice.metadata.labels).toEqual({ 'kubernetes.io/service-name': 'web' });
  });
});
