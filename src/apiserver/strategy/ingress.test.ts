import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { errors } from '../errors.js';
import { ingressClassStrategy, ingressStrategy } from './ingress.js';
import type { Obj, Strategy } from './types.js';

type Spec = Record<string, unknown>;

// Kubernetes' wording (k8s.io/apimachinery/pkg/util/validation), spelled out so that a drift shows.
const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const WILDCARD =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const HTTP_PATH = "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')";

const web = { service: { name: 'web', port: { number: 80 } } };
const path = (p: string | undefined, pathType: string | undefined, backend: unknown = web): Spec => ({
  ...(p === undefined ? {} : { path: p }),
  ...(pathType === undefined ? {} : { pathType }),
  backend,
});
const rule = (host: string | undefined, ...paths: Spec[]): Spec => ({ ...(host === undefined ? {} : { host }), http: { paths } });
const prefix = (p = '/'): Spec => path(p, 'Prefix');

function object(kind: 'Ingress' | 'IngressClass', spec: Spec | undefined, extra: Obj = {}): KubeObject {
  const metadata = kind === 'Ingress' ? { name: 'web', namespace: 'default' } : { name: 'nginx' };
  return { apiVersion: 'networking.k8s.io/v1', kind, metadata, ...(spec === undefined ? {} : { spec: structuredClone(spec) }), ...structuredClone(extra) };
}

const rendered = (errs: { field: string; message: string }[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);

/** A create as the registry runs it: prepareForCreate, defaults, validate. */
function create(strategy: Strategy, o: KubeObject): { obj: KubeObject; errs: string[] } {
  strategy.prepareForCreate?.(o);
  strategy.defaults?.(o);
  return { obj: o, errs: rendered(strategy.validate!(o)) };
}

const createIngress = (spec: Spec | undefined, extra: Obj = {}): { obj: KubeObject; errs: string[] } => create(ingressStrategy, object('Ingress', spec, extra));
const createClass = (spec: Spec | undefined): { obj: KubeObject; errs: string[] } => create(ingressClassStrategy, object('IngressClass', spec));

/** An update as the registry runs it: defaults, validate with the old object (and the subresource written). */
function update(strategy: Strategy, old: KubeObject, change: (o: KubeObject) => void, subresource?: string): string[] {
  const o = structuredClone(old);
  change(o);
  strategy.defaults?.(o);
  return rendered(strategy.validate!(o, old, subresource));
}

/** An object as it may have been stored before these rules (or by an older Kubernetes): defaulted, never validated. */
function stored(strategy: Strategy, o: KubeObject): KubeObject {
  strategy.prepareForCreate?.(o);
  strategy.defaults?.(o);
  return o;
}

const specOf = (o: KubeObject): unknown => o['spec'];

describe('Ingress defaults (networking.k8s.io/v1 and the Go round trip)', () => {
  it('v1 does not default pathType: it stays unset (null, as Go writes a nil pointer) and is required', () => {
    const { obj, errs } = createIngress({ rules: [rule('example.com', path('/', undefined))] });
    expect(specOf(obj)).toEqual({ rules: [{ host: 'example.com', http: { paths: [{ path: '/', pathType: null, backend: web }] } }] });
    expect(errs).toEqual(['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified']);
  });

  it('status is {loadBalancer: {}} on create, whatever the client sent', () => {
    const { obj } = createIngress({ defaultBackend: web }, { status: { loadBalancer: { ingress: [{ ip: '127.0.0.9' }] } } });
    expect(obj['status']).toEqual({ loadBalancer: {} });
  });

  it('drops what Go omits when empty and fills in what Go always writes', () => {
    const { obj, errs } = createIngress({
      ingressClassName: null,
      defaultBackend: { resource: { kind: 'StorageBucket', name: 'static' } },
      tls: [{ hosts: [], secretName: '' }],
      rules: [
        { host: '', http: { paths: [{ path: '', pathType: 'ImplementationSpecific', backend: { service: { name: 'web', port: { name: '', number: 80 } } } }] } },
        { host: 'a.example.com', http: null },
      ],
    });
    expect(errs).toEqual([]);
    expect(specOf(obj)).toEqual({
      // core/v1 TypedLocalObjectReference.apiGroup is a pointer without omitempty.
      defaultBackend: { resource: { apiGroup: null, kind: 'StorageBucket', name: 'static' } },
      tls: [{}],
      rules: [{ http: { paths: [{ pathType: 'ImplementationSpecific', backend: { service: { name: 'web', port: { number: 80 } } } }] } }, { host: 'a.example.com' }],
    });
  });

  it('empty lists of tls and rules go (a default backend makes the Ingress valid without rules)', () => {
    const { obj, errs } = createIngress({ defaultBackend: web, tls: [], rules: [] });
    expect(errs).toEqual([]);
    expect(specOf(obj)).toEqual({ defaultBackend: web });
  });

  it('a valid Ingress is stored as sent', () => {
    const spec = {
      ingressClassName: 'nginx',
      defaultBackend: { service: { name: 'fallback', port: { name: 'http' } } },
      tls: [{ hosts: ['*.example.com', 'example.com'], secretName: 'example-tls' }],
      rules: [rule('*.example.com', path('/exact', 'Exact'), prefix('/app'))],
    };
    expect(createIngress(spec)).toEqual({ obj: object('Ingress', spec, { status: { loadBalancer: {} } }), errs: [] });
  });

  it('status writes are shaped the same way', () => {
    const o = object('Ingress', { defaultBackend: web }, { status: { loadBalancer: { ingress: [{ ip: '127.0.0.9', hostname: '', ports: [] }, { hostname: 'lb.example.com', ports: [{ port: 443, protocol: 'TCP', error: null }] }] } } });
    ingressStrategy.defaults!(o);
    expect(o['status']).toEqual({ loadBalancer: { ingress: [{ ip: '127.0.0.9' }, { hostname: 'lb.example.com', ports: [{ port: 443, protocol: 'TCP' }] }] } });
  });
});

describe('Ingress validation on create (ValidateIngressCreate)', () => {
  // [description, spec, extra top-level fields, expected errors in Kubernetes' order]
  const cases: [string, Spec | undefined, Obj, string[]][] = [
    [
      'wildcard host, Exact and Prefix paths, TLS, default backend, port by name',
      {
        defaultBackend: { service: { name: 'fallback', port: { name: 'http' } } },
        tls: [{ hosts: ['*.example.com'], secretName: 'wildcard-tls' }],
        rules: [rule('*.example.com', path('/exact', 'Exact'), prefix('/app')), rule('example.com', prefix())],
      },
      {},
      [],
    ],
    ['a default backend alone', { defaultBackend: web }, {}, []],
    ['a resource backend', { defaultBackend: { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static' } } }, {}, []],
    ['a rule without http (host only)', { rules: [{ host: 'example.com' }] }, {}, []],
    ['a rule without host', { rules: [rule(undefined, prefix())] }, {}, []],
    ['no spec at all', undefined, {}, ['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified']],
    ['neither defaultBackend nor rules', {}, {}, ['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified']],
    ['rules: [] is named as an empty list', { rules: [] }, {}, ['spec: Invalid value: []networking.IngressRule{}: either `defaultBackend` or `rules` must be specified']],
    [
      'pathType is required, and nothing else of that path is checked without it',
      { rules: [rule('example.com', path('relative', undefined, {}))] },
      {},
      ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified'],
    ],
    [
      'pathType values',
      { rules: [rule('example.com', path('/', 'Regex'))] },
      {},
      ['spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"'],
    ],
    [
      'Exact and Prefix paths must be absolute, and present',
      { rules: [rule('example.com', path('app', 'Exact'), path(undefined, 'Prefix'))] },
      {},
      ['spec.rules[0].http.paths[0].path: Invalid value: "app": must be an absolute path', 'spec.rules[0].http.paths[1].path: Invalid value: "": must be an absolute path'],
    ],
    [
      'Exact and Prefix paths: no //, /./, /../, %2f, %2F',
      { rules: [rule('example.com', prefix('/a//b/./c/../d%2fe%2F'))] },
      {},
      [
        "spec.rules[0].http.paths[0].path: Invalid value: \"/a//b/./c/../d%2fe%2F\": must not contain '//'",
        "spec.rules[0].http.paths[0].path: Invalid value: \"/a//b/./c/../d%2fe%2F\": must not contain '/./'",
        "spec.rules[0].http.paths[0].path: Invalid value: \"/a//b/./c/../d%2fe%2F\": must not contain '/../'",
        "spec.rules[0].http.paths[0].path: Invalid value: \"/a//b/./c/../d%2fe%2F\": must not contain '%2f'",
        "spec.rules[0].http.paths[0].path: Invalid value: \"/a//b/./c/../d%2fe%2F\": must not contain '%2F'",
      ],
    ],
    [
      'Exact and Prefix paths: no trailing /.. or /.',
      { rules: [rule('example.com', path('/a/..', 'Exact'), prefix('/a/.'))] },
      {},
      ["spec.rules[0].http.paths[0].path: Invalid value: \"/a/..\": cannot end with '/..'", "spec.rules[0].http.paths[1].path: Invalid value: \"/a/.\": cannot end with '/.'"],
    ],
    [
      'ImplementationSpecific: no path, or an absolute one (anything else goes)',
      { rules: [rule('example.com', path(undefined, 'ImplementationSpecific'), path('/a//b(/|$)(.*)', 'ImplementationSpecific'), path('app', 'ImplementationSpecific'))] },
      {},
      ['spec.rules[0].http.paths[2].path: Invalid value: "app": must be an absolute path'],
    ],
    [
      'http needs paths',
      { rules: [{ host: 'a.example.com', http: {} }, { host: 'b.example.com', http: { paths: [] } }] },
      {},
      ['spec.rules[0].http.paths: Required value', 'spec.rules[1].http.paths: Required value'],
    ],
    [
      'hosts are DNS names, not IP addresses',
      { rules: [{ host: '127.0.0.1' }, { host: '::1' }, { host: 'Example.com' }, { host: 'example.com:80' }] },
      {},
      [
        'spec.rules[0].host: Invalid value: "127.0.0.1": must be a DNS name, not an IP address',
        'spec.rules[1].host: Invalid value: "::1": must be a DNS name, not an IP address',
        `spec.rules[1].host: Invalid value: "::1": ${SUBDOMAIN}`,
        `spec.rules[2].host: Invalid value: "Example.com": ${SUBDOMAIN}`,
        `spec.rules[3].host: Invalid value: "example.com:80": ${SUBDOMAIN}`,
      ],
    ],
    [
      'a wildcard host is a single leading *. label',
      { rules: [{ host: '*.example.com' }, { host: '*' }, { host: '*.*.example.com' }, { host: 'foo.*.com' }, { host: '*example.com' }] },
      {},
      [
        `spec.rules[1].host: Invalid value: "*": ${WILDCARD}`,
        `spec.rules[2].host: Invalid value: "*.*.example.com": ${WILDCARD}`,
        `spec.rules[3].host: Invalid value: "foo.*.com": ${WILDCARD}`,
        `spec.rules[4].host: Invalid value: "*example.com": ${WILDCARD}`,
      ],
    ],
    [
      'hosts at most 253 characters',
      { rules: [{ host: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}` }] },
      {},
      [`spec.rules[0].host: Invalid value: "${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}": must be no more than 253 characters`],
    ],
    [
      'a backend is a service or a resource, not both, not neither',
      { defaultBackend: { ...web, resource: { kind: 'StorageBucket', name: 'static' } }, rules: [rule('example.com', path('/', 'Prefix', {}))] },
      {},
      ['spec.defaultBackend: Invalid value: "": cannot set both resource and service backends', 'spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend is required'],
    ],
    [
      'service names are DNS-1035 labels',
      {
        rules: [
          rule(
            'example.com',
            path('/a', 'Prefix', { service: { port: { number: 80 } } }),
            path('/b', 'Prefix', { service: { name: '1web', port: { number: 80 } } }),
            path('/c', 'Prefix', { service: { name: 'web.default', port: { number: 80 } } }),
            path('/d', 'Prefix', { service: { name: 'w'.repeat(64), port: { number: 80 } } }),
          ),
        ],
      },
      {},
      [
        'spec.rules[0].http.paths[0].backend.service.name: Required value',
        `spec.rules[0].http.paths[1].backend.service.name: Invalid value: "1web": ${DNS1035}`,
        `spec.rules[0].http.paths[2].backend.service.name: Invalid value: "web.default": ${DNS1035}`,
        `spec.rules[0].http.paths[3].backend.service.name: Invalid value: "${'w'.repeat(64)}": must be no more than 63 characters`,
      ],
    ],
    [
      'a service port is a name or a number, exactly one',
      {
        rules: [
          rule(
            'example.com',
            path('/a', 'Prefix', { service: { name: 'web', port: { name: 'http', number: 80 } } }),
            path('/b', 'Prefix', { service: { name: 'web' } }),
            path('/c', 'Prefix', { service: { name: 'web', port: { number: 0 } } }),
          ),
        ],
      },
      {},
      [
        'spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number',
        'spec.rules[0].http.paths[1].backend: Required value: port name or number is required',
        'spec.rules[0].http.paths[2].backend: Required value: port name or number is required',
      ],
    ],
    [
      'port numbers 1-65535, port names IANA service names',
      {
        defaultBackend: { service: { name: 'web', port: { number: 70000 } } },
        rules: [
          rule(
            'example.com',
            path('/a', 'Prefix', { service: { name: 'web', port: { number: -1 } } }),
            path('/b', 'Prefix', { service: { name: 'web', port: { name: 'HTTP' } } }),
            path('/c', 'Prefix', { service: { name: 'web', port: { name: 'a-very-long-port-name' } } }),
            path('/d', 'Prefix', { service: { name: 'web', port: { name: '8080' } } }),
          ),
        ],
      },
      {},
      [
        'spec.defaultBackend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive',
        'spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: -1: must be between 1 and 65535, inclusive',
        'spec.rules[0].http.paths[1].backend.service.port.name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.rules[0].http.paths[1].backend.service.port.name: Invalid value: "HTTP": must contain at least one letter (a-z)',
        'spec.rules[0].http.paths[2].backend.service.port.name: Invalid value: "a-very-long-port-name": must be no more than 15 characters',
        'spec.rules[0].http.paths[3].backend.service.port.name: Invalid value: "8080": must contain at least one letter (a-z)',
      ],
    ],
    [
      'resource backends: apiGroup a DNS subdomain when set (even ""), kind and name path segments',
      {
        defaultBackend: { resource: { apiGroup: '', kind: '', name: '' } },
        rules: [rule('example.com', path('/', 'Prefix', { resource: { apiGroup: 'Example.com', kind: 'a/b%c', name: '..' } }))],
      },
      {},
      [
        `spec.defaultBackend.resource.apiGroup: Invalid value: "": ${SUBDOMAIN}`,
        'spec.defaultBackend.resource.kind: Required value: kind is required',
        'spec.defaultBackend.resource.name: Required value: name is required',
        `spec.rules[0].http.paths[0].backend.resource.apiGroup: Invalid value: "Example.com": ${SUBDOMAIN}`,
        "spec.rules[0].http.paths[0].backend.resource.kind: Invalid value: \"a/b%c\": may not contain '/'",
        "spec.rules[0].http.paths[0].backend.resource.kind: Invalid value: \"a/b%c\": may not contain '%'",
        "spec.rules[0].http.paths[0].backend.resource.name: Invalid value: \"..\": may not be '..'",
      ],
    ],
    [
      'tls hosts (wildcards allowed) and secret names (DNS subdomains, optional)',
      { defaultBackend: web, tls: [{ hosts: ['*.example.com', 'Bad_Host', '*.bad_host'], secretName: 'Bad_Secret' }, { hosts: ['example.com'] }] },
      {},
      [
        `spec.tls[0].hosts[1]: Invalid value: "Bad_Host": ${SUBDOMAIN}`,
        `spec.tls[0].hosts[2]: Invalid value: "*.bad_host": ${WILDCARD}`,
        `spec.tls[0].secretName: Invalid value: "Bad_Secret": ${SUBDOMAIN}`,
      ],
    ],
    [
      'ingressClassName is a DNS subdomain (an empty one too)',
      { defaultBackend: web, ingressClassName: 'Nginx' },
      {},
      [`spec.ingressClassName: Invalid value: "Nginx": ${SUBDOMAIN}`],
    ],
    ['an empty ingressClassName', { defaultBackend: web, ingressClassName: '' }, {}, [`spec.ingressClassName: Invalid value: "": ${SUBDOMAIN}`]],
    [
      'the kubernetes.io/ingress.class annotation must match ingressClassName',
      { defaultBackend: web, ingressClassName: 'traefik' },
      { metadata: { name: 'web', namespace: 'default', annotations: { 'kubernetes.io/ingress.class': 'nginx' } } },
      ['annotations.kubernetes.io/ingress.class: Invalid value: "nginx": must match `ingressClassName` when both are specified'],
    ],
    ['the annotation alone is fine', { defaultBackend: web }, { metadata: { name: 'web', namespace: 'default', annotations: { 'kubernetes.io/ingress.class': 'nginx' } } }, []],
    ['the annotation agreeing with the field is fine', { defaultBackend: web, ingressClassName: 'nginx' }, { metadata: { name: 'web', namespace: 'default', annotations: { 'kubernetes.io/ingress.class': 'nginx' } } }, []],
    [
      "Kubernetes' order: default backend, rules, tls, class name, annotation",
      {
        ingressClassName: 'B',
        tls: [{ secretName: 'A_' }],
        rules: [rule('10.0.0.1', path('/', undefined))],
        defaultBackend: { service: { name: 'web' } },
      },
      { metadata: { name: 'web', namespace: 'default', annotations: { 'kubernetes.io/ingress.class': 'nginx' } } },
      [
        'spec.defaultBackend: Required value: port name or number is required',
        'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
        'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
        `spec.tls[0].secretName: Invalid value: "A_": ${SUBDOMAIN}`,
        `spec.ingressClassName: Invalid value: "B": ${SUBDOMAIN}`,
        'annotations.kubernetes.io/ingress.class: Invalid value: "nginx": must match `ingressClassName` when both are specified',
      ],
    ],
  ];
  it.each(cases)('%s', (_d, spec, extra, expected) => {
    expect(createIngress(spec, extra).errs).toEqual(expected);
  });

  it('renders as kube-apiserver does in the 422 message', () => {
    const { obj } = createIngress({ rules: [rule('example.com', path('/', undefined))] });
    const err = errors.invalid('Ingress', 'networking.k8s.io', 'web', ingressStrategy.validate!(obj));
    expect(err.code).toBe(422);
    expect(err.message).toBe('Ingress.networking.k8s.io "web" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified');
    expect(err.details?.causes).toEqual([{ reason: 'FieldValueRequired', message: 'Required value: pathType must be specified', field: 'spec.rules[0].http.paths[0].pathType' }]);
  });
});

describe('Ingress validation on update (ValidateIngressUpdate)', () => {
  const valid = createIngress({ tls: [{ hosts: ['example.com'], secretName: 'tls' }], rules: [rule('example.com', prefix())] }).obj;
  const withRules = (o: KubeObject, rules: Spec[]): void => void ((o['spec'] as Spec)['rules'] = rules);

  const cases: [string, KubeObject, (o: KubeObject) => void, string[]][] = [
    ['an unchanged update', valid, () => {}, []],
    ['every spec field may change', valid, (o) => ((o['spec'] = { ingressClassName: 'other', defaultBackend: web })), []],
    ['a broken change is refused', valid, (o) => withRules(o, [rule('example.com', path('/', undefined))]), ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified']],
    [
      'a mismatching class annotation is only checked on create',
      valid,
      (o) => ((o.metadata.annotations = { 'kubernetes.io/ingress.class': 'nginx' }), ((o['spec'] as Spec)['ingressClassName'] = 'traefik')),
      [],
    ],
    [
      'a new invalid secretName is refused when every stored one is valid',
      valid,
      (o) => ((o['spec'] as Spec)['tls'] = [{ secretName: 'Bad_Secret' }]),
      [`spec.tls[0].secretName: Invalid value: "Bad_Secret": ${SUBDOMAIN}`],
    ],
    [
      'an invalid secretName already stored lets every secretName through',
      stored(ingressStrategy, object('Ingress', { defaultBackend: web, tls: [{ secretName: 'Old_Secret' }] })),
      (o) => ((o['spec'] as Spec)['tls'] = [{ secretName: 'Old_Secret' }, { secretName: 'New_Secret' }]),
      [],
    ],
    [
      'an invalid wildcard rule already stored: wildcard rules are not checked past their host',
      stored(ingressStrategy, object('Ingress', { rules: [rule('*.example.com', path('app', 'Exact'))] })),
      (o) => withRules(o, [rule('*.example.com', path('app', 'Exact'), path('/x', 'Regex')), rule('example.com', path('app', 'Exact')), rule('*', prefix())]),
      ['spec.rules[1].http.paths[0].path: Invalid value: "app": must be an absolute path', `spec.rules[2].host: Invalid value: "*": ${WILDCARD}`],
    ],
    [
      'without one stored, wildcard rules are checked in full',
      createIngress({ rules: [rule('*.example.com', prefix())] }).obj,
      (o) => withRules(o, [rule('*.example.com', path('app', 'Exact'))]),
      ['spec.rules[0].http.paths[0].path: Invalid value: "app": must be an absolute path'],
    ],
  ];
  it.each(cases)('%s', (_d, old, change, expected) => {
    expect(update(ingressStrategy, old, change)).toEqual(expected);
  });
});

describe('Ingress status writes (ValidateIngressStatusUpdate)', () => {
  const ing = createIngress({ defaultBackend: web }).obj;
  const withStatus = (ingress: unknown[]) => (o: KubeObject): void => void (o['status'] = { loadBalancer: { ingress } });

  it('accepts IPs and DNS names', () => {
    expect(update(ingressStrategy, ing, withStatus([{ ip: '127.0.0.200' }, { ip: '2001:db8::1' }, { hostname: 'lb.example.com', ports: [{ port: 443, protocol: 'TCP' }] }]), 'status')).toEqual([]);
  });

  it('ip must be an IP address; hostname a DNS name that is not one', () => {
    expect(update(ingressStrategy, ing, withStatus([{ ip: '127.0.0.999' }, { ip: 'lb.example.com' }, { hostname: '127.0.0.1' }, { hostname: 'LB.example.com' }]), 'status')).toEqual([
      'status.loadBalancer.ingress[0].ip: Invalid value: "127.0.0.999": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'status.loadBalancer.ingress[1].ip: Invalid value: "lb.example.com": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'status.loadBalancer.ingress[2].hostname: Invalid value: "127.0.0.1": must be a DNS name, not an IP address',
      `status.loadBalancer.ingress[3].hostname: Invalid value: "LB.example.com": ${SUBDOMAIN}`,
    ]);
  });

  it('a status write does not judge the stored spec; a spec update does not judge the status', () => {
    const broken = stored(ingressStrategy, object('Ingress', { rules: [rule('example.com', path('/', undefined))] }));
    expect(update(ingressStrategy, broken, withStatus([{ ip: '127.0.0.200' }]), 'status')).toEqual([]);
    const badStatus = structuredClone(ing);
    badStatus['status'] = { loadBalancer: { ingress: [{ ip: 'nope' }] } };
    expect(update(ingressStrategy, badStatus, () => {})).toEqual([]);
  });
});

describe('DefaultIngressClass admission on create', () => {
  const cls = (name: string, created: string, isDefault?: string): KubeObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name, creationTimestamp: created, ...(isDefault === undefined ? {} : { annotations: { 'ingressclass.kubernetes.io/is-default-class': isDefault } }) },
    spec: { controller: `example.com/${name}` },
  });
  const classes = [cls('old-default', '2024-01-01T00:00:00Z', 'true'), cls('plain', '2024-06-01T00:00:00Z'), cls('not-quite', '2024-07-01T00:00:00Z', 'True')];

  /** A create as the registry runs it with admission: prepareForCreate, defaults, admitCreate, validate. */
  async function admitted(spec: Spec, pool: KubeObject[], extra: Obj = {}): Promise<{ spec: unknown; errs: string[] }> {
    const o = object('Ingress', spec, extra);
    ingressStrategy.prepareForCreate!(o);
    ingressStrategy.defaults!(o);
    await ingressStrategy.admitCreate!(o, { list: async () => structuredClone(pool) });
    return { spec: o['spec'], errs: rendered(ingressStrategy.validate!(o)) };
  }

  it('an Ingress naming no class gets the default one (annotated "true", exactly)', async () => {
    expect(await admitted({ defaultBackend: web }, classes)).toEqual({ spec: { ingressClassName: 'old-default', defaultBackend: web }, errs: [] });
  });

  it('no default class: nothing set', async () => {
    expect(await admitted({ defaultBackend: web }, classes.slice(1))).toEqual({ spec: { defaultBackend: web }, errs: [] });
  });

  it('of several defaults the newest wins, then the first by name', async () => {
    const pool = [...classes, cls('new-b', '2025-01-01T00:00:00Z', 'true'), cls('new-a', '2025-01-01T00:00:00Z', 'true')];
    expect((await admitted({ defaultBackend: web }, pool)).spec).toEqual({ ingressClassName: 'new-a', defaultBackend: web });
  });

  it('a class given by the field or by the annotation (even empty) is left alone', async () => {
    expect((await admitted({ ingressClassName: 'other', defaultBackend: web }, classes)).spec).toEqual({ ingressClassName: 'other', defaultBackend: web });
    expect((await admitted({ ingressClassName: null, defaultBackend: web }, classes)).spec).toEqual({ ingressClassName: 'old-default', defaultBackend: web });
    for (const value of ['traefik', '']) {
      const annotated = { metadata: { name: 'web', namespace: 'default', annotations: { 'kubernetes.io/ingress.class': value } } };
      expect(await admitted({ defaultBackend: web }, classes, annotated)).toEqual({ spec: { defaultBackend: web }, errs: [] });
    }
  });

  it('an Ingress refused by validation is refused the same with a default class', async () => {
    expect((await admitted({ rules: [rule('example.com', path('/', undefined))] }, classes)).errs).toEqual(['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified']);
  });
});

describe('IngressClass defaults (SetDefaults_IngressClass)', () => {
  const cases: [string, Spec, Spec][] = [
    ['no parameters: nothing added', { controller: 'example.com/ingress' }, { controller: 'example.com/ingress' }],
    [
      'parameters get scope Cluster',
      { controller: 'example.com/ingress', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } },
      { controller: 'example.com/ingress', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb', scope: 'Cluster' } },
    ],
    [
      'a scope given stays; null pointers go',
      { controller: 'example.com/ingress', parameters: { apiGroup: null, kind: 'IngressParameters', name: 'p', scope: 'Namespace', namespace: 'infra' } },
      { controller: 'example.com/ingress', parameters: { kind: 'IngressParameters', name: 'p', scope: 'Namespace', namespace: 'infra' } },
    ],
  ];
  it.each(cases)('%s', (_d, input, expected) => {
    const o = object('IngressClass', input);
    ingressClassStrategy.defaults!(o);
    expect(o['spec']).toEqual(expected);
  });
});

describe('IngressClass validation (ValidateIngressClass)', () => {
  const cases: [string, Spec | undefined, string[]][] = [
    ['a domain-prefixed controller', { controller: 'k8s.io/ingress-nginx' }, []],
    ['a path with every RFC 3986 character class', { controller: "example.com/a-b._~%20!$&'()*+,;=:/c" }, []],
    ['no spec', undefined, ['spec.controller: Required value']],
    ['controller is required', {}, ['spec.controller: Required value']],
    ['no domain', { controller: 'nginx' }, ['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")']],
    ['no path', { controller: 'example.com/' }, ['spec.controller: Invalid value: "example.com/": must be a domain-prefixed path (such as "acme.io/foo")']],
    ['an empty domain', { controller: '/ingress' }, ['spec.controller: Invalid value: "/ingress": must be a domain-prefixed path (such as "acme.io/foo")']],
    ['the domain is a DNS subdomain', { controller: 'Example.com/ingress' }, [`spec.controller: Invalid value: "Example.com": ${SUBDOMAIN}`]],
    ['the path is an RFC 3986 path', { controller: 'example.com/my ingress' }, [`spec.controller: Invalid value: "my ingress": ${HTTP_PATH}`]],
    ['at most 250 bytes', { controller: `example.com/${'a'.repeat(239)}` }, ['spec.controller: Too long: may not be more than 250 bytes']],
    ['250 bytes are fine', { controller: `example.com/${'a'.repeat(238)}` }, []],
    [
      'parameters: kind and name required, apiGroup a DNS subdomain',
      { controller: 'example.com/ingress', parameters: { apiGroup: 'Example.com' } },
      [`spec.parameters.apiGroup: Invalid value: "Example.com": ${SUBDOMAIN}`, 'spec.parameters.kind: Required value: kind is required', 'spec.parameters.name: Required value: name is required'],
    ],
    [
      'parameters: scope values',
      { controller: 'example.com/ingress', parameters: { kind: 'P', name: 'p', scope: 'Global' } },
      ['spec.parameters.scope: Unsupported value: "Global": supported values: "Cluster", "Namespace"'],
    ],
    [
      'parameters: scope Namespace needs a namespace',
      { controller: 'example.com/ingress', parameters: { kind: 'P', name: 'p', scope: 'Namespace' } },
      ["spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"],
    ],
    [
      'parameters: the namespace is a DNS label',
      { controller: 'example.com/ingress', parameters: { kind: 'P', name: 'p', scope: 'Namespace', namespace: 'infra.example' } },
      ['spec.parameters.namespace: Invalid value: "infra.example": must not contain dots'],
    ],
    [
      'parameters: a namespace that is no label',
      { controller: 'example.com/ingress', parameters: { kind: 'P', name: 'p', scope: 'Namespace', namespace: 'Infra' } },
      [`spec.parameters.namespace: Invalid value: "Infra": ${LABEL}`],
    ],
    [
      'parameters: scope Cluster takes no namespace',
      { controller: 'example.com/ingress', parameters: { kind: 'P', name: 'p', scope: 'Cluster', namespace: 'infra' } },
      ["spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'"],
    ],
    ['parameters: Namespace scope with a namespace', { controller: 'example.com/ingress', parameters: { kind: 'P', name: 'p', scope: 'Namespace', namespace: 'infra' } }, []],
  ];
  it.each(cases)('%s', (_d, spec, expected) => {
    expect(createClass(spec).errs).toEqual(expected);
  });

  it('renders as kube-apiserver does in the 422 message', () => {
    const { obj } = createClass({ controller: 'nginx' });
    expect(errors.invalid('IngressClass', 'networking.k8s.io', 'nginx', ingressClassStrategy.validate!(obj)).message).toBe(
      'IngressClass.networking.k8s.io "nginx" is invalid: spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")',
    );
  });
});

describe('IngressClass validation on update (ValidateIngressClassUpdate)', () => {
  const old = createClass({ controller: 'example.com/ingress', parameters: { kind: 'P', name: 'p' } }).obj;
  const cases: [string, (s: Spec) => void, string[]][] = [
    ['parameters may change', (s) => (s['parameters'] = { kind: 'P', name: 'q', scope: 'Namespace', namespace: 'infra' }), []],
    ['the controller is immutable', (s) => (s['controller'] = 'example.com/other'), ['spec.controller: Invalid value: "example.com/other": field is immutable']],
    [
      'immutability first, then everything ValidateIngressClass checks',
      (s) => (s['controller'] = 'other'),
      ['spec.controller: Invalid value: "other": field is immutable', 'spec.controller: Invalid value: "other": must be a domain-prefixed path (such as "acme.io/foo")'],
    ],
  ];
  it.each(cases)('%s', (_d, change, expected) => {
    expect(update(ingressClassStrategy, old, (o) => change(o['spec'] as Spec))).toEqual(expected);
  });
});
