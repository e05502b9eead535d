// Where ownership is recorded for a write: the schema type of the object and the fields the
// resource's strategy resets on that endpoint (GetResetFields), which no manager owns there.
import { RESOURCES, resourceForKind } from '../resources.js';
import type { Path } from './fieldpath.js';
import type { TypeResolver } from './typeref.js';
import type { TrackingContext } from './update.js';

/** The model of a served kind (ResourceInfo.model) for a request's group/version. */
export function modelOf(apiVersion: string, kind: string | undefined): string | undefined {
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
  return kind ? resourceForKind(group, version, kind)?.model : undefined;
}

/**
 * Fields the strategy resets on this endpoint (GetResetFields), which no manager owns there:
 * status on the main resource of kinds with a status subresource, spec on /status.
 */
export function trackingContext(types: TypeResolver, model: string, apiVersion: string, subresource: string, now: Date | undefined): TrackingContext {
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
  const hasStatus = RESOURCES.some((r) => r.group === group && r.version === version && r.model === model && r.status);
  const reset = subresource === 'status' ? 'spec' : subresource === '' && hasStatus ? 'status' : undefined;
  return {
    types,
    type: types.forModel(model),
    apiVersion,
    subresource,
    ignored: (p: Path) => reset !== undefined && p.length > 0 && 'field' in p[0]! && p[0].field === reset,
    now: now ?? new Date(),
  };
}
