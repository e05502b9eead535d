// How Go names our types in decode errors: `json: cannot unmarshal string into Go struct field
// ServicePort.spec.ports.port of type int32`. The client models lost the Go names, so they are
// derived: the model name without its version prefix, in package `v1` (every group we serve is
// at v1), and a few facts about Kubernetes' Go types that the JSON shape does not show.
import type { FieldType, Model } from '../../api/schema.js';

/** 'V1ServicePort' -> 'ServicePort', 'CoreV1Event' -> 'Event', 'DiscoveryV1EndpointPort' -> 'EndpointPort'. */
export function goStructName(model: string): string {
  return model.replace(/^(?:[A-Z][a-z]+)?V\d+(?:(?:alpha|beta)\d+)?(?=[A-Z])/, '');
}

/** The Go type the decoder reports for a field of this type (reflect.Type.String()). */
export function goTypeName(type: FieldType): string {
  switch (type.kind) {
    case 'string':
      return 'string';
    case 'integer':
      return type.format ?? 'int';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'object':
      return `v1.${goStructName(type.model)}`;
    case 'array':
      return `[]${goTypeName(type.items)}`;
    case 'map':
      // core/v1 ResourceList is the named map type of every Quantity map we serve.
      return type.values.kind === 'quantity' ? 'v1.ResourceList' : `map[string]${goTypeName(type.values)}`;
    case 'intOrString':
      return 'intstr.IntOrString';
    case 'quantity':
      return 'resource.Quantity';
    case 'time':
      return 'v1.Time';
    case 'bytes':
      return '[]uint8';
    case 'any':
      return 'runtime.RawExtension';
  }
}

/**
 * Inline-embedded Go structs (`json:",inline"`): their fields appear directly in the JSON
 * object, but the decoder's error path names the embedded struct, e.g.
 * `Go struct field Volume.spec.volumes.VolumeSource.configMap`.
 */
const EMBEDDED: Readonly<Record<string, { struct: string; except: readonly string[] }>> = {
  V1Volume: { struct: 'VolumeSource', except: ['name'] },
  V1EphemeralContainer: { struct: 'EphemeralContainerCommon', except: ['targetContainerName'] },
};
const PROBE_HANDLER = new Set(['exec', 'httpGet', 'tcpSocket', 'grpc']);

/** The embedded struct that holds `field` of `model` in Go, if any. */
export function embeddedStructOf(model: Model, field: string): string | undefined {
  // Every kind embeds metav1.TypeMeta for apiVersion and kind; other objects that carry
  // apiVersion/kind (OwnerReference, ObjectReference) declare them directly.
  if ((field === 'apiVersion' || field === 'kind') && (model.fields.has('metadata') || model.name === 'V1DeleteOptions')) {
    return model.fields.has('apiVersion') && model.fields.has('kind') ? 'TypeMeta' : undefined;
  }
  if (model.name === 'V1Probe') return PROBE_HANDLER.has(field) ? 'ProbeHandler' : undefined;
  const e = EMBEDDED[model.name];
  return e && !e.except.includes(field) ? e.struct : undefined;
}

/** A decoded JSON value as Go's fmt prints it with %+v (map[k:v ...] with sorted keys, [a b]). */
export function goSprint(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goSprint).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o)
      .sort()
      .map((k) => `${k}:${goSprint(o[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}
