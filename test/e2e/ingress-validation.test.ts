// Ingress and IngressClass validation with the real kubectl: a broken object gets kube-apiserver's
// 422, with its field paths and messages, and nothing is stored; a valid one is stored as
// Kubernetes stores it (networking.k8s.io/v1 defaults included: none for an Ingress, pathType is
// required; scope Cluster for IngressClass parameters), and a new Ingress that names no class gets
// the default IngressClass (the DefaultIngressClass admission plugin).
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL_VERSIONS, TestCluster } from './harness.js';

const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const WILDCARD =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

const ingress = (name: string, spec: string, annotations = ''): string => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
${annotations}spec:
${spec}`;

const NO_PATH_TYPE = ingress(
  'no-path-type',
  `  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        backend:
          service:
            name: web
            port:
              number: 80
`,
);

/** The valid Ingress: wildcard host, Exact and Prefix paths, TLS, a default backend, ports by name and number, a resource backend. */
const SHOP_SPEC = `  ingressClassName: nginx
  defaultBackend:
    service:
      name: fallback
      port:
        name: http
  tls:
  - hosts:
    - "*.shop.example.com"
    - shop.example.com
    secretName: shop-tls
  rules:
  - host: "*.shop.example.com"
    http:
      paths:
      - path: /cart
        pathType: Exact
        backend:
          service:
            name: cart
            port:
              number: 8080
      - path: /
        pathType: Prefix
        backend:
          service:
            name: storefront
            port:
              name: http
  - host: static.example.com
    http:
      paths:
      - pathType: ImplementationSpecific
        backend:
          resource:
            kind: StorageBucket
            name: static-assets
`;

/** What Kubernetes stores for SHOP_SPEC: the spec as sent, and apiGroup null (a pointer without omitempty). */
const SHOP_STORED = {
  ingressClassName: 'nginx',
  defaultBackend: { service: { name: 'fallback', port: { name: 'http' } } },
  tls: [{ hosts: ['*.shop.example.com', 'shop.example.com'], secretName: 'shop-tls' }],
  rules: [
    {
      host: '*.shop.example.com',
      http: {
        paths: [
          { path: '/cart', pathType: 'Exact', backend: { service: { name: 'cart', port: { number: 8080 } } } },
          { path: '/', pathType: 'Prefix', backend: { service: { name: 'storefront', port: { name: 'http' } } } },
        ],
      },
    },
    { host: 'static.example.com', http: { paths: [{ pathType: 'ImplementationSpecific', backend: { resource: { apiGroup: null, kind: 'StorageBucket', name: 'static-assets' } } }] } },
  ],
};

interface Stored {
  metadata: { name: string; generation?: number; resourceVersion?: string };
  spec: unknown;
  status?: unknown;
}

let c: TestCluster;

beforeAll(async () => {
  c = await TestCluster.start({ extraArgs: ['--no-proxy'] });
});

afterAll(async () => {
  await c?.stop();
});

async function getJson(kind: string, name: string): Promise<Stored> {
  return JSON.parse(await c.k(['get', kind, name, '-o', 'json'])) as Stored;
}

describe('kubectl apply of a broken Ingress: the 422 kube-apiserver gives, and nothing stored', () => {
  // [name, manifest, kubectl's stderr]
  const cases: [string, string, string][] = [
    ['no-path-type', NO_PATH_TYPE, 'The Ingress "no-path-type" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified\n'],
    [
      'no-rules',
      ingress('no-rules', '  tls:\n  - secretName: shop-tls\n'),
      'The Ingress "no-rules" is invalid: spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified\n',
    ],
    [
      'many-errors',
      ingress(
        'many-errors',
        `  tls:
  - hosts:
    - "*.*.example.com"
    secretName: Shop_TLS
  rules:
  - host: 10.0.0.1
    http:
      paths:
      - path: cart
        pathType: Exact
        backend:
          service:
            name: Cart
            port:
              name: http
              number: 80
      - path: /a//b
        pathType: Prefix
        backend:
          service:
            name: cart
            port:
              number: 70000
      - path: /
        pathType: Regex
        backend:
          service:
            name: cart
            port:
              number: 80
  - host: "*"
    http:
      paths: []
`,
      ),
      'The Ingress "many-errors" is invalid: \n' +
        '* spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address\n' +
        '* spec.rules[0].http.paths[0].path: Invalid value: "cart": must be an absolute path\n' +
        `* spec.rules[0].http.paths[0].backend.service.name: Invalid value: "Cart": ${DNS1035}\n` +
        '* spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number\n' +
        "* spec.rules[0].http.paths[1].path: Invalid value: \"/a//b\": must not contain '//'\n" +
        '* spec.rules[0].http.paths[1].backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive\n' +
        '* spec.rules[0].http.paths[2].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"\n' +
        `* spec.rules[1].host: Invalid value: "*": ${WILDCARD}\n` +
        '* spec.rules[1].http.paths: Required value\n' +
        `* spec.tls[0].hosts[0]: Invalid value: "*.*.example.com": ${WILDCARD}\n` +
        `* spec.tls[0].secretName: Invalid value: "Shop_TLS": ${SUBDOMAIN}\n`,
    ],
    [
      'two-backends',
      ingress('two-backends', '  defaultBackend:\n    service:\n      name: web\n      port:\n        number: 80\n    resource:\n      kind: StorageBucket\n      name: static\n'),
      'The Ingress "two-backends" is invalid: spec.defaultBackend: Invalid value: "": cannot set both resource and service backends\n',
    ],
    [
      'class-mismatch',
      ingress('class-mismatch', '  ingressClassName: nginx\n  defaultBackend:\n    service:\n      name: web\n      port:\n        number: 80\n', '  annotations:\n    kubernetes.io/ingress.class: traefik\n'),
      'The Ingress "class-mismatch" is invalid: annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match `ingressClassName` when both are specified\n',
    ],
  ];

  it.each(cases)('%s', async (name, manifest, stderr) => {
    const r = await c.kubectl(['apply', '-f', '-'], { input: manifest });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(stderr);
    const get = await c.kubectl(['get', 'ingress', name]);
    expect(get.stderr).toContain(`ingresses.networking.k8s.io "${name}" not found`);
  });

  it.each(KUBECTL_VERSIONS)('kubectl %s prints the same', async (version) => {
    const r = await c.kubectl(['apply', '-f', '-'], { input: NO_PATH_TYPE, version });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('The Ingress "no-path-type" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified\n');
  });

  it('server-side apply is judged the same', async () => {
    const r = await c.kubectl(['apply', '--server-side', '-f', '-'], { input: NO_PATH_TYPE });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('The Ingress "no-path-type" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified\n');
  });
});

describe('a valid Ingress', () => {
  it('is created and stored as Kubernetes stores it', async () => {
    expect(await c.k(['apply', '-f', '-'], { input: ingress('shop', SHOP_SPEC) })).toBe('ingress.networking.k8s.io/shop created\n');
    const yaml = await c.k(['get', 'ingress', 'shop', '-o', 'yaml']);
    const stored = parseYaml(yaml) as Stored;
    expect(stored.spec).toEqual(SHOP_STORED);
    expect(stored.status).toEqual({ loadBalancer: {} });
    expect(stored.metadata.generation).toBe(1);
    expect(yaml).toContain('\n            apiGroup: null\n            kind: StorageBucket\n');
    // Re-applying: kubectl's three-way patch replaces the atomic rules list (the stored one has
    // apiGroup: null, the manifest does not), as it does against Kubernetes, and the write that
    // follows changes nothing: same resourceVersion, same generation.
    expect(await c.k(['apply', '-f', '-'], { input: ingress('shop', SHOP_SPEC) })).toBe('ingress.networking.k8s.io/shop configured\n');
    expect(await getJson('ingress', 'shop')).toEqual(stored);
  });

  it('shows in kubectl get ingress', async () => {
    const lines = (await c.k(['get', 'ingress', 'shop'])).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE$/);
    expect(lines[1]).toMatch(/^shop\s+nginx\s+\*\.shop\.example\.com,static\.example\.com\s+80, 443\s+\S+$/);
  });

  it('a broken update is refused and changes nothing; a valid one bumps the generation', async () => {
    const before = await getJson('ingress', 'shop');
    const broken = ingress('shop', SHOP_SPEC.replace('        pathType: Exact\n', ''));
    const r = await c.kubectl(['apply', '-f', '-'], { input: broken });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('The Ingress "shop" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified\n');
    expect(await getJson('ingress', 'shop')).toEqual(before);

    await c.k(['apply', '-f', '-'], { input: ingress('shop', SHOP_SPEC.replace('path: /cart', 'path: /basket')) });
    const after = await getJson('ingress', 'shop');
    expect(after.metadata.generation).toBe(2);
    expect((after.spec as typeof SHOP_STORED).rules[0]!.http.paths[0]!.path).toBe('/basket');
  });

  it('status writes are checked by the status rules, and leave the spec and generation alone', async () => {
    const bad = await c.kubectl(['patch', 'ingress', 'shop', '--subresource=status', '--type=merge', '-p', '{"status":{"loadBalancer":{"ingress":[{"ip":"127.0.0.999"},{"hostname":"127.0.0.1"}]}}}']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'The Ingress "shop" is invalid: \n' +
        '* status.loadBalancer.ingress[0].ip: Invalid value: "127.0.0.999": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)\n' +
        '* status.loadBalancer.ingress[1].hostname: Invalid value: "127.0.0.1": must be a DNS name, not an IP address\n',
    );
    await c.k(['patch', 'ingress', 'shop', '--subresource=status', '--type=merge', '-p', '{"status":{"loadBalancer":{"ingress":[{"ip":"127.0.0.77"},{"hostname":"lb.example.com"}]}}}']);
    const after = await getJson('ingress', 'shop');
    expect(after.status).toEqual({ loadBalancer: { ingress: [{ ip: '127.0.0.77' }, { hostname: 'lb.example.com' }] } });
    expect(after.metadata.generation).toBe(2);
    expect((await c.k(['get', 'ingress', 'shop', '--no-headers'])).split(/\s{2,}/)[3]).toBe('127.0.0.77,lb.example.com');
  });

  it('kubectl create ingress (Exact and Prefix rules) is accepted', async () => {
    await c.k(['create', 'ingress', 'simple', '--rule=foo.com/bar=svc1:8080', '--rule=foo.com/api*=api:http']);
    const stored = await getJson('ingress', 'simple');
    expect(stored.spec).toEqual({
      rules: [
        {
          host: 'foo.com',
          http: {
            paths: [
              { path: '/bar', pathType: 'Exact', backend: { service: { name: 'svc1', port: { number: 8080 } } } },
              { path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { name: 'http' } } } },
            ],
          },
        },
      ],
    });
  });
});

describe('IngressClass', () => {
  const ingressClass = (name: string, spec: string): string => `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: ${name}
spec:
${spec}`;

  it('a broken one gets the 422 and is not stored', async () => {
    const r = await c.kubectl(['apply', '-f', '-'], { input: ingressClass('broken', '  parameters:\n    kind: IngressParameters\n    name: external-lb\n    scope: Namespace\n') });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('The IngressClass "broken" is invalid: \n* spec.controller: Required value\n* spec.parameters.namespace: Required value: `parameters.scope` is set to \'Namespace\'\n');
    const bad = await c.kubectl(['apply', '-f', '-'], { input: ingressClass('nginx-bad', '  controller: ingress-nginx\n') });
    expect(bad.stderr).toBe('The IngressClass "nginx-bad" is invalid: spec.controller: Invalid value: "ingress-nginx": must be a domain-prefixed path (such as "acme.io/foo")\n');
    expect((await c.kubectl(['get', 'ingressclass', 'broken'])).stderr).toContain('ingressclasses.networking.k8s.io "broken" not found');
  });

  it('parameters get scope Cluster; the controller is immutable', async () => {
    await c.k(['apply', '-f', '-'], { input: ingressClass('nginx', '  controller: k8s.io/ingress-nginx\n  parameters:\n    apiGroup: k8s.example.com\n    kind: IngressParameters\n    name: external-lb\n') });
    const stored = await getJson('ingressclass', 'nginx');
    expect(stored.spec).toEqual({ controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb', scope: 'Cluster' } });
    expect(stored.metadata.generation).toBe(1);
    expect((await c.k(['get', 'ingressclass', 'nginx', '--no-headers'])).split(/\s{2,}/).slice(0, 3)).toEqual(['nginx', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/external-lb']);

    const r = await c.kubectl(['patch', 'ingressclass', 'nginx', '--type=merge', '-p', '{"spec":{"controller":"example.com/other"}}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('The IngressClass "nginx" is invalid: spec.controller: Invalid value: "example.com/other": field is immutable\n');
    expect(await getJson('ingressclass', 'nginx')).toEqual(stored);
  });
});

describe('DefaultIngressClass admission', () => {
  it('a new Ingress naming no class gets the default IngressClass; one naming a class keeps it', async () => {
    await c.k(['apply', '-f', '-'], {
      input: `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: house
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
spec:
  controller: example.com/house
`,
    });
    await c.k(['create', 'ingress', 'classless', '--rule=shop.example.com/=web:80']);
    expect((await getJson('ingress', 'classless')).spec).toEqual({
      ingressClassName: 'house',
      rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Exact', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
    });
    await c.k(['create', 'ingress', 'classy', '--class=nginx', '--rule=shop.example.com/=web:80']);
    expect((await getJson('ingress', 'classy')).spec).toMatchObject({ ingressClassName: 'nginx' });
    // The deprecated annotation names a class too.
    await c.k(['apply', '-f', '-'], { input: ingress('annotated', '  defaultBackend:\n    service:\n      name: web\n      port:\n        number: 80\n', '  annotations:\n    kubernetes.io/ingress.class: traefik\n') });
    expect((await getJson('ingress', 'annotated')).spec).toEqual({ defaultBackend: { service: { name: 'web', port: { number: 80 } } } });
    // Ingresses created before the default class stay without one.
    expect((await getJson('ingress', 'simple')).spec).not.toHaveProperty('ingressClassName');
  });
});
