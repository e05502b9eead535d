import { describe, expect, it } from 'vitest';
import { RESOURCES } from '../apiserver/resources.js';
import { loadSchema, type FieldType } from './schema.js';

const schema = loadSchema();

function fieldType(model: string, field: string): FieldType | undefined {
  return schema.model(model)?.fields.get(field)?.type;
}

describe('loadSchema', () => {
  it('is cached', () => {
    expect(loadSchema()).toBe(schema);
  });

  it('maps every served kind to its model', () => {
    for (const res of RESOURCES) {
      expect(schema.modelForKind(res.group, res.version, res.kind)?.name, res.kind).toBe(res.model);
    }
    expect(schema.modelForKind('apps', 'v1', 'DeploymentList')?.name).toBe('V1DeploymentList');
    expect(schema.modelForKind('autoscaling', 'v1', 'Scale')?.name).toBe('V1Scale');
    expect(schema.modelForKind('', 'v1', 'Status')?.name).toBe('V1Status');
    expect(schema.modelForKind('apps', 'v1', 'Nope')).toBeUndefined();
  });

  it('keeps only models reachable from what we serve', () => {
    const names = schema.modelNames();
    expect(names).toContain('V1PodSpec');
    expect(names).toContain('V1DeleteOptions');
    expect(names).not.toContain('V1CronJob');
    expect(names).not.toContain('V1StatefulSetSpec');
  });

  it.each<[string, string, FieldType]>([
    ['V1ServicePort', 'port', { kind: 'integer', format: 'int32' }],
    ['V1ServicePort', 'targetPort', { kind: 'intOrString' }],
    ['V1ObjectMeta', 'creationTimestamp', { kind: 'time' }],
    ['V1LeaseSpec', 'renewTime', { kind: 'time' }],
    ['V1ObjectMeta', 'labels', { kind: 'map', values: { kind: 'string' } }],
    ['V1ResourceRequirements', 'limits', { kind: 'map', values: { kind: 'quantity' } }],
    ['V1EmptyDirVolumeSource', 'sizeLimit', { kind: 'quantity' }],
    ['V1Secret', 'data', { kind: 'map', values: { kind: 'bytes' } }],
    ['V1ConfigMap', 'binaryData', { kind: 'map', values: { kind: 'bytes' } }],
    ['V1PodSpec', 'containers', { kind: 'array', items: { kind: 'object', model: 'V1Container' } }],
    ['V1ManagedFieldsEntry', 'fieldsV1', { kind: 'any' }],
    ['V1DeploymentSpec', 'paused', { kind: 'boolean' }],
  ])('%s.%s is %j', (model, field, type) => {
    expect(fieldType(model, field)).toEqual(type);
  });

  it('carries descriptions and required flags from the client', () => {
    const port = schema.model('V1ServicePort');
    expect(port?.description).toMatch(/ServicePort contains information/);
    expect(port?.fields.get('port')?.description).toBe('The port that will be exposed by this service.');
    expect(port?.fields.get('port')?.required).toBe(true);
    expect(port?.fields.get('name')?.required).toBeUndefined();
    expect(schema.model('V1Container')?.fields.get('name')?.required).toBe(true);
    // The generator escapes quotes in JSDoc; the schema has them back.
    expect(port?.fields.get('name')?.description).toContain("the 'name' field");
  });

  it('uses JSON names for fields', () => {
    expect(schema.model('V1ListMeta')?.fields.has('continue')).toBe(true);
  });

  it('references only models it has', () => {
    const missing: string[] = [];
    const visit = (t: FieldType, where: string): void => {
      if (t.kind === 'object' && !schema.model(t.model)) missing.push(`${where} -> ${t.model}`);
      if (t.kind === 'array') visit(t.items, where);
      if (t.kind === 'map') visit(t.values, where);
    };
    for (const name of schema.modelNames()) {
      for (const f of schema.model(name)!.fields.values()) visit(f.type, `${name}.${f.name}`);
    }
    expect(missing).toEqual([]);
  });
});
