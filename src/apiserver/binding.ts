// pods/binding (pkg/registry/core/pod/storage BindingREST): the scheduler's one write. It assigns
// an unassigned pod to a node in a single compare-and-swap: spec.nodeName, the Binding's
// annotations, and the PodScheduled=True condition, refusing a pod that is already assigned or
// being deleted with 409 Conflict.
import type { KubeObject } from '../api/types.js';
import { isObject } from '../api/types.js';
import { ApiError, errors, fieldError, type FieldError } from './errors.js';
import { rfc3339, type Registry } from './registry.js';
import type { ResourceInfo } from './resources.js';

/** A core/v1 Binding as it arrives: checked field by field before it is used. */
export interface Binding {
  name?: string;
  uid?: string;
  resourceVersion?: string;
  annotations: Record<string, string>;
  target: { kind: string; name: string };
}

/** Parses and validates a Binding body for the pod named in the URL (ValidatePodBinding). */
export function parseBinding(body: unknown, podName: string): Binding {
  if (!isObject(body)) throw errors.badRequest('the object provided is unrecognized (must be of type Binding): object expected');
  if (body['kind'] !== undefined && body['kind'] !== '' && body['kind'] !== 'Binding') {
    throw errors.badRequest(`the kind in the data (${String(body['kind'])}) does not match the expected kind (Binding)`);
  }
  if (body['apiVersion'] !== undefined && body['apiVersion'] !== '' && body['apiVersion'] !== 'v1') {
    throw errors.badRequest(`the API version in the data (${String(body['apiVersion'])}) does not match the expected API version (v1)`);
  }
  const meta = isObject(body['metadata']) ? body['metadata'] : {};
  const target = isObject(body['target']) ? body['target'] : {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const name = str(meta['name']);
  if (name !== undefined && name !== podName) throw errors.badRequest('name in URL does not match name in Binding object');
  const annotations: Record<string, string> = {};
  if (isObject(meta['annotations'])) for (const [k, v] of Object.entries(meta['annotations'])) if (typeof v === 'string') annotations[k] = v;
  const kind = str(target['kind']) ?? '';
  const node = str(target['name']) ?? '';
  const errs: FieldError[] = [];
  if (kind !== '' && kind !== 'Node') errs.push(fieldError.invalid('target.kind', kind, "must be empty or 'Node'"));
  if (node === '') errs.push(fieldError.required('target.name'));
  if (errs.length > 0) throw errors.invalid('Binding', '', podName, errs);
  return { name, uid: str(meta['uid']), resourceVersion: str(meta['resourceVersion']), annotations, target: { kind, name: node } };
}

/** Assigns the pod to binding.target.name (BindingREST.assignPod); resolves with the stored pod. */
export async function bindPod(registry: Registry, pods: ResourceInfo, namespace: string, name: string, binding: Binding, dryRun: boolean): Promise<KubeObject> {
  const refuse = (why: string): ApiError => errors.conflict({ group: '', resource: 'pods/binding', name }, why);
  return registry.update(
    pods,
    namespace,
    name,
    (pod) => {
      const meta = pod.metadata;
      if (binding.uid !== undefined && binding.uid !== meta.uid) throw refuse(`Precondition failed: UID in precondition: ${binding.uid}, UID in object meta: ${meta.uid ?? ''}`);
      if (binding.resourceVersion !== undefined && binding.resourceVersion !== meta.resourceVersion) {
        throw refuse(`Precondition failed: ResourceVersion in precondition: ${binding.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`);
      }
      if (meta.deletionTimestamp) throw refuse(`pod ${name} is being deleted, cannot be assigned to a host`);
      const spec = isObject(pod['spec']) ? pod['spec'] : (pod['spec'] = {});
      if (typeof spec['nodeName'] === 'string' && spec['nodeName'] !== '') throw refuse(`pod ${name} is already assigned to node "${spec['nodeName']}"`);
      if (Array.isArray(spec['schedulingGates']) && spec['schedulingGates'].length > 0) throw refuse(`pod ${name} has non-empty .spec.schedulingGates`);
      spec['nodeName'] = binding.target.name;
      if (Object.keys(binding.annotations).length > 0) meta.annotations = { ...(meta.annotations ?? {}), ...binding.annotations };
      const status = isObject(pod['status']) ? pod['status'] : (pod['status'] = {});
      status['conditions'] = withPodScheduled(Array.isArray(status['conditions']) ? status['conditions'] : []);
      // The binding reads and writes the current object: never a stale-version conflict of the caller's.
      delete meta.resourceVersion;
      return pod;
    },
    { subresource: 'binding', dryRun },
  );
}

/** podutil.UpdatePodCondition with PodScheduled=True: the transition time moves only when the status does. */
function withPodScheduled(conditions: unknown[]): unknown[] {
  const now = rfc3339(new Date());
  const i = conditions.findIndex((c) => isObject(c) && c['type'] === 'PodScheduled');
  if (i < 0) return [...conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now }];
  const old = conditions[i] as Record<string, unknown>;
  const next: Record<string, unknown> = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: old['status'] === 'True' ? old['lastTransitionTime'] : now };
  return conditions.map((c, j) => (j === i ? next : c));
}
