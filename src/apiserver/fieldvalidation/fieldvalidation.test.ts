import { describe, expect, it } from 'vitest';
import { RESOURCES } from '../resources.js';
import { ApiError } from '../errors.js';
import { checkFields, checkFieldsHook, fieldValidationDirective, inspectPatch, validateBody, validatePatched, type Outcome } from './index.js';
import { base64Error, quantityError, timeError } from './scalars.js';
import { yamlDuplicateKeys } from './yaml-duplicates.js';

const deployment = { kind: 'Deployment', version: 'v1', model: 'V1Deployment' };
const service = { kind: 'Service', version: 'v1', model: 'V1Service' };

// A Deployment with every kind of problem, in the layout Kubernetes' own field validation
// tests use: duplicates and unknown fields at several depths.
const messyDeployment = `{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {"name": "web", "name": "web2", "unknownMeta": 1, "labels": {"app": "a", "app": "b"}},
  "spec": {
    "unknown1": "x",
    "unknownDupe": 1,
    "unknownDupe": 2,
    "paused": true,
    "paused": false,
    "selector": {"matchLabels": {"app": "a"}},
    "template": {
      "metadata": {"labels": {"app": "a"}},
      "spec": {"containers": [{"name": "c", "image": "i", "unknownNested": 1, "imagePullPolicy": "Always", "imagePullPolicy": "Never"}]}
    }
  }
}`;

const messyFindings = [
  'duplicate field "metadata.name"',
  'unknown field "metadata.unknownMeta"',
  'duplicate field "metadata.labels.app"',
  'unknown field "spec.unknown1"',
  'unknown field "spec.unknownDupe"',
  'duplicate field "spec.paused"',
  'unknown field "spec.template.spec.containers[0].unknownNested"',
  'duplicate field "spec.template.spec.containers[0].imagePullPolicy"',
];

function rejected(out: Outcome): { code: number; reason: string; message: string } {
  if (out.ok) throw new Error(`expected a rejection, got warnings ${JSON.stringify(out.warnings)}`);
  return { code: out.code, reason: out.reason, message: out.message };
}

describe('fieldValidationDirective', () => {
  it.each([
    [null, 'Warn'],
    ['', 'Warn'],
    ['Strict', 'Strict'],
    ['Ignore', 'Ignore'],
  ])('%j -> %s', (param, want) => {
    expect(fieldValidationDirective(param, 'CreateOptions')).toBe(want);
  });

  it('rejects other values as Kubernetes validates CreateOptions', () => {
    const out = fieldValidationDirective('strict', 'PatchOptions');
    expect(out).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"',
    });
  });
});

describe('validateBody (create/update)', () => {
  it('Strict: one 400 listing every finding in document order', () => {
    expect(rejected(validateBody(deployment, { format: 'json', text: messyDeployment }, 'Strict'))).toEqual({
      code: 400,
      reason: 'BadRequest',
      message: `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: ${messyFindings.join(', ')}`,
    });
  });

  it('Warn: one warning per finding', () => {
    expect(validateBody(deployment, { format: 'json', text: messyDeployment }, 'Warn')).toEqual({ ok: true, warnings: messyFindings });
  });

  it('Ignore: nothing', () => {
    expect(validateBody(deployment, { format: 'json', text: messyDeployment }, 'Ignore')).toEqual({ ok: true, warnings: [] });
  });

  it('accepts a clean body silently', () => {
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 'http' }] } });
    expect(validateBody(service, { format: 'json', text }, 'Strict')).toEqual({ ok: true, warnings: [] });
  });

  it('YAML: duplicate keys by line first, then unknown fields in sorted key order', () => {
    const text = [
      'apiVersion: apps/v1', // 1
      'kind: Deployment',
      'metadata:',
      '  name: web',
      '  name: web2', // 5
      'spec:',
      '  zzz: 1',
      '  paused: true',
      '  paused: false', // 9
      '  aaa: 1',
    ].join('\n');
    const value = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web2' }, spec: { zzz: 1, paused: false, aaa: 1 } };
    expect(validateBody(deployment, { format: 'yaml', text, value }, 'Warn')).toEqual({
      ok: true,
      warnings: ['line 5: key "name" already set in map', 'line 9: key "paused" already set in map', 'unknown field "spec.aaa"', 'unknown field "spec.zzz"'],
    });
    expect(rejected(validateBody(deployment, { format: 'yaml', text, value }, 'Strict')).message).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: yaml: unmarshal errors:\n' +
        '  line 5: key "name" already set in map\n  line 9: key "paused" already set in map, unknown field "spec.aaa", unknown field "spec.zzz"',
    );
  });

  // Type mismatches reject whatever the directive; the message is Go's encoding/json one.
  it.each([
    ['string for int32', '{"spec":{"ports":[{"port":"80"}]}}', 'json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32'],
    ['fraction for int32', '{"spec":{"ports":[{"port":80.5}]}}', 'json: cannot unmarshal number 80.5 into Go struct field ServicePort.spec.ports.port of type int32'],
    ['overflow int32', '{"spec":{"ports":[{"port":3000000000}]}}', 'json: cannot unmarshal number 3000000000 into Go struct field ServicePort.spec.ports.port of type int32'],
    ['number for string', '{"spec":{"type":1}}', 'json: cannot unmarshal number into Go struct field ServiceSpec.spec.type of type string'],
    ['string for struct', '{"spec":"x"}', 'json: cannot unmarshal string into Go struct field Service.spec of type v1.ServiceSpec'],
    ['object for list', '{"spec":{"ports":{}}}', 'json: cannot unmarshal object into Go struct field ServiceSpec.spec.ports of type []v1.ServicePort'],
    ['number for map value', '{"metadata":{"labels":{"a":1}}}', 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string'],
    ['bool for IntOrString', '{"spec":{"ports":[{"port":1,"targetPort":true}]}}', 'json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type int32'],
    ['number for kind', '{"kind":5}', 'json: cannot unmarshal number into Go struct field Service.TypeMeta.kind of type string'],
    ['number for time', '{"metadata":{"creationTimestamp":5}}', 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string'],
    ['bad time', '{"metadata":{"creationTimestamp":"yesterday"}}', 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"'],
  ])('%s', (_, text, why) => {
    for (const directive of ['Strict', 'Warn', 'Ignore'] as const) {
      expect(rejected(validateBody(service, { format: 'json', text }, directive))).toEqual({
        code: 400,
        reason: 'BadRequest',
        message: `Service in version "v1" cannot be handled as a Service: ${why}`,
      });
    }
  });

  it('reports a type error before strict findings, as the Go decoder does', () => {
    const text = '{"spec":{"foo":1,"ports":[{"port":"80"}]}}';
    expect(rejected(validateBody(service, { format: 'json', text }, 'Strict')).message).toContain('cannot unmarshal string');
  });

  it('names inline-embedded Go structs in type errors', () => {
    const pod = { kind: 'Pod', version: 'v1', model: 'V1Pod' };
    const text = '{"spec":{"volumes":[{"name":"v","configMap":"x"}],"containers":[{"name":"c","livenessProbe":{"httpGet":1}}]}}';
    expect(rejected(validateBody(pod, { format: 'json', text }, 'Warn')).message).toBe(
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field Volume.spec.volumes.VolumeSource.configMap of type v1.ConfigMapVolumeSource',
    );
  });

  it('checks Secret data as base64 and resource quantities', () => {
    const secret = { kind: 'Secret', version: 'v1', model: 'V1Secret' };
    expect(rejected(validateBody(secret, { format: 'json', text: '{"data":{"k":"not base64!"}}' }, 'Strict')).message).toBe(
      'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3',
    );
    const pod = { kind: 'Pod', version: 'v1', model: 'V1Pod' };
    const limits = (v: string): string => `{"spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":${v}}}}]}}`;
    expect(validateBody(pod, { format: 'json', text: limits('"500m"') }, 'Strict').ok).toBe(true);
    expect(validateBody(pod, { format: 'json', text: limits('0.5') }, 'Strict').ok).toBe(true);
    expect(rejected(validateBody(pod, { format: 'json', text: limits('"lots"') }, 'Strict')).message).toBe(
      "Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  });

  it('accepts anything under free-form fields (managedFields[].fieldsV1)', () => {
    const text = '{"metadata":{"managedFields":[{"manager":"m","fieldsV1":{"f:spec":{"x":1,"x":2}}}]}}';
    expect(validateBody(service, { format: 'json', text }, 'Strict')).toEqual({ ok: true, warnings: [] });
  });

  it('rejects malformed JSON', () => {
    expect(rejected(validateBody(service, { format: 'json', text: '{"spec": }' }, 'Strict')).code).toBe(400);
  });
});

describe('patches', () => {
  const current = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'a' } } } };

  it('merge patch: patch duplicates first, then unknown fields of the result in sorted order (422)', () => {
    const text = '{"spec":{"zzz":1,"paused":true,"paused":false,"aaa":2}}';
    const inspection = inspectPatch('merge', text);
    const patched = { ...current, spec: { ...current.spec, zzz: 1, paused: false, aaa: 2 } };
    expect(validatePatched(deployment, patched, inspection, 'Warn')).toEqual({
      ok: true,
      warnings: ['duplicate field "spec.paused"', 'unknown field "spec.aaa"', 'unknown field "spec.zzz"'],
    });
    const out = rejected(validatePatched(deployment, patched, inspection, 'Strict'));
    expect(out.code).toBe(422);
    expect(out.reason).toBe('Invalid');
    expect(out.message).toMatch(/^ "" is invalid: patch: Invalid value: ".*": strict decoding error: duplicate field "spec\.paused", unknown field "spec\.aaa", unknown field "spec\.zzz"$/s);
    expect(validatePatched(deployment, patched, inspection, 'Ignore')).toEqual({ ok: true, warnings: [] });
  });

  it('strategic merge patch quotes the patch as Go prints it', () => {
    const inspection = inspectPatch('strategic', '{"spec":{"foo":1}}');
    const out = rejected(validatePatched(deployment, { ...current, spec: { ...current.spec, foo: 1 } }, inspection, 'Strict'));
    expect(out.message).toBe(' "" is invalid: patch: Invalid value: "map[spec:map[foo:1]]": strict decoding error: unknown field "spec.foo"');
  });

  it('JSON patch: unknown and duplicate operation fields', () => {
    const text = '[{"op":"add","path":"/spec/foo","value":1,"extra":true},{"op":"add","path":"/a","path":"/b","value":{"x":1,"x":2}}]';
    const inspection = inspectPatch('json', text);
    expect(inspection.strict).toEqual([
      'json patch unknown field "[0].extra"',
      'json patch duplicate field "[1].path"',
      'json patch duplicate field "[1].value.x"',
    ]);
    const out = validatePatched(deployment, { ...current, spec: { ...current.spec, foo: 1 } }, inspection, 'Warn');
    expect(out).toEqual({ ok: true, warnings: [...inspection.strict, 'unknown field "spec.foo"'] });
  });

  it('apply patch: YAML duplicate keys', () => {
    const inspection = inspectPatch('apply', 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  paused: true\n  paused: false\n');
    expect(validatePatched(deployment, current, inspection, 'Warn')).toEqual({ ok: true, warnings: ['line 5: key "paused" already set in map'] });
    expect(rejected(validatePatched(deployment, current, inspection, 'Strict')).message).toBe(
      'error strict decoding patch: error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line 5: key "paused" already set in map',
    );
  });

  it('type errors in the patched object are 422 under every directive', () => {
    const inspection = inspectPatch('merge', '{"spec":{"replicas":"3"}}');
    const out = rejected(validatePatched(deployment, { ...current, spec: { ...current.spec, replicas: '3' } }, inspection, 'Ignore'));
    expect(out.code).toBe(422);
    expect(out.message).toContain('json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  });

  it('a merge patch must be an object', () => {
    expect(rejected(validatePatched(deployment, current, inspectPatch('merge', '[1]'), 'Strict')).message).toBe(
      'error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}',
    );
  });
});

describe('checkFields', () => {
  it('lists unknown paths, duplicates and type errors', () => {
    const raw = '{"spec":{"ports":[{"port":80,"bar":1,"bar":2}],"foo":1,"foo":2}}';
    const result = checkFields('V1Service', JSON.parse(raw), raw);
    expect(result.unknown).toEqual(['spec.ports[0].bar', 'spec.foo']);
    expect(result.duplicates).toEqual([]);
    expect(result.strict).toEqual(['unknown field "spec.ports[0].bar"', 'unknown field "spec.foo"']);
    expect(result.typeErrors).toEqual([]);
  });

  it('walks parsed objects in sorted key order', () => {
    expect(checkFields('V1Service', { spec: { zz: 1, aa: 2 } }).unknown).toEqual(['spec.aa', 'spec.zz']);
  });

  it('walks through maps and lists into nested structs', () => {
    expect(checkFields('V1Pod', { spec: { containers: [{ name: 'c', resources: { limits: { cpu: '1' }, nope: 1 } }] } }).unknown).toEqual([
      'spec.containers[0].resources.nope',
    ]);
  });
});

describe('scalars', () => {
  it.each([
    ['1', undefined],
    ['500m', undefined],
    ['1.5Gi', undefined],
    ['1e3', undefined],
    ['+1E-3', undefined],
    ['1ki', "unable to parse quantity's suffix"],
    ['', "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
    ['1 Gi', "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
  ])('quantity %j', (text, want) => {
    expect(quantityError(text)).toBe(want);
  });

  it.each([
    ['2024-02-29T10:00:00Z', undefined],
    ['2024-02-29T10:00:00.123456+02:00', undefined],
    ['2023-02-29T10:00:00Z', 'parsing time "2023-02-29T10:00:00Z": day out of range'],
    ['2024-13-01T10:00:00Z', 'parsing time "2024-13-01T10:00:00Z": month out of range'],
    ['2024-01-01 10:00:00Z', 'parsing time "2024-01-01 10:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 10:00:00Z" as "T"'],
    ['2024-01-01T10:00:00', 'parsing time "2024-01-01T10:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00"'],
    ['2024-01-01T10:00:00Zjunk', 'parsing time "2024-01-01T10:00:00Zjunk": extra text: "junk"'],
  ])('time %j', (text, want) => {
    expect(timeError(text)).toBe(want);
  });

  it.each([
    ['aGVsbG8=', undefined],
    ['aGVs\nbG8=', undefined],
    ['', undefined],
    ['aGVsbG8', 'illegal base64 data at input byte 4'],
    ['aGVsbG8==', 'illegal base64 data at input byte 8'],
    ['a!==', 'illegal base64 data at input byte 1'],
  ])('base64 %j', (text, want) => {
    expect(base64Error(text)).toBe(want);
  });

  it('yaml duplicate keys with their lines, nested and flow maps included', () => {
    expect(yamlDuplicateKeys('a: 1\nb:\n  c: 1\n  "c": 2\na: 3\nd: {"x": 1, "x": 2}\n')).toEqual([
      'line 4: key "c" already set in map',
      'line 5: key "a" already set in map',
      'line 6: key "x" already set in map',
    ]);
  });
});

describe('checkFieldsHook (ServerPlugins.checkFields)', () => {
  const hook = checkFieldsHook();
  const svc = RESOURCES.find((r) => r.kind === 'Service')!;

  it('returns warnings for a JSON body, in document order', () => {
    const raw = '{"spec":{"zz":1,"aa":2}}';
    expect(hook(svc, JSON.parse(raw), raw, 'Warn')).toEqual(['unknown field "spec.zz"', 'unknown field "spec.aa"']);
  });

  it('treats a body that is not JSON as YAML', () => {
    const raw = 'spec:\n  zz: 1\n  zz: 2\n';
    expect(hook(svc, { spec: { zz: 2 } }, raw, 'Warn')).toEqual(['line 3: key "zz" already set in map', 'unknown field "spec.zz"']);
  });

  it('throws the Status as an ApiError', () => {
    const raw = '{"spec":{"foo":1}}';
    try {
      hook(svc, JSON.parse(raw), raw, 'Strict');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).toStatus()).toMatchObject({
        code: 400,
        reason: 'BadRequest',
        message: 'Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.foo"',
      });
    }
  });

  it('judges a patched object (no raw body) as a patch result', () => {
    expect(() => hook(svc, { spec: { foo: 1 } }, undefined, 'Strict')).toThrow(/^ "" is invalid: patch: Invalid value: .*unknown field "spec.foo"$/);
    expect(hook(svc, { spec: { foo: 1 } }, undefined, 'Warn')).toEqual(['unknown field "spec.foo"']);
  });
});
