import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { ingressClassPrinter, ingressPrinter } from './networking.js';

const NOW = new Date('2024-05-01T12:00:00Z');

const backend = { service: { name: 'web', port: { number: 80 } } };
const rule = (host?: string) => ({ ...(host ? { host } : {}), http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } });

function ingress(spec: Record<string, unknown>, status: Record<string, unknown> = { loadBalancer: {} }): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T09:00:00Z' },
    spec,
    status,
  };
}

describe('ingress printer', () => {
  // [description, ingress, CLASS HOSTS ADDRESS PORTS AGE]
  it.each<[string, KubeObject, unknown[]]>([
    [
      'kubectl create ingress web --class=nginx --rule=shop.example.com/=web:80',
      ingress({ ingressClassName: 'nginx', rules: [rule('shop.example.com')] }, { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } }),
      ['nginx', 'shop.example.com', '192.0.2.10', '80', '3h'],
    ],
    [
      'with TLS, no address yet',
      ingress({ ingressClassName: 'nginx', rules: [rule('shop.example.com')], tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }] }),
      ['nginx', 'shop.example.com', '', '80, 443', '3h'],
    ],
    ['no class, default backend only', ingress({ defaultBackend: backend }), ['<none>', '*', '', '80', '3h']],
    ['rules without hosts', ingress({ rules: [rule()] }), ['<none>', '*', '', '80', '3h']],
    [
      'more than three rules',
      ingress({ rules: [rule('a.example.com'), rule(), rule('b.example.com'), rule('c.example.com'), rule('d.example.com')] }),
      ['<none>', 'a.example.com,b.example.com,c.example.com + 2 more...', '', '80', '3h'],
    ],
    [
      'hostname and IP addresses, sorted',
      ingress({ rules: [rule('x.example.com')] }, { loadBalancer: { ingress: [{ ip: '192.0.2.11' }, { hostname: 'a.lb.example.net' }, { ip: '192.0.2.10' }] } }),
      ['<none>', 'x.example.com', '192.0.2.10,192.0.2.11,a.lb.example.net', '80', '3h'],
    ],
  ])('%s', (_what, obj, cells) => {
    expect(ingressPrinter.row(obj, NOW)).toEqual(['web', ...cells]);
  });

  it('declares Kubernetes’ ingress columns', () => {
    expect(ingressPrinter.columns.map((c) => c.name)).toEqual(['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age']);
  });
});

describe('ingressclass printer', () => {
  const ic = (spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'nginx', creationTimestamp: '2024-04-20T12:00:00Z', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec,
  });

  it.each<[string, KubeObject, unknown[]]>([
    ['without parameters', ic({ controller: 'k8s.io/ingress-nginx' }), ['nginx', 'k8s.io/ingress-nginx', '<none>', '11d']],
    [
      'parameters in an API group',
      ic({ controller: 'example.com/lb', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb', scope: 'Cluster' } }),
      ['nginx', 'example.com/lb', 'IngressParameters.k8s.example.com/external-lb', '11d'],
    ],
    [
      'parameters in the core group',
      ic({ controller: 'example.com/lb', parameters: { kind: 'ConfigMap', name: 'lb-config', namespace: 'ingress', scope: 'Namespace' } }),
      ['nginx', 'example.com/lb', 'ConfigMap/lb-config', '11d'],
    ],
  ])('%s', (_what, obj, cells) => {
    expect(ingressClassPrinter.row(obj, NOW)).toEqual(cells);
  });

  it('declares Kubernetes’ ingress class columns', () => {
    expect(ingressClassPrinter.columns.map((c) => c.name)).toEqual(['Name', 'Controller', 'Parameters', 'Age']);
  });
});
