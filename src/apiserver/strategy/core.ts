// Strategies of the simpler kinds: namespaces, config, events, nodes, endpoints, leases.
import { fieldError, type FieldError } from '../errors.js';
import { arr, child, dflt, obj, str, type Obj, type Strategy } from './types.js';

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const CONFIG_KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function validateConfigKeys(data: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of Object.keys(obj(data))) {
    if (k.length > 253) errs.push(fieldError.invalid(`${path}[${k}]`, k, 'must be no more than 253 characters'));
    if (!CONFIG_KEY.test(k)) errs.push(fieldError.invalid(`${path}[${k}]`, k, CONFIG_KEY_MSG));
  }
  return errs;
}

export const namespaceStrategy: Strategy = {
  nameRule: 'label',
  generation: false,
  defaults(o) {
    // Every namespace carries its own name as a label (NamespaceDefaultLabelName).
    const meta = o.metadata;
    if (meta.name) meta.labels = { ...(meta.labels ?? {}), 'kubernetes.io/metadata.name': meta.name };
  },
  prepareForCreate(o) {
    const spec = child(o as Obj, 'spec');
    spec['finalizers'] = ['kubernetes'];
    o['status'] = { phase: 'Active' };
  },
  fields(o) {
    return { 'status.phase': str(obj(o['status'])['phase']) };
  },
};

export const configMapStrategy: Strategy = {
  nameRule: 'subdomain',
  generation: false,
  validate(o) {
    const errs = [...validateConfigKeys(o['data'], 'data'), ...validateConfigKeys(o['binaryData'], 'binaryData')];
    for (const k of Object.keys(obj(o['data']))) {
      if (Object.prototype.hasOwnProperty.call(obj(o['binaryData']), k)) errs.push(fieldError.invalid('data', k, 'duplicate of key present in binaryData'));
    }
    return errs;
  },
};

export const secretStrategy: Strategy = {
  nameRule: 'subdomain',
  generation: false,
  defaults(o) {
    dflt(o as Obj, 'type', 'Opaque');
    // stringData is write-only: merged into data (base64) and never stored itself.
    const sd = o['stringData'];
    if (sd && typeof sd === 'object') {
      const data = child(o as Obj, 'data');
      for (const [k, v] of Object.entries(sd)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      delete o['stringData'];
    }
  },
  validate(o) {
    const errs = validateConfigKeys(o['data'], 'data');
    for (const [k, v] of Object.entries(obj(o['data']))) {
      if (typeof v !== 'string' || !BASE64.test(v)) errs.push(fieldError.invalid(`data[${k}]`, '<secret contents redacted>', 'illegal base64 data'));
    }
    return errs;
  },
  fields(o) {
    return { type: str(o['type']) };
  },
};

export const eventStrategy: Strategy = {
  nameRule: 'subdomain',
  generation: false,
  validate(o) {
    const errs: FieldError[] = [];
    const io = obj(o['involvedObject']);
    if (io['namespace'] && io['namespace'] !== o.metadata.namespace) {
      errs.push(fieldError.invalid('involvedObject.namespace', io['namespace'], 'does not match event.namespace'));
    }
    return errs;
  },
  fields(o) {
    const io = obj(o['involvedObject']);
    const source = obj(o['source']);
    return {
      'involvedObject.kind': str(io['kind']),
      'involvedObject.namespace': str(io['namespace']),
      'involvedObject.name': str(io['name']),
      'involvedObject.uid': str(io['uid']),
      'involvedObject.apiVersion': str(io['apiVersion']),
      'involvedObject.resourceVersion': str(io['resourceVersion']),
      'involvedObject.fieldPath': str(io['fieldPath']),
      reason: str(o['reason']),
      reportingComponent: str(o['reportingComponent']),
      source: str(source['component']),
      type: str(o['type']),
    };
  },
};

export const nodeStrategy: Strategy = {
  nameRule: 'subdomain',
  generation: false,
  fields(o) {
    return { 'spec.unschedulable': String(obj(o['spec'])['unschedulable'] === true) };
  },
};

export const endpointsStrategy: Strategy = { nameRule: 'subdomain', generation: false };

export const endpointSliceStrategy: Strategy = {
  nameRule: 'subdomain',
  generation: true,
  validate(o) {
    const errs: FieldError[] = [];
    const at = str(o['addressType']);
    if (!at) errs.push(fieldError.required('addressType'));
    else if (!['IPv4', 'IPv6', 'FQDN'].includes(at)) errs.push(fieldError.notSupported('addressType', at, ['IPv4', 'IPv6', 'FQDN']));
    arr(o['endpoints']).forEach((e, i) => {
      if (arr(obj(e)['addresses']).length === 0) errs.push(fieldError.required(`endpoints[${i}].addresses`, 'must contain at least 1 address'));
    });
    return errs;
  },
};

export const leaseStrategy: Strategy = { nameRule: 'subdomain', generation: false };
