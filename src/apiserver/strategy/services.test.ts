import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { errors } from '../errors.js';
import { dropTypeDependentFields, serviceStrategy, validateServiceClusterIPsRelatedFields } from './services.js';
import type { Obj } from './types.js';

type Spec = Record<string, unknown>;

function service(spec: Spec, extra: Obj = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: structuredClone(spec), ...structuredClone(extra) };
}

/** What the Service allocator adds between `defaults` and `validate` on an IPv4 single-stack cluster. */
function allocate(o: KubeObject): KubeObject {
  const spec = o['spec'] as Spec;
  if (spec['type'] !== 'ExternalName') {
    if (spec['clusterIP'] === undefined) spec['clusterIP'] = '10.96.0.10';
    spec['clusterIPs'] ??= [spec['clusterIP']];
    if (spec['clusterIP'] !== 'None') spec['ipFamilies'] ??= ['IPv4'];
    spec['ipFamilyPolicy'] ??= 'SingleStack';
  }
  if (spec['type'] === 'NodePort' || spec['type'] === 'LoadBalancer') {
    ((spec['ports'] ?? []) as Spec[]).forEach((p, i) => (p['nodePort'] ??= 30080 + i));
  }
  if (spec['type'] === 'LoadBalancer' && spec['externalTrafficPolicy'] === 'Local') spec['healthCheckNodePort'] ??= 32000;
  return o;
}

/** A create as the registry runs it: prepareForCreate, defaults, allocation, validate. */
function create(spec: Spec, extra: Obj = {}): { obj: KubeObject; errs: string[] } {
  const o = service(spec, extra);
  serviceStrategy.prepareForCreate!(o);
  serviceStrategy.defaults!(o);
  allocate(o);
  return { obj: o, errs: (serviceStrategy.validate!(o) ?? []).map((e) => `${e.field}: ${e.message}`) };
}

/** An update as the registry runs it: defaults, prepareForUpdate, (allocation), validate with the old object. */
function update(old: KubeObject, change: (spec: Spec, o: KubeObject) => void): { obj: KubeObject; errs: string[] } {
  const o = structuredClone(old);
  change(o['spec'] as Spec, o);
  serviceStrategy.defaults!(o);
  serviceStrategy.prepareForUpdate!(o, old);
  allocate(o);
  return { obj: o, errs: (serviceStrategy.validate!(o, old) ?? []).map((e) => `${e.field}: ${e.message}`) };
}

const http = { name: 'http', port: 80, targetPort: 8080 };
const ports = [http];

describe('Service defaults (SetDefaults_Service)', () => {
  const cases: [string, Spec, Spec][] = [
    [
      'ClusterIP: type, sessionAffinity, protocol, internalTrafficPolicy',
      { ports: [{ port: 80, targetPort: 8080 }] },
      { type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
    ],
    ['targetPort unset, 0 or "" becomes the port', { ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81, targetPort: 0 }, { name: 'c', port: 82, targetPort: '' }] }, {
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ports: [
        { name: 'a', port: 80, targetPort: 80, protocol: 'TCP' },
        { name: 'b', port: 81, targetPort: 81, protocol: 'TCP' },
        { name: 'c', port: 82, targetPort: 82, protocol: 'TCP' },
      ],
    }],
    ['a named targetPort and a protocol stay', { ports: [{ port: 53, targetPort: 'dns', protocol: 'UDP' }] }, {
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ports: [{ port: 53, targetPort: 'dns', protocol: 'UDP' }],
    }],
    ['NodePort: externalTrafficPolicy Cluster', { type: 'NodePort', ports }, {
      type: 'NodePort',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      externalTrafficPolicy: 'Cluster',
      ports: [{ ...http, protocol: 'TCP' }],
    }],
    ['LoadBalancer: externalTrafficPolicy and allocateLoadBalancerNodePorts', { type: 'LoadBalancer', ports }, {
      type: 'LoadBalancer',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      externalTrafficPolicy: 'Cluster',
      allocateLoadBalancerNodePorts: true,
      ports: [{ ...http, protocol: 'TCP' }],
    }],
    ['LoadBalancer keeps allocateLoadBalancerNodePorts false and externalTrafficPolicy Local', { type: 'LoadBalancer', ports, allocateLoadBalancerNodePorts: false, externalTrafficPolicy: 'Local' }, {
      type: 'LoadBalancer',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      externalTrafficPolicy: 'Local',
      allocateLoadBalancerNodePorts: false,
      ports: [{ ...http, protocol: 'TCP' }],
    }],
    ['ClusterIP with externalIPs is externally accessible: externalTrafficPolicy Cluster', { ports, externalIPs: ['127.0.0.50'] }, {
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      externalTrafficPolicy: 'Cluster',
      externalIPs: ['127.0.0.50'],
      ports: [{ ...http, protocol: 'TCP' }],
    }],
    ['ExternalName: no traffic policies', { type: 'ExternalName', externalName: 'example.com' }, { type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' }],
    ['ClientIP affinity: timeout 10800', { ports, sessionAffinity: 'ClientIP' }, {
      type: 'ClusterIP',
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
      internalTrafficPolicy: 'Cluster',
      ports: [{ ...http, protocol: 'TCP' }],
    }],
    ['ClientIP affinity keeps a timeout', { ports, sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }, {
      type: 'ClusterIP',
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
      internalTrafficPolicy: 'Cluster',
      ports: [{ ...http, protocol: 'TCP' }],
    }],
    ['None affinity drops a sessionAffinityConfig', { ports, sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }, {
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ports: [{ ...http, protocol: 'TCP' }],
    }],
    ['empty strings are Go zero values', { type: '', sessionAffinity: '', ports: [{ port: 80, protocol: '' }] }, {
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }],
    }],
  ];
  it.each(cases)('%s', (_d, input, expected) => {
    const o = service(input);
    serviceStrategy.defaults!(o);
    expect(o['spec']).toEqual(expected);
  });

  it('status.loadBalancer is {} on create, whatever the client sent', () => {
    const { obj } = create({ type: 'LoadBalancer', ports }, { status: { loadBalancer: { ingress: [{ ip: '127.0.0.9' }] } } });
    expect(obj['status']).toEqual({ loadBalancer: {} });
  });

  it('a LoadBalancer ingress IP without ipMode is a VIP', () => {
    const o = service({ type: 'LoadBalancer', ports }, { status: { loadBalancer: { ingress: [{ ip: '127.0.0.9' }, { hostname: 'lb.example.com' }] } } });
    serviceStrategy.defaults!(o);
    expect(o['status']).toEqual({ loadBalancer: { ingress: [{ ip: '127.0.0.9', ipMode: 'VIP' }, { hostname: 'lb.example.com' }] } });
  });
});

const NEEDS_DNS_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe('Service validation on create (ValidateService)', () => {
  // [description, spec, extra top-level fields, expected errors in Kubernetes' order]
  const cases: [string, Spec, Obj, string[]][] = [
    ['kubectl create service clusterip', { ports: [{ name: '80-8080', port: 80, targetPort: 8080, protocol: 'TCP' }], selector: { app: 'web' } }, {}, []],
    ['kubectl create service nodeport', { type: 'NodePort', ports: [{ name: '80-8080', port: 80, targetPort: 8080 }], selector: { app: 'api' } }, {}, []],
    ['LoadBalancer with Local policy and its health check node port', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports }, {}, []],
    ['headless without ports', { clusterIP: 'None' }, {}, []],
    ['ExternalName with a trailing dot', { type: 'ExternalName', externalName: 'db.example.com.' }, {}, []],
    ['ports are required', {}, {}, ['spec.ports: Required value']],
    ['several ports need names', { ports: [{ port: 80 }, { name: 'b', port: 81 }] }, {}, ['spec.ports[0].name: Required value']],
    [
      'port names are unique DNS labels',
      { ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }, { name: 'a.b', port: 82 }, { name: 'Bad', port: 83 }] },
      {},
      ['spec.ports[1].name: Duplicate value: "http"', 'spec.ports[2].name: Invalid value: "a.b": must not contain dots', `spec.ports[3].name: Invalid value: "Bad": ${NEEDS_DNS_LABEL}`],
    ],
    [
      'port numbers',
      { ports: [{ name: 'a', port: 0, targetPort: 8080 }, { name: 'b', port: 70000, targetPort: 70000 }] },
      {},
      [
        'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
        'spec.ports[1].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
        'spec.ports[1].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      ],
    ],
    ['protocol', { ports: [{ port: 80, protocol: 'HTTP' }] }, {}, ['spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']],
    [
      'named targetPorts are IANA service names',
      {
        ports: [
          { name: 'a', port: 80, targetPort: 'http-alt' },
          { name: 'b', port: 81, targetPort: 'a-very-long-port-name' },
          { name: 'c', port: 82, targetPort: '8080' },
          { name: 'd', port: 83, targetPort: 'a--b' },
          { name: 'e', port: 84, targetPort: '-ab' },
          { name: 'f', port: 85, targetPort: 'Http' },
        ],
      },
      {},
      [
        'spec.ports[1].targetPort: Invalid value: "a-very-long-port-name": must be no more than 15 characters',
        'spec.ports[2].targetPort: Invalid value: "8080": must contain at least one letter (a-z)',
        'spec.ports[3].targetPort: Invalid value: "a--b": must not contain consecutive hyphens',
        'spec.ports[4].targetPort: Invalid value: "-ab": must not begin or end with a hyphen',
        'spec.ports[5].targetPort: Invalid value: "Http": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      ],
    ],
    [
      'duplicate port and protocol',
      { ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80, targetPort: 8080 }, { name: 'c', port: 80, protocol: 'UDP' }] },
      {},
      ['spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}'],
    ],
    [
      'appProtocol is a qualified name',
      { ports: [{ name: 'a', port: 80, appProtocol: 'kubernetes.io/h2c' }, { name: 'b', port: 81, appProtocol: 'not valid' }] },
      {},
      [
        "spec.ports[1].appProtocol: Invalid value: \"not valid\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ],
    ],
    ['nodePort is forbidden on ClusterIP', { ports: [{ port: 80, nodePort: 30001 }] }, {}, ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]],
    [
      'duplicate nodePorts per protocol',
      { type: 'NodePort', ports: [{ name: 'a', port: 80, nodePort: 30001 }, { name: 'b', port: 81, nodePort: 30001 }, { name: 'c', port: 81, protocol: 'UDP', nodePort: 30001 }] },
      {},
      ['spec.ports[1].nodePort: Duplicate value: 30001'],
    ],
    ['headless NodePort', { type: 'NodePort', clusterIP: 'None', ports }, {}, ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"]],
    ['headless LoadBalancer', { type: 'LoadBalancer', clusterIP: 'None', ports }, {}, ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for LoadBalancer services"]],
    ['ExternalName needs an externalName', { type: 'ExternalName' }, {}, ['spec.externalName: Required value']],
    [
      'ExternalName is a DNS subdomain',
      { type: 'ExternalName', externalName: 'Not_A_Host' },
      {},
      [
        "spec.externalName: Invalid value: \"Not_A_Host\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ],
    ],
    [
      'ExternalName takes no cluster IP or IP families',
      { type: 'ExternalName', externalName: 'example.com', clusterIP: '10.96.0.5', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' },
      {},
      [
        'spec.clusterIPs: Forbidden: may not be set for ExternalName services',
        'spec.ipFamilies: Forbidden: may not be set for ExternalName services',
        'spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services',
      ],
    ],
    ['selector labels', { ports, selector: { 'app/x/y': 'web', ok: 'bad value' } }, {}, [
      "spec.selector: Invalid value: \"app/x/y\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      "spec.selector: Invalid value: \"bad value\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ]],
    ['sessionAffinity values', { ports, sessionAffinity: 'Cookie' }, {}, ['spec.sessionAffinity: Unsupported value: "Cookie": supported values: "ClientIP", "None"']],
    [
      'ClientIP timeout range',
      { ports, sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } } },
      {},
      ['spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400'],
    ],
    ['ClientIP timeout of 86400 is fine', { ports, sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86400 } } }, {}, []],
    ['type values', { ports, type: 'Ingress' }, {}, ['spec.type: Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
    ['externalIPs on loopback are fine here (tinykube lives on 127.0.0.0/8)', { ports, externalIPs: ['127.0.0.50', '192.0.2.7'] }, {}, []],
    [
      'externalIPs must be valid, non-special IPs',
      { ports, externalIPs: ['300.1.1.1', '0.0.0.0', '169.254.169.254', '224.0.0.5', 'fe80::1'] },
      {},
      [
        'spec.externalIPs[0]: Invalid value: "300.1.1.1": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
        'spec.externalIPs[1]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
        'spec.externalIPs[2]: Invalid value: "169.254.169.254": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
        'spec.externalIPs[3]: Invalid value: "224.0.0.5": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
        'spec.externalIPs[4]: Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
      ],
    ],
    [
      'loadBalancerSourceRanges: LoadBalancer only, CIDRs (space padding tolerated)',
      { ports, loadBalancerSourceRanges: [' 10.0.0.0/8 ', '10.0.0.1'] },
      {},
      [
        "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'",
        'spec.LoadBalancerSourceRanges[1]: Invalid value: "10.0.0.1": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      ],
    ],
    ['loadBalancerSourceRanges on a LoadBalancer', { type: 'LoadBalancer', ports, loadBalancerSourceRanges: ['192.0.2.0/24', '2001:db8::/64'] }, {}, []],
    [
      'the source-ranges annotation follows the same rules',
      { ports },
      { metadata: { name: 'web', namespace: 'default', annotations: { 'service.beta.kubernetes.io/load-balancer-source-ranges': '10.0.0.0/8, nope' } } },
      [
        "metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]: Forbidden: may only be used when `type` is 'LoadBalancer'",
        'metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]: Invalid value: "nope": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      ],
    ],
    [
      'topology annotations must agree',
      { ports },
      { metadata: { name: 'web', namespace: 'default', annotations: { 'service.kubernetes.io/topology-aware-hints': 'Auto', 'service.kubernetes.io/topology-mode': 'Disabled' } } },
      ['metadata.annotations[service.kubernetes.io/topology-mode]: Invalid value: "Disabled": must match annotations[service.kubernetes.io/topology-aware-hints] when both are specified'],
    ],
    ['allocateLoadBalancerNodePorts: LoadBalancer only', { ports, allocateLoadBalancerNodePorts: true }, {}, ["spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'"]],
    ['loadBalancerClass: LoadBalancer only', { ports, loadBalancerClass: 'example.com/lb' }, {}, ["spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'"]],
    [
      'loadBalancerClass is a qualified name',
      { type: 'LoadBalancer', ports, loadBalancerClass: 'example.com/' },
      {},
      ['spec.loadBalancerClass: Invalid value: "example.com/": name part must be non-empty'],
    ],
    ['loadBalancerIP is not checked (Kubernetes only warns about it)', { type: 'LoadBalancer', ports, loadBalancerIP: '127.0.0.200' }, {}, []],
    [
      'externalTrafficPolicy: only for externally-accessible services',
      { ports, externalTrafficPolicy: 'Local' },
      {},
      ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'],
    ],
    ['externalTrafficPolicy values', { type: 'NodePort', ports, externalTrafficPolicy: 'Nearest' }, {}, ['spec.externalTrafficPolicy: Unsupported value: "Nearest": supported values: "Cluster", "Local"']],
    [
      'healthCheckNodePort: only LoadBalancer with Local',
      { type: 'NodePort', ports, externalTrafficPolicy: 'Local', healthCheckNodePort: 32001 },
      {},
      ["spec.healthCheckNodePort: Invalid value: 32001: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"],
    ],
    [
      'healthCheckNodePort range',
      { type: 'LoadBalancer', ports, externalTrafficPolicy: 'Local', healthCheckNodePort: 70000 },
      {},
      ['spec.healthCheckNodePort: Invalid value: 70000: must be between 1 and 65535, inclusive'],
    ],
    ['internalTrafficPolicy values', { ports, internalTrafficPolicy: 'Node' }, {}, ['spec.internalTrafficPolicy: Unsupported value: "Node": supported values: "Cluster", "Local"']],
    ['internalTrafficPolicy is tolerated on ExternalName', { type: 'ExternalName', externalName: 'example.com', internalTrafficPolicy: 'Local' }, {}, []],
    ['trafficDistribution values', { ports, trafficDistribution: 'Anywhere' }, {}, ['spec.trafficDistribution: Unsupported value: "Anywhere": supported values: "PreferClose"']],
    ['publishNotReadyAddresses is free', { ports, publishNotReadyAddresses: true }, {}, []],
    [
      'clusterIP and clusterIPs must agree',
      { ports, clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.6'] },
      {},
      ['spec.clusterIPs: Invalid value: []string{"10.96.0.6"}: first value must match `clusterIP`'],
    ],
    [
      'an IPv6 cluster IP in an IPv4 family',
      { ports, clusterIP: 'fd00::5', clusterIPs: ['fd00::5'], ipFamilies: ['IPv4'] },
      {},
      ['spec.clusterIPs[0]: Invalid value: "fd00::5": expected an IPv4 value as indicated by `ipFamilies[0]`'],
    ],
  ];
  it.each(cases)('%s', (_d, spec, extra, expected) => {
    expect(create(spec, extra).errs).toEqual(expected);
  });

  it('renders as kube-apiserver does in the 422 message', () => {
    const o = allocate(service({ type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }, { port: 81 }] }));
    serviceStrategy.defaults!(o);
    const errs = serviceStrategy.validate!(o) ?? [];
    expect(errors.invalid('Service', '', 'web', errs).message).toBe(
      "Service \"web\" is invalid: [spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services, spec.ports[0].name: Required value, spec.ports[1].name: Required value]",
    );
  });

  it('accepts a Service whose cluster IP is still to be allocated', () => {
    const o = service({ ports });
    serviceStrategy.prepareForCreate!(o);
    serviceStrategy.defaults!(o);
    expect(serviceStrategy.validate!(o)).toEqual([]);
  });

  it('needs the fields that defaulting sets', () => {
    const o = service({ ports, type: 'LoadBalancer' });
    expect((serviceStrategy.validate!(o) ?? []).map((e) => `${e.field}: ${e.message}`)).toEqual([
      'spec.ports[0].protocol: Required value',
      'spec.sessionAffinity: Required value',
      'allocateLoadBalancerNodePorts: Required value',
      'spec.externalTrafficPolicy: Required value',
      'spec.internalTrafficPolicy: Required value',
    ]);
  });
});

describe('validateServiceClusterIPsRelatedFields (the allocator pre-check)', () => {
  const cases: [string, Spec, string[]][] = [
    ['nothing set yet', { type: 'ClusterIP' }, []],
    ['allocated IPv4', { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' }, []],
    ['headless', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] }, []],
    ['ExternalName is not looked at', { type: 'ExternalName', clusterIP: 'bogus' }, []],
    ['clusterIP without clusterIPs', { type: 'ClusterIP', clusterIP: '10.96.0.1' }, ['spec.clusterIPs: Required value']],
    ['clusterIPs without clusterIP', { type: 'ClusterIP', clusterIPs: ['10.96.0.1'] }, ['spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: must be empty when `clusterIP` is not specified']],
    ['not an IP', { type: 'ClusterIP', clusterIP: '10.96.0.300', clusterIPs: ['10.96.0.300'] }, ['spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
    ['None and more', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None', '10.96.0.1'] }, ['spec.clusterIPs: Invalid value: []string{"None", "10.96.0.1"}: \'None\' must be the first and only value']],
    [
      'two of one family',
      { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1', '10.96.0.2'] },
      ['spec.clusterIPs: Invalid value: []string{"10.96.0.1", "10.96.0.2"}: may specify no more than one IP for each IP family'],
    ],
    [
      'three IPs',
      { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1', 'fd00::1', '10.96.0.2'] },
      ['spec.clusterIPs: Invalid value: []string{"10.96.0.1", "fd00::1", "10.96.0.2"}: may only hold up to 2 values'],
    ],
    ['ipFamilies values', { type: 'ClusterIP', ipFamilies: ['IPv4', 'IPv4', 'IPv5'] }, [
      'spec.ipFamilies[1]: Duplicate value: "IPv4"',
      'spec.ipFamilies[2]: Unsupported value: "IPv5": supported values: "IPv4", "IPv6"',
    ]],
    ['ipFamilyPolicy values', { type: 'ClusterIP', ipFamilyPolicy: 'DualStack' }, ['spec.ipFamilyPolicy: Unsupported value: "DualStack": supported values: "PreferDualStack", "RequireDualStack", "SingleStack"']],
    ['IPv4 value for an IPv6 family', { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ipFamilies: ['IPv6'] }, ['spec.clusterIPs[0]: Invalid value: "10.96.0.1": expected an IPv6 value as indicated by `ipFamilies[0]`']],
  ];
  it.each(cases)('%s', (_d, spec, expected) => {
    expect(validateServiceClusterIPsRelatedFields(service(spec)).map((e) => `${e.field}: ${e.message}`)).toEqual(expected);
  });
});

describe('Service validation on update (ValidateServiceUpdate)', () => {
  const clusterIP = create({ ports, selector: { app: 'web' } }).obj;
  const nodePort = create({ type: 'NodePort', ports }).obj;
  const lbLocal = create({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports, loadBalancerClass: 'example.com/lb' }).obj;
  const headless = create({ clusterIP: 'None', ports }).obj;
  const external = create({ type: 'ExternalName', externalName: 'example.com' }).obj;

  const cases: [string, KubeObject, (s: Spec, o: KubeObject) => void, string[]][] = [
    ['an unchanged update', clusterIP, () => {}, []],
    ['the selector and ports may change', clusterIP, (s) => ((s['selector'] = { app: 'v2' }), (s['ports'] = [{ port: 81 }])), []],
    [
      'clusterIP is immutable',
      clusterIP,
      (s) => ((s['clusterIP'] = '10.96.0.99'), (s['clusterIPs'] = ['10.96.0.99'])),
      ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.99"}: may not change once set'],
    ],
    [
      'the primary clusterIP cannot be unset',
      clusterIP,
      (s) => ((s['clusterIP'] = ''), (s['clusterIPs'] = [])),
      ['spec.clusterIPs[0]: Invalid value: []string{}: primary clusterIP can not be unset'],
    ],
    [
      'ipFamilies are immutable',
      clusterIP,
      (s) => (s['ipFamilies'] = ['IPv6']),
      ['spec.ipFamilies[0]: Invalid value: []core.IPFamily{"IPv6"}: may not change once set', 'spec.clusterIPs[0]: Invalid value: "10.96.0.10": expected an IPv6 value as indicated by `ipFamilies[0]`'],
    ],
    ['headless may not become a ClusterIP with an IP', headless, (s) => ((s['clusterIP'] = '10.96.0.7'), (s['clusterIPs'] = ['10.96.0.7'])), ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.7"}: may not change once set']],
    ['type may change: ClusterIP to NodePort', clusterIP, (s) => (s['type'] = 'NodePort'), []],
    ['type may change: ClusterIP to LoadBalancer', clusterIP, (s) => (s['type'] = 'LoadBalancer'), []],
    ['type may change: NodePort to ClusterIP (nodePorts and externalTrafficPolicy dropped)', nodePort, (s) => (s['type'] = 'ClusterIP'), []],
    [
      'NodePort to ClusterIP with a new nodePort of the user',
      nodePort,
      (s) => ((s['type'] = 'ClusterIP'), ((s['ports'] as Spec[])[0]!['nodePort'] = 31999)),
      ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    ],
    ['type may change: ClusterIP to ExternalName (cluster IP dropped)', clusterIP, (s) => ((s['type'] = 'ExternalName'), (s['externalName'] = 'example.com')), []],
    ['type may change: ExternalName to ClusterIP', external, (s) => ((s['type'] = 'ClusterIP'), (s['ports'] = ports)), []],
    [
      'loadBalancerClass is immutable on a LoadBalancer',
      lbLocal,
      (s) => (s['loadBalancerClass'] = 'example.com/other'),
      ['spec.loadBalancerClass: Invalid value: "example.com/other": may not change once set'],
    ],
    ['loadBalancerClass may not be removed from a LoadBalancer', lbLocal, (s) => delete s['loadBalancerClass'], ['spec.loadBalancerClass: Invalid value: null: may not change once set']],
    ['loadBalancerClass goes with the LoadBalancer type', lbLocal, (s) => (s['type'] = 'NodePort'), []],
    [
      'healthCheckNodePort is immutable',
      lbLocal,
      (s) => (s['healthCheckNodePort'] = 32111),
      ['spec.healthCheckNodePort: Forbidden: field is immutable'],
    ],
    [
      'removing externalIPs from a ClusterIP leaves its externalTrafficPolicy (as in Kubernetes)',
      create({ ports, externalIPs: ['127.0.0.50'] }).obj,
      (s) => delete s['externalIPs'],
      ['spec.externalTrafficPolicy: Invalid value: "Cluster": may only be set for externally-accessible services'],
    ],
  ];
  it.each(cases)('%s', (_d, old, change, expected) => {
    expect(update(old, change).errs).toEqual(expected);
  });

  it('a status write may set LoadBalancer ingress, checked by ValidateLoadBalancerStatus', () => {
    const lb = create({ type: 'LoadBalancer', ports }).obj;
    const ok = structuredClone(lb);
    ok['status'] = { loadBalancer: { ingress: [{ ip: '127.0.0.200', ipMode: 'VIP' }] } };
    expect(serviceStrategy.validate!(ok, lb)).toEqual([]);
    const bad = structuredClone(lb);
    bad['status'] = { loadBalancer: { ingress: [{ ip: '127.0.0.999' }, { hostname: '127.0.0.1', ipMode: 'Proxy' }, { ip: '127.0.0.1', ipMode: 'Tunnel' }] } };
    expect((serviceStrategy.validate!(bad, lb) ?? []).map((e) => `${e.field}: ${e.message}`)).toEqual([
      'status.loadBalancer.ingress[0].ip: Invalid value: "127.0.0.999": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'status.loadBalancer.ingress[1].ipMode: Forbidden: may not be specified when `ip` is not set',
      'status.loadBalancer.ingress[1].hostname: Invalid value: "127.0.0.1": must be a DNS name, not an IP address',
      'status.loadBalancer.ingress[2].ipMode: Unsupported value: "Tunnel": supported values: "Proxy", "VIP"',
    ]);
    const notLB = structuredClone(clusterIP);
    notLB['status'] = { loadBalancer: { ingress: [{ ip: '127.0.0.200', ipMode: 'VIP' }] } };
    expect((serviceStrategy.validate!(notLB, clusterIP) ?? []).map((e) => `${e.field}: ${e.message}`)).toEqual([
      "status.loadBalancer.ingress: Forbidden: may only be used when `spec.type` is 'LoadBalancer'",
    ]);
  });
});

describe('dropTypeDependentFields (PrepareForUpdate)', () => {
  const lb = create({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports, loadBalancerClass: 'example.com/lb' }).obj;
  lb['status'] = { loadBalancer: { ingress: [{ ip: '127.0.0.200', ipMode: 'VIP' }] } };

  function dropped(old: KubeObject, change: (s: Spec) => void): Obj {
    const o = structuredClone(old);
    change(o['spec'] as Spec);
    dropTypeDependentFields(o, old);
    return o;
  }

  it('LoadBalancer to ClusterIP clears node ports, health check port, LB fields and LB status', () => {
    const o = dropped(lb, (s) => (s['type'] = 'ClusterIP'));
    expect(o['spec']).toEqual({
      type: 'ClusterIP',
      ports: [{ ...http, protocol: 'TCP' }],
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
    });
    expect(o['status']).toEqual({ loadBalancer: {} });
  });

  it('LoadBalancer to NodePort keeps node ports and external policy, drops the rest', () => {
    const o = dropped(lb, (s) => (s['type'] = 'NodePort'));
    const spec = o['spec'] as Spec;
    expect(spec['ports']).toEqual([{ ...http, protocol: 'TCP', nodePort: 30080 }]);
    expect(spec['externalTrafficPolicy']).toBe('Local');
    for (const gone of ['healthCheckNodePort', 'allocateLoadBalancerNodePorts', 'loadBalancerClass']) expect(spec).not.toHaveProperty(gone);
  });

  it('fields the user changed along with the type are kept, for validation to judge', () => {
    const o = dropped(lb, (s) => {
      s['type'] = 'ClusterIP';
      s['healthCheckNodePort'] = 32555;
      s['loadBalancerClass'] = 'example.com/new';
      s['allocateLoadBalancerNodePorts'] = false;
    });
    const spec = o['spec'] as Spec;
    expect(spec['healthCheckNodePort']).toBe(32555);
    expect(spec['loadBalancerClass']).toBe('example.com/new');
    expect(spec['allocateLoadBalancerNodePorts']).toBe(false);
  });

  it('to ExternalName clears the cluster IPs and IP families', () => {
    const o = dropped(create({ ports }).obj, (s) => ((s['type'] = 'ExternalName'), (s['externalName'] = 'example.com')));
    const spec = o['spec'] as Spec;
    for (const gone of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy']) expect(spec).not.toHaveProperty(gone);
  });

  it('a new cluster IP sent with the switch to ExternalName stays (and is rejected)', () => {
    const { errs } = update(create({ ports }).obj, (s) => {
      s['type'] = 'ExternalName';
      s['externalName'] = 'example.com';
      s['clusterIP'] = '10.96.0.77';
      s['clusterIPs'] = ['10.96.0.77'];
    });
    expect(errs).toEqual(['spec.clusterIPs: Forbidden: may not be set for ExternalName services']);
  });
});

describe('field selectors', () => {
  it('offers spec.clusterIP and spec.type', () => {
    expect(serviceStrategy.fields!(create({ ports }).obj)).toEqual({ 'spec.clusterIP': '10.96.0.10', 'spec.type': 'ClusterIP' });
  });
});
