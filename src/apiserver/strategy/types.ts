// A resource's REST strategy, as kube-apiserver's registry strategies define it: how an object is
// defaulted, validated, and which fields its field selectors see.
import type { KubeObject } from '../../api/types.js';
import type { FieldError } from '../errors.js';
import type { ResourceInfo } from '../resources.js';
import type { NameRule } from '../validation/names.js';

export interface Strategy {
  nameRule: NameRule;
  /** Whether the server sets metadata.generation and bumps it on spec changes. */
  generation: boolean;
  /** Defaults applied on create and update (SetDefaults_*); mutates obj. */
  defaults?(obj: KubeObject): void;
  /** Create-time preparation (status reset, initial status); mutates obj. */
  prepareForCreate?(obj: KubeObject): void;
  /**
   * Update-time preparation of the main resource (PrepareForUpdate), after `defaults` and before
   * validation: e.g. a Service clears the fields its new type does not use; mutates obj.
   */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /**
   * Kind-specific validation beyond ObjectMeta; `old` is set on update, and `subresource` names
   * the subresource written (e.g. 'status', whose writes Kubernetes validates with the kind's
   * status strategy: status only).
   */
  validate?(obj: KubeObject, old?: KubeObject, subresource?: string): FieldError[];
  /** Field-selector values beyond metadata.name / metadata.namespace. */
  fields?(obj: KubeObject): Record<string, string>;
  /**
   * Mutating admission on create: what kube-apiserver's default-enabled admission plugins do to
   * this kind (e.g. DefaultIngressClass). Runs after `defaults` and before validation, dry runs
   * included; may read the stored objects of other resources; mutates obj, or throws an ApiError
   * to refuse.
   */
  admitCreate?(obj: KubeObject, stored: StoredObjects): Promise<void>;
}

/** Read access to what is stored, for admission. */
export interface StoredObjects {
  /** Every stored object of a resource, in every namespace. */
  list(res: ResourceInfo): Promise<KubeObject[]>;
}

export type Obj = Record<string, unknown>;

export function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Sets obj[key] = value when obj[key] is absent (null counts as absent, as Go's zero value). */
export function dflt(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

/** The object at o[key], created when absent. */
export function child(o: Obj, key: string): Obj {
  const v = o[key];
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Obj;
  const c: Obj = {};
  o[key] = c;
  return c;
}
