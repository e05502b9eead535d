// Kubernetes' definition names (io.k8s.api.core.v1.Service, io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta)
// for the client's model names (V1Service, V1ObjectMeta). kubectl shows the last segment as a
// field's type (`<ServiceSpec>`) and tools key schemas by these names, so they must match.
//
// The client keeps only a version prefix, so the Go package is derived: a served kind lives in
// its group's package; a nested type in the package of the first kind that reaches it; meta/v1
// types are listed; group-prefixed client names (CoreV1EventSeries) say their package.
import type { FieldType, Schema } from '../../api/schema.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** The apimachinery meta/v1 types among the client's models. */
const META_MODELS = new Set([
  'V1ObjectMeta',
  'V1ListMeta',
  'V1LabelSelector',
  'V1LabelSelectorRequirement',
  'V1OwnerReference',
  'V1ManagedFieldsEntry',
  'V1Condition',
  'V1Status',
  'V1StatusDetails',
  'V1StatusCause',
  'V1DeleteOptions',
  'V1Preconditions',
  'V1WatchEvent',
  'V1APIResource',
  'V1APIResourceList',
  'V1APIGroup',
  'V1APIGroupList',
  'V1APIVersions',
]);

/**
 * core/v1 types that the kinds we serve reach only through other groups (apps' pod template,
 * networking's backend resource reference); first-reach would misfile them.
 */
const CORE_MODELS = new Set(['V1PodTemplateSpec', 'V1TypedLocalObjectReference']);

/** Definitions that are not client models: the types the client flattens to strings. */
export const BUILTIN = {
  time: `${META}.Time`,
  microTime: `${META}.MicroTime`,
  fieldsV1: `${META}.FieldsV1`,
  patch: `${META}.Patch`,
  intOrString: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  quantity: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
} as const;

/** io.k8s.api.<first label of the group>.<version>; the core group is "core". */
export function groupPackage(group: string, version: string): string {
  return `io.k8s.api.${group === '' ? 'core' : group.split('.')[0]}.${version}`;
}

/** The model name without its version prefix: V1ServicePort -> ServicePort. */
export function shortName(model: string): string {
  return model.replace(/^(?:[A-Z][a-z]+)?V\d+(?:(?:alpha|beta)\d+)?(?=[A-Z])/, '');
}

export interface RootModel {
  readonly group: string;
  readonly version: string;
  readonly model: string;
}

/**
 * Canonical names of every model reachable from `roots`, walked in order: list core kinds
 * first so shared core types are filed under core/v1.
 */
export function canonicalNames(schema: Schema, roots: readonly RootModel[]): ReadonlyMap<string, string> {
  const names = new Map<string, string>();
  const queue: [string, string][] = roots.map((r) => [r.model, groupPackage(r.group, r.version)]);
  while (queue.length > 0) {
    const [model, inherited] = queue.shift()!;
    if (names.has(model)) continue;
    const m = schema.model(model);
    if (m === undefined) continue;
    const pkg = packageOf(model) ?? inherited;
    names.set(model, `${pkg}.${shortName(model)}`);
    for (const f of m.fields.values()) for (const ref of modelRefs(f.type)) queue.push([ref, pkg]);
  }
  return names;
}

/** A model's package when its name or a fact says so; undefined to inherit the reacher's. */
function packageOf(model: string): string | undefined {
  if (META_MODELS.has(model)) return META;
  if (CORE_MODELS.has(model)) return 'io.k8s.api.core.v1';
  const prefixed = /^([A-Z][a-z]+)(V\d+(?:(?:alpha|beta)\d+)?)[A-Z]/.exec(model);
  if (prefixed) return `io.k8s.api.${prefixed[1]!.toLowerCase()}.${prefixed[2]!.toLowerCase()}`;
  return undefined;
}

export function modelRefs(type: FieldType): string[] {
  switch (type.kind) {
    case 'object':
      return [type.model];
    case 'array':
      return modelRefs(type.items);
    case 'map':
      return modelRefs(type.values);
    default:
      return [];
  }
}
