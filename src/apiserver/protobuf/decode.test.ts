// Go's JSON rules applied to protobuf input kubectl never sends: zero values set explicitly,
// unset fields, unknown fields, packed lists, repeated messages, odd map entries and times.
import { describe, expect, it } from 'vitest';
import { decodeMessage } from './decoder.js';
import { decodeKubernetesProtobuf } from './index.js';
import { renderMessage } from './render.js';
import { concat, envelope, named, wire, type Chunk } from './testing/wire-builder.js';
import { MicroTime } from './types/wellknown.js';

const { message, string, varint, int64, bytes, entry, packed } = wire;

function decode(apiVersion: string, kind: string, ...fields: Chunk[]): Record<string, unknown> {
  return decodeKubernetesProtobuf(envelope(apiVersion, kind, ...fields)).object;
}

/** A Deployment whose pod template holds the given PodSpec fields. */
function podSpec(...fields: Chunk[]): Record<string, unknown> {
  const obj = decode('apps/v1', 'Deployment', named('d'), message(2, message(3, message(2, ...fields))));
  const spec = obj.spec as { template: { spec: Record<string, unknown> } };
  return spec.template.spec;
}

describe('zero values follow the Go struct tags', () => {
  it('keeps pointer zeros, drops omitempty value zeros, fills unset structs', () => {
    const obj = decode('apps/v1', 'Deployment', named('d'), message(2, varint(1, 0), varint(5, 0), varint(7, 0)));
    expect(obj).toStrictEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', creationTimestamp: null },
      // selector is a *LabelSelector without omitempty; template and strategy are structs.
      spec: { replicas: 0, selector: null, template: { metadata: { creationTimestamp: null }, spec: { containers: null } }, strategy: {} },
      status: {},
    });
  });

  it('writes fields without omitempty even when zero (ServicePort.port, ContainerPort.containerPort)', () => {
    const svc = decode('v1', 'Service', named('s'), message(2, message(1, varint(3, 0), varint(5, 0)), varint(13, 0), varint(20, 0)));
    expect(svc.spec).toStrictEqual({ ports: [{ port: 0, targetPort: 0 }], allocateLoadBalancerNodePorts: false });

    const spec = podSpec(message(2, string(1, 'c'), message(6, varint(3, 0)), varint(16, 0), varint(18, 1)));
    expect(spec.containers).toStrictEqual([{ name: 'c', ports: [{ containerPort: 0 }], resources: {}, tty: true }]);
  });

  it('renders probes with their inline handler, IntOrString ports and a nil *string as null', () => {
    const probe = (no: number, handler: Chunk): Chunk => message(no, message(1, handler), varint(3, 5));
    const spec = podSpec(
      message(
        2,
        string(1, 'c'),
        probe(10, message(2, string(1, '/healthz'), message(2, varint(1, 1), string(3, 'http')))),
        probe(11, message(4, varint(1, 9000))),
        probe(22, message(3, message(1, varint(2, 8080)))),
      ),
    );
    expect(spec.containers).toStrictEqual([
      {
        name: 'c',
        resources: {},
        livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, timeoutSeconds: 5 },
        readinessProbe: { grpc: { port: 9000, service: null }, timeoutSeconds: 5 },
        startupProbe: { tcpSocket: { port: 8080 }, timeoutSeconds: 5 },
      },
    ]);
  });

  it('puts the volume source beside the volume name (VolumeSource is inline)', () => {
    const spec = podSpec(
      message(1, string(1, 'cfg'), message(2, message(19, message(1, string(1, 'app-config')), varint(3, 0o644)))),
      message(1, string(1, 'scratch'), message(2, message(2))),
      message(1, string(1, 'host'), message(2, message(1, string(1, '/var/log')))),
      message(1, string(1, 'creds'), message(2, message(6, string(1, 'db'), message(2, string(1, 'pw'), string(2, 'password'))))),
    );
    expect(spec.volumes).toStrictEqual([
      { name: 'cfg', configMap: { name: 'app-config', defaultMode: 0o644 } },
      { name: 'scratch', emptyDir: {} },
      { name: 'host', hostPath: { path: '/var/log' } },
      { name: 'creds', secret: { secretName: 'db', items: [{ key: 'pw', path: 'password' }] } },
    ]);
  });

  it('renders env sources, resources and security context', () => {
    const quantity = (s: string): Chunk => message(2, string(1, s));
    const spec = podSpec(
      message(
        2,
        string(1, 'c'),
        message(7, string(1, 'A'), string(2, 'x')),
        message(7, string(1, 'B'), message(3, message(4, message(1, string(1, 'sec')), string(2, 'key')))),
        message(7, string(1, 'C'), message(3, message(1, string(2, 'metadata.name')))),
        message(8, entry(1, 'cpu', quantity('500m')), entry(2, 'memory', quantity('64Mi'))),
        message(19, message(2, message(1, string(1, 'cm')), varint(2, 1))),
        message(15, varint(5, 1), int64(4, 1000), message(1, string(2, 'ALL'))),
      ),
      int64(4, 0),
    );
    expect(spec).toStrictEqual({
      containers: [
        {
          name: 'c',
          env: [
            { name: 'A', value: 'x' },
            { name: 'B', valueFrom: { secretKeyRef: { name: 'sec', key: 'key' } } },
            { name: 'C', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          resources: { limits: { cpu: '500m' }, requests: { memory: '64Mi' } },
          envFrom: [{ configMapRef: { name: 'cm', optional: true } }],
          securityContext: { capabilities: { drop: ['ALL'] }, runAsUser: 1000, runAsNonRoot: true },
        },
      ],
      terminationGracePeriodSeconds: 0,
    });
  });

  it('writes a nil pointer without omitempty as null (Ingress pathType, apiGroup)', () => {
    const backend = message(2, message(3, string(2, 'Bucket'), string(3, 'assets')));
    const obj = decode('networking.k8s.io/v1', 'Ingress', named('i'), message(2, message(3, message(2, message(1, message(1, string(1, '/'), backend))))));
    expect(obj.spec).toStrictEqual({ rules: [{ http: { paths: [{ path: '/', backend: { resource: { apiGroup: null, kind: 'Bucket', name: 'assets' } }, pathType: null }] } }] });
  });
});

describe('wire details', () => {
  it('skips unknown fields of every wire type, at the top and nested', () => {
    const group = Uint8Array.of((15 << 3) | 3, 8, 1, (15 << 3) | 4); // field 15 as a group holding a varint
    const obj = decode(
      'v1',
      'ConfigMap',
      wire.fixed64(50),
      message(1, string(1, 'cm'), varint(200, 7), wire.fixed32(201), group, message(202, string(1, 'x'))),
      wire.fixed32(51),
      entry(2, 'k', string(2, 'v')),
      string(52, 'later Kubernetes field'),
    );
    expect(obj).toStrictEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', creationTimestamp: null }, data: { k: 'v' } });
  });

  it('accepts packed and unpacked repeated numbers', () => {
    const spec = podSpec(message(14, packed(4, [1000, 2000]), int64(4, 3000)));
    expect(spec.securityContext).toStrictEqual({ supplementalGroups: [1000, 2000, 3000] });
  });

  it('merges a message field that occurs twice, as Go does', () => {
    const obj = decode('v1', 'Namespace', named('ns'), message(1, entry(11, 'team', string(2, 'web'))), message(1, string(3, 'team-a')));
    expect(obj.metadata).toStrictEqual({ name: 'ns', namespace: 'team-a', creationTimestamp: null, labels: { team: 'web' } });
  });

  it('gives map entries zero values for a missing key or value; the last duplicate wins', () => {
    const obj = decode(
      'v1',
      'Secret',
      named('s'),
      entry(2, 'token', bytes(2, Uint8Array.of(0xde, 0xad))),
      message(2, string(1, 'empty')),
      message(2, bytes(2, Uint8Array.of(1))),
      entry(2, 'token', bytes(2, Uint8Array.of(0xbe, 0xef))),
      entry(4, '__proto__', string(2, 'plain key')),
    );
    expect(obj.data).toStrictEqual({ token: 'vu8=', empty: '', '': 'AQ==' });
    const stringData = obj.stringData as Record<string, unknown>;
    expect(Object.getPrototypeOf(stringData)).toBe(Object.prototype);
    expect(Object.keys(stringData)).toStrictEqual(['__proto__']);
    expect(JSON.stringify(stringData)).toBe('{"__proto__":"plain key"}');
  });

  it('reads negative int32 and large int64 values', () => {
    const obj = decode('v1', 'Namespace', message(1, string(1, 'n'), int64(7, 2 ** 40), int64(10, -30)));
    expect(obj.metadata).toMatchObject({ generation: 2 ** 40, deletionGracePeriodSeconds: -30 });
    const svc = decode('v1', 'Service', named('s'), message(2, message(1, varint(3, -1))));
    expect(svc.spec).toStrictEqual({ ports: [{ port: -1, targetPort: 0 }] });
  });

  it('replaces invalid UTF-8 with U+FFFD and keeps a byte order mark', () => {
    const obj = decode('v1', 'ConfigMap', named('cm'), entry(2, 'bad', bytes(2, Uint8Array.of(0x61, 0xff, 0x62))), entry(2, 'bom', bytes(2, Uint8Array.of(0xef, 0xbb, 0xbf, 0x78))));
    expect(obj.data).toStrictEqual({ bad: 'a\ufffdb', bom: '\ufeffx' });
  });
});

describe('apimachinery types with their own JSON form', () => {
  const timestamp = (no: number, seconds: number, nanos = 0): Chunk => message(no, int64(1, seconds), ...(nanos ? [varint(2, nanos)] : []));

  it('writes Time as RFC 3339 seconds in UTC and Go zero time as null', () => {
    const meta = (...f: Chunk[]): unknown => decode('v1', 'Namespace', message(1, ...f)).metadata;
    expect(meta(timestamp(8, 1_700_000_000, 999_000_000))).toStrictEqual({ creationTimestamp: '2023-11-14T22:13:20Z' });
    expect(meta(timestamp(8, -62135596800))).toStrictEqual({ creationTimestamp: null });
    expect(meta(message(9))).toStrictEqual({ creationTimestamp: null, deletionTimestamp: null });
    expect(meta(timestamp(8, 0))).toStrictEqual({ creationTimestamp: '1970-01-01T00:00:00Z' });
  });

  it('writes MicroTime with microseconds', () => {
    const render = (...f: Chunk[]): unknown => renderMessage(decodeMessage(concat(...f), MicroTime, 't'), 't');
    expect(render(int64(1, 1_700_000_000), varint(2, 123_456_789))).toBe('2023-11-14T22:13:20.123456Z');
    expect(render(int64(1, 1_700_000_000))).toBe('2023-11-14T22:13:20.000000Z');
    expect(render()).toBeNull();
  });

  it('writes managedFields with their FieldsV1 JSON and time', () => {
    const fields = '{"f:data":{"f:a":{}}}';
    const meta = decode('v1', 'ConfigMap', message(1, string(1, 'cm'), message(17, string(1, 'kubectl'), string(2, 'Update'), timestamp(4, 0), string(6, 'FieldsV1'), message(7, bytes(1, Buffer.from(fields)))))).metadata;
    expect(meta).toStrictEqual({
      name: 'cm',
      creationTimestamp: null,
      managedFields: [{ manager: 'kubectl', operation: 'Update', time: '1970-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: JSON.parse(fields) }],
    });
  });

  it('writes IntOrString as a number or a string, Quantity as its string', () => {
    const svc = decode('v1', 'Service', named('s'), message(2, message(1, varint(3, 80), message(4, varint(1, 1), string(3, 'web'))), message(1, varint(3, 81), message(4, varint(2, 8081)))));
    expect(svc.spec).toStrictEqual({ ports: [{ port: 80, targetPort: 'web' }, { port: 81, targetPort: 8081 }] });
    const spec = podSpec(message(2, string(1, 'c'), message(8, message(1, string(1, 'cpu')))));
    expect(spec.containers).toStrictEqual([{ name: 'c', resources: { limits: { cpu: '0' } } }]);
  });
});
