// Pods and pod templates: defaulting (pkg/apis/core/v1/defaults.go) and the basic validation
// of containers that every workload shares.
import type { KubeObject } from '../../api/types.js';
import { fieldError, type FieldError } from '../errors.js';
import { nameProblems } from '../validation/names.js';
import { arr, child, dflt, obj, str, type Obj, type Strategy } from './types.js';

function defaultProbe(p: unknown): void {
  if (typeof p !== 'object' || p === null) return;
  const probe = p as Obj;
  dflt(probe, 'timeoutSeconds', 1);
  dflt(probe, 'periodSeconds', 10);
  dflt(probe, 'successThreshold', 1);
  dflt(probe, 'failureThreshold', 3);
  const http = probe['httpGet'];
  if (typeof http === 'object' && http !== null) dflt(http as Obj, 'scheme', 'HTTP');
}

function defaultContainer(c: Obj): void {
  const image = str(c['image']);
  // Images without a tag or tagged :latest are always pulled (SetDefaults_Container).
  const tagless = !/:[^/]+$/.test(image.split('@')[0] ?? '') && !image.includes('@');
  dflt(c, 'imagePullPolicy', tagless || image.endsWith(':latest') ? 'Always' : 'IfNotPresent');
  dflt(c, 'terminationMessagePath', '/dev/termination-log');
  dflt(c, 'terminationMessagePolicy', 'File');
  dflt(c, 'resources', {});
  for (const port of arr(c['ports'])) dflt(obj(port), 'protocol', 'TCP');
  defaultProbe(c['livenessProbe']);
  defaultProbe(c['readinessProbe']);
  defaultProbe(c['startupProbe']);
}

export function defaultPodSpec(spec: Obj): void {
  dflt(spec, 'restartPolicy', 'Always');
  dflt(spec, 'terminationGracePeriodSeconds', 30);
  dflt(spec, 'dnsPolicy', 'ClusterFirst');
  dflt(spec, 'securityContext', {});
  dflt(spec, 'schedulerName', 'default-scheduler');
  dflt(spec, 'enableServiceLinks', true);
  for (const c of arr(spec['containers'])) defaultContainer(obj(c));
  for (const c of arr(spec['initContainers'])) defaultContainer(obj(c));
  for (const v of arr(spec['volumes'])) {
    const vol = obj(v);
    for (const src of ['configMap', 'secret']) {
      if (typeof vol[src] === 'object' && vol[src] !== null) dflt(vol[src] as Obj, 'defaultMode', 420);
    }
  }
}

export function validatePodSpec(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const containers = arr(spec['containers']);
  if (containers.length === 0) errs.push(fieldError.required(`${path}.containers`));
  const seen = new Set<string>();
  const check = (list: unknown[], listPath: string): void => {
    list.forEach((raw, i) => {
      const c = obj(raw);
      const p = `${listPath}[${i}]`;
      const name = str(c['name']);
      if (!name) errs.push(fieldError.required(`${p}.name`));
      else {
        for (const m of nameProblems(name, 'label')) errs.push(fieldError.invalid(`${p}.name`, name, m));
        if (seen.has(name)) errs.push(fieldError.duplicate(`${p}.name`, name));
        seen.add(name);
      }
      if (!str(c['image'])) errs.push(fieldError.required(`${p}.image`));
      arr(c['ports']).forEach((rawPort, j) => {
        const port = obj(rawPort);
        const cp = port['containerPort'];
        if (typeof cp !== 'number' || cp < 1 || cp > 65535 || !Number.isInteger(cp)) {
          errs.push(fieldError.invalid(`${p}.ports[${j}].containerPort`, cp ?? 0, 'must be between 1 and 65535, inclusive'));
        }
        const proto = port['protocol'];
        if (proto !== undefined && !['TCP', 'UDP', 'SCTP'].includes(String(proto))) {
          errs.push(fieldError.notSupported(`${p}.ports[${j}].protocol`, proto, ['SCTP', 'TCP', 'UDP']));
        }
      });
    });
  };
  check(containers, `${path}.containers`);
  check(arr(spec['initContainers']), `${path}.initContainers`);
  const rp = spec['restartPolicy'];
  if (rp !== undefined && !['Always', 'OnFailure', 'Never'].includes(String(rp))) {
    errs.push(fieldError.notSupported(`${path}.restartPolicy`, rp, ['Always', 'OnFailure', 'Never']));
  }
  return errs;
}

export const podStrategy: Strategy = {
  nameRule: 'subdomain',
  generation: false,
  defaults(o: KubeObject) {
    defaultPodSpec(child(o as Obj, 'spec'));
  },
  prepareForCreate(o: KubeObject) {
    const spec = obj(o['spec']);
    // A new pod starts Pending; its QoS class follows from its containers' resources.
    o['status'] = { phase: 'Pending', qosClass: qosClass(arr(spec['containers'])) };
  },
  validate(o: KubeObject) {
    return validatePodSpec(obj(o['spec']), 'spec');
  },
  fields(o: KubeObject) {
    const spec = obj(o['spec']);
    const status = obj(o['status']);
    return {
      'spec.nodeName': str(spec['nodeName']),
      'spec.restartPolicy': str(spec['restartPolicy']),
      'spec.schedulerName': str(spec['schedulerName']),
      'spec.serviceAccountName': str(spec['serviceAccountName']),
      'spec.hostNetwork': String(spec['hostNetwork'] === true),
      'status.phase': str(status['phase']),
      'status.podIP': str(status['podIP']),
      'status.nominatedNodeName': str(status['nominatedNodeName']),
    };
  },
};

/** QoS class (pkg/apis/core/helper/qos): Guaranteed when every container's limits equal requests. */
function qosClass(containers: unknown[]): string {
  let anySet = false;
  let guaranteed = containers.length > 0;
  for (const raw of containers) {
    const res = obj(obj(raw)['resources']);
    const req = obj(res['requests']);
    const lim = obj(res['limits']);
    if (Object.keys(req).length || Object.keys(lim).length) anySet = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined) guaranteed = false;
      else if (req[r] !== undefined && req[r] !== lim[r]) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
