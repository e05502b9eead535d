import { describe, expect, it } from 'vitest';
import { loadSchema } from './schema.js';
import { isAtomicStruct, PATCH_META, patchMetaFor } from './patchmeta.js';

describe('patch metadata of the served kinds (Go struct tags and list markers)', () => {
  it.each([
    { model: 'V1PodSpec', field: 'containers', strategy: ['merge'], mergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    { model: 'V1PodSpec', field: 'initContainers', strategy: ['merge'], mergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    { model: 'V1PodSpec', field: 'ephemeralContainers', strategy: ['merge'], mergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    { model: 'V1PodSpec', field: 'volumes', strategy: ['merge', 'retainKeys'], mergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    { model: 'V1PodSpec', field: 'imagePullSecrets', strategy: ['merge'], mergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    { model: 'V1PodSpec', field: 'hostAliases', strategy: ['merge'], mergeKey: 'ip', listType: 'map', listMapKeys: ['ip'] },
    { model: 'V1PodSpec', field: 'tolerations', strategy: [], mergeKey: undefined, listType: 'atomic', listMapKeys: undefined },
    { model: 'V1PodSpec', field: 'topologySpreadConstraints', strategy: ['merge'], mergeKey: 'topologyKey', listType: 'map', listMapKeys: ['topologyKey', 'whenUnsatisfiable'] },
    { model: 'V1Container', field: 'ports', strategy: ['merge'], mergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'] },
    { model: 'V1Container', field: 'env', strategy: ['merge'], mergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    { model: 'V1Container', field: 'volumeMounts', strategy: ['merge'], mergeKey: 'mountPath', listType: 'map', listMapKeys: ['mountPath'] },
    { model: 'V1Container', field: 'volumeDevices', strategy: ['merge'], mergeKey: 'devicePath', listType: 'map', listMapKeys: ['devicePath'] },
    { model: 'V1Container', field: 'args', strategy: [], mergeKey: undefined, listType: 'atomic', listMapKeys: undefined },
    { model: 'V1ServiceSpec', field: 'ports', strategy: ['merge'], mergeKey: 'port', listType: 'map', listMapKeys: ['port', 'protocol'] },
    { model: 'V1ObjectMeta', field: 'finalizers', strategy: ['merge'], mergeKey: undefined, listType: 'set', listMapKeys: undefined },
    { model: 'V1ObjectMeta', field: 'ownerReferences', strategy: ['merge'], mergeKey: 'uid', listType: 'map', listMapKeys: ['uid'] },
    { model: 'V1DeploymentSpec', field: 'strategy', strategy: ['retainKeys'], mergeKey: undefined, listType: undefined, listMapKeys: undefined },
    { model: 'V1DeploymentStatus', field: 'conditions', strategy: ['merge'], mergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
    { model: 'V1PodStatus', field: 'conditions', strategy: ['merge'], mergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
    { model: 'V1PodStatus', field: 'containerStatuses', strategy: [], mergeKey: undefined, listType: 'atomic', listMapKeys: undefined },
    { model: 'V1PodStatus', field: 'podIPs', strategy: ['merge'], mergeKey: 'ip', listType: 'map', listMapKeys: ['ip'] },
    { model: 'V1NodeStatus', field: 'addresses', strategy: ['merge'], mergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
    { model: 'V1NodeStatus', field: 'conditions', strategy: ['merge'], mergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
    { model: 'V1NodeSpec', field: 'podCIDRs', strategy: ['merge'], mergeKey: undefined, listType: 'set', listMapKeys: undefined },
    { model: 'V1Endpoints', field: 'subsets', strategy: [], mergeKey: undefined, listType: 'atomic', listMapKeys: undefined },
    { model: 'V1EndpointSlice', field: 'endpoints', strategy: [], mergeKey: undefined, listType: 'atomic', listMapKeys: undefined },
    { model: 'V1IngressSpec', field: 'rules', strategy: [], mergeKey: undefined, listType: 'atomic', listMapKeys: undefined },
    { model: 'V1NamespaceStatus', field: 'conditions', strategy: ['merge'], mergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
  ])('$model.$field', ({ model, field, ...want }) => {
    const meta = patchMetaFor(model, field);
    expect({ strategy: meta?.strategy, mergeKey: meta?.mergeKey, listType: meta?.listType, listMapKeys: meta?.listMapKeys }).toEqual(want);
  });

  it('list-map keys with a declared default carry it (an element omitting protocol is keyed TCP)', () => {
    expect(patchMetaFor('V1ServiceSpec', 'ports')?.keyDefaults).toEqual({ protocol: 'TCP' });
    expect(patchMetaFor('V1Container', 'ports')?.keyDefaults).toEqual({ protocol: 'TCP' });
  });

  it('atomic maps and structs', () => {
    expect(patchMetaFor('V1ServiceSpec', 'selector')?.mapType).toBe('atomic');
    expect(patchMetaFor('V1PodSpec', 'nodeSelector')?.mapType).toBe('atomic');
    expect(isAtomicStruct('V1LabelSelector')).toBe(true);
    expect(isAtomicStruct('V1OwnerReference')).toBe(true);
    expect(isAtomicStruct('V1PodSpec')).toBe(false);
  });

  it('names only models and fields that exist in the schema, and every list field of a listed model', () => {
    const schema = loadSchema();
    for (const [model, fields] of Object.entries(PATCH_META)) {
      const m = schema.model(model);
      expect(m, model).toBeDefined();
      for (const field of Object.keys(fields)) expect(m!.fields.has(field), `${model}.${field}`).toBe(true);
      for (const f of m!.fields.values()) if (f.type.kind === 'array') expect(fields[f.name], `${model}.${f.name}`).toBeDefined();
    }
  });
});
