// The routing rules as the Ingress documentation tabulates them (concepts/services-networking/ingress,
// "Examples" of path matching and "Hostname wildcards"), plus precedence across Ingresses.
import { describe, expect, it } from 'vitest';
import type { HTTPIngressPath, Ingress, IngressRule, PathType } from '../api/networking.js';
import { compileRoutes, normalizeHost, pathMatches, type Route } from './routes.js';

let seq = 0;
function ingress(name: string, spec: Ingress['spec'], opts: { created?: string; namespace?: string; annotations?: Record<string, string> } = {}): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: opts.namespace ?? 'default', creationTimestamp: opts.created ?? `2026-01-01T00:00:${String(seq++ % 60).padStart(2, '0')}Z`, ...(opts.annotations && { annotations: opts.annotations }) },
    spec,
  };
}

function path(p: string, pathType: PathType, service: string, port: number | string = 80): HTTPIngressPath {
  return { path: p, pathType, backend: { service: { name: service, port: typeof port === 'number' ? { number: port } : { name: port } } } };
}

function rule(host: string | undefined, ...paths: HTTPIngressPath[]): IngressRule {
  return { ...(host !== undefined && { host }), http: { paths } };
}

/** Which Service a request reaches: "svc" or undefined (404). */
function target(r: Route | undefined): string | undefined {
  return r?.backend?.service;
}

describe('path matching (the documentation table)', () => {
  it.each<[PathType, string, string, boolean]>([
    ['Prefix', '/', '/anything/at/all', true],
    ['Exact', '/foo', '/foo', true],
    ['Exact', '/foo', '/bar', false],
    ['Exact', '/foo', '/foo/', false],
    ['Exact', '/foo/', '/foo', false],
    ['Prefix', '/foo', '/foo', true],
    ['Prefix', '/foo', '/foo/', true],
    ['Prefix', '/foo/', '/foo', true],
    ['Prefix', '/foo/', '/foo/', true],
    ['Prefix', '/aaa/bb', '/aaa/bbb', false],
    ['Prefix', '/aaa/bbb', '/aaa/bbb', true],
    ['Prefix', '/aaa/bbb/', '/aaa/bbb', true],
    ['Prefix', '/aaa/bbb', '/aaa/bbb/', true],
    ['Prefix', '/aaa/bbb', '/aaa/bbb/ccc', true],
    ['Prefix', '/aaa/bbb', '/aaa/bbbxyz', false],
    ['Prefix', '/aaa', '/ccc', false],
    ['ImplementationSpecific', '/foo', '/foobar', true],
    ['ImplementationSpecific', '/foo', '/fo', false],
  ])('%s %s against %s: %s', (type, rulePath, req, want) => {
    expect(pathMatches(type, rulePath, req)).toBe(want);
  });

  it.each<[string, string[], string, string | undefined]>([
    ['/, /aaa: /aaa/ccc takes /aaa', ['/', '/aaa'], '/aaa/ccc', '/aaa'],
    ['/, /aaa, /aaa/bbb: /aaa/bbb takes /aaa/bbb', ['/', '/aaa', '/aaa/bbb'], '/aaa/bbb', '/aaa/bbb'],
    ['/, /aaa, /aaa/bbb: /ccc takes /', ['/', '/aaa', '/aaa/bbb'], '/ccc', '/'],
    ['/aaa: /ccc matches nothing', ['/aaa'], '/ccc', undefined],
  ])('Prefix %s', (_name, paths, req, want) => {
    const t = compileRoutes([ingress('i', { rules: [rule('example.com', ...paths.map((p, i) => path(p, 'Prefix', `s${i}`)))] })]);
    expect(t.match('example.com', req)?.path).toBe(want);
  });

  it('prefers Exact over Prefix for the same path', () => {
    const t = compileRoutes([ingress('i', { rules: [rule('example.com', path('/foo', 'Prefix', 'prefix'), path('/foo', 'Exact', 'exact'))] })]);
    expect(target(t.match('example.com', '/foo'))).toBe('exact');
    expect(target(t.match('example.com', '/foo/bar'))).toBe('prefix');
  });

  it('ranks by length first: a longer Prefix beats a shorter Exact; a trailing slash does not count', () => {
    const t = compileRoutes([ingress('i', { rules: [rule('h', path('/a', 'Exact', 'exact-a'), path('/a/b', 'Prefix', 'prefix-ab'), path('/a/', 'Prefix', 'prefix-a'))] })]);
    expect(target(t.match('h', '/a'))).toBe('exact-a');
    expect(target(t.match('h', '/a/b/c'))).toBe('prefix-ab');
    expect(target(t.match('h', '/a/c'))).toBe('prefix-a');
  });
});

describe('hosts', () => {
  const t = compileRoutes([
    ingress('exact', { rules: [rule('foo.bar.com', path('/', 'Prefix', 'exact'))] }),
    ingress('wild', { rules: [rule('*.foo.com', path('/', 'Prefix', 'wild'))] }),
    ingress('any', { rules: [rule(undefined, path('/any', 'Prefix', 'any'))] }),
  ]);
  it.each<[string, string, string | undefined]>([
    ['foo.bar.com', '/x', 'exact'],
    ['bar.foo.com', '/x', 'wild'],
    ['baz.bar.foo.com', '/any', 'any'], // a wildcard covers one label only
    ['foo.com', '/any', 'any'],
    ['foo.com', '/x', undefined],
    ['other.example', '/any/thing', 'any'],
    ['foo.bar.com', '/any', 'exact'],
  ])('%s%s -> %s', (host, p, want) => {
    expect(target(t.match(host, p))).toBe(want);
  });

  it('looks for the path only in the most specific host (a host with rules does not fall through to host-less rules)', () => {
    const u = compileRoutes([ingress('a', { rules: [rule('app.example', path('/api', 'Prefix', 'api')), rule(undefined, path('/', 'Prefix', 'everything'))] })]);
    expect(target(u.match('app.example', '/api/v1'))).toBe('api');
    expect(u.match('app.example', '/other')).toBeUndefined();
    expect(target(u.match('else.example', '/other'))).toBe('everything');
  });

  it.each([
    ['Example.COM:8080', 'example.com'],
    ['example.com.', 'example.com'],
    ['[::1]:80', '[::1]'],
    [undefined, ''],
  ])('normalizes Host %s to %s', (h, want) => {
    expect(normalizeHost(h)).toBe(want);
  });
});

describe('across Ingresses and defaultBackend', () => {
  it('gives a host and path to the older Ingress; other paths of the same host merge', () => {
    const t = compileRoutes([
      ingress('newer', { rules: [rule('h', path('/', 'Prefix', 'newer'), path('/only-newer', 'Exact', 'newer-only'))] }, { created: '2026-02-01T00:00:00Z' }),
      ingress('older', { rules: [rule('h', path('/', 'Prefix', 'older'))] }, { created: '2026-01-01T00:00:00Z' }),
    ]);
    expect(target(t.match('h', '/x'))).toBe('older');
    expect(target(t.match('h', '/only-newer'))).toBe('newer-only');
  });

  it('breaks a creation-time tie by namespace/name', () => {
    const created = '2026-01-01T00:00:00Z';
    const t = compileRoutes([ingress('b', { rules: [rule('h', path('/', 'Prefix', 'b'))] }, { created }), ingress('a', { rules: [rule('h', path('/', 'Prefix', 'a'))] }, { created })]);
    expect(target(t.match('h', '/'))).toBe('a');
  });

  it('an Ingress with only a defaultBackend catches every request nothing else matches', () => {
    const t = compileRoutes([
      ingress('catch-all', { defaultBackend: { service: { name: 'default-svc', port: { number: 80 } } } }),
      ingress('app', { rules: [rule('app.example', path('/', 'Prefix', 'app'))] }),
    ]);
    expect(target(t.match('app.example', '/x'))).toBe('app');
    expect(target(t.match('unknown.example', '/x'))).toBe('default-svc');
    expect(t.match('unknown.example', '/x')?.isDefault).toBe(true);
  });

  it("an Ingress's defaultBackend serves its hosts' unmatched paths, and unmatched hosts when it has host-less rules", () => {
    const t = compileRoutes([
      ingress('hosted', { defaultBackend: { service: { name: 'hosted-default', port: { number: 80 } } }, rules: [rule('h', path('/api', 'Prefix', 'api'))] }),
      ingress('resource', { defaultBackend: { service: { name: 'file-default', port: { number: 80 } } }, rules: [rule(undefined, path('/icons', 'ImplementationSpecific', 'icons'))] }),
    ]);
    expect(target(t.match('h', '/api/x'))).toBe('api');
    expect(target(t.match('h', '/other'))).toBe('hosted-default');
    expect(target(t.match('else', '/icons/a.png'))).toBe('icons');
    expect(target(t.match('else', '/other'))).toBe('file-default');
  });

  it('a resource backend routes but has no Service', () => {
    const t = compileRoutes([ingress('r', { rules: [rule('h', { path: '/', pathType: 'Prefix', backend: { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static' } } })] })]);
    const r = t.match('h', '/x');
    expect(r).toBeDefined();
    expect(r?.backend).toBeUndefined();
  });

  it('backends carry the port by number or by name and the Ingress namespace', () => {
    const t = compileRoutes([ingress('i', { rules: [rule('h', path('/n', 'Prefix', 'svc', 8080), path('/s', 'Prefix', 'svc', 'http'))] }, { namespace: 'shop' })]);
    expect(t.match('h', '/n')?.backend).toEqual({ namespace: 'shop', service: 'svc', port: { number: 8080 } });
    expect(t.match('h', '/s')?.backend).toEqual({ namespace: 'shop', service: 'svc', port: { name: 'http' } });
  });

  it('marks hosts with TLS (exact or by a wildcard certificate host) and reads the annotations', () => {
    const t = compileRoutes([
      ingress('tls', { tls: [{ hosts: ['secure.example', '*.wild.example'], secretName: 's' }], rules: [rule('secure.example', path('/', 'Prefix', 'a')), rule('x.wild.example', path('/', 'Prefix', 'b')), rule('plain.example', path('/', 'Prefix', 'c'))] }, { annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m', 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' } }),
    ]);
    expect(t.match('secure.example', '/')?.tls).toBe(true);
    expect(t.match('x.wild.example', '/')?.tls).toBe(true);
    expect(t.match('plain.example', '/')?.tls).toBe(false);
    expect(t.match('plain.example', '/')?.options).toMatchObject({ bodyLimit: 8 * 1024 * 1024, sslRedirect: false });
  });

  it('reports an annotation that does not parse and keeps the default', () => {
    const problems: string[] = [];
    const t = compileRoutes([ingress('bad', { rules: [rule('h', path('/', 'Prefix', 's'))] }, { annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': 'lots' } })], (ing, p) => problems.push(`${ing}: ${p}`));
    expect(problems).toEqual(['default/bad: nginx.ingress.kubernetes.io/proxy-body-size: "lots" is not a size such as 1m, 512k or 0']);
    expect(t.match('h', '/')?.options.bodyLimit).toBe(1024 * 1024);
  });
});
