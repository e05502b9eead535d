// Deployments and ReplicaSets: defaulting (pkg/apis/apps/v1/defaults.go) and the selector rules
// every controller relies on.
import type { KubeObject } from '../../api/types.js';
import { labelSelectorFromSpec, matchesLabels, SelectorParseError, type LabelSelectorSpec } from '../../api/selectors.js';
import { fieldError, type FieldError } from '../errors.js';
import { validateLabels } from '../validation/meta.js';
import { defaultPodSpec, validatePodSpec } from './pods.js';
import { child, dflt, obj, type Obj, type Strategy } from './types.js';

function validateTemplated(o: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj(o['spec']);
  const replicas = spec['replicas'];
  if (typeof replicas === 'number' && replicas < 0) errs.push(fieldError.invalid('spec.replicas', replicas, 'must be greater than or equal to 0'));
  const selector = spec['selector'];
  const template = obj(spec['template']);
  const tmeta = obj(template['metadata']);
  const labels = obj(tmeta['labels']) as Record<string, string>;
  if (typeof selector !== 'object' || selector === null) {
    errs.push(fieldError.required('spec.selector'));
  } else {
    const sel = selector as LabelSelectorSpec;
    const empty = Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
    if (empty) errs.push(fieldError.invalid('spec.selector', selector, 'empty selector is invalid for deployment'));
    else {
      try {
        if (!matchesLabels(labelSelectorFromSpec(sel), labels)) {
          errs.push(fieldError.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
        }
      } catch (e) {
        if (e instanceof SelectorParseError) errs.push(fieldError.invalid('spec.selector', selector, e.message));
        else throw e;
      }
    }
    if (old && JSON.stringify(obj(old['spec'])['selector']) !== JSON.stringify(selector)) {
      errs.push(fieldError.invalid('spec.selector', selector, 'field is immutable'));
    }
  }
  errs.push(...validateLabels(labels, 'spec.template.metadata.labels'));
  const podSpec = obj(template['spec']);
  errs.push(...validatePodSpec(podSpec, 'spec.template.spec'));
  // Workload pods run until replaced (ValidatePodTemplateSpecForReplicaSet).
  const restartPolicy = podSpec['restartPolicy'];
  if (restartPolicy !== undefined && restartPolicy !== 'Always' && ['OnFailure', 'Never'].includes(String(restartPolicy))) {
    errs.push(fieldError.notSupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
  }
  errs.push(...nonNegative(spec, 'minReadySeconds'));
  return errs;
}

function nonNegative(spec: Obj, field: string): FieldError[] {
  const v = spec[field];
  return typeof v === 'number' && v < 0 ? [fieldError.invalid(`spec.${field}`, v, 'must be greater than or equal to 0')] : [];
}

/** An IntOrString as Go's field errors print it (its String(): 5 or 25%, unquoted). */
function invalidIntOrString(field: string, v: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, message: `Invalid value: ${typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v)}: ${detail}` };
}

/** An int-or-percent's value and whether it was a percentage; undefined when it is neither. */
function intOrPercent(v: unknown): { value: number; percent: boolean } | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return { value: v, percent: false };
  if (typeof v === 'string' && /^[0-9]+%$/.test(v)) return { value: Number(v.slice(0, -1)), percent: true };
  return undefined;
}

/** ValidateDeploymentSpec beyond the template: strategy, minReadySeconds, history and deadline. */
function validateDeploymentSpec(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj(o['spec']);
  const strategy = obj(spec['strategy']);
  const type = strategy['type'];
  const ru = strategy['rollingUpdate'];
  if (type === 'Recreate') {
    if (ru !== undefined && ru !== null) errs.push(fieldError.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type === 'RollingUpdate') {
    const rolling = obj(ru);
    const values: Record<string, { value: number; percent: boolean } | undefined> = {};
    for (const f of ['maxUnavailable', 'maxSurge']) {
      const raw = rolling[f];
      if (raw === undefined || raw === null) continue;
      const v = intOrPercent(raw);
      values[f] = v;
      const path = `spec.strategy.rollingUpdate.${f}`;
      if (typeof raw === 'string' && !v) {
        errs.push(invalidIntOrString(path, raw, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
      } else if (typeof raw === 'number' && raw < 0) {
        errs.push(invalidIntOrString(path, raw, 'must be greater than or equal to 0'));
      }
    }
    if ((values['maxUnavailable']?.value ?? 0) === 0 && (values['maxSurge']?.value ?? 0) === 0) {
      errs.push(invalidIntOrString('spec.strategy.rollingUpdate.maxUnavailable', rolling['maxUnavailable'] ?? 0, 'may not be 0 when `maxSurge` is 0'));
    }
    const mu = values['maxUnavailable'];
    if (mu?.percent && mu.value > 100) errs.push(invalidIntOrString('spec.strategy.rollingUpdate.maxUnavailable', rolling['maxUnavailable'], 'must not be greater than 100%'));
  } else {
    errs.push(fieldError.notSupported('spec.strategy.type', type ?? '', ['Recreate', 'RollingUpdate']));
  }
  errs.push(...nonNegative(spec, 'revisionHistoryLimit'));
  const deadline = spec['progressDeadlineSeconds'];
  if (typeof deadline === 'number') {
    errs.push(...nonNegative(spec, 'progressDeadlineSeconds'));
    const minReady = typeof spec['minReadySeconds'] === 'number' ? spec['minReadySeconds'] : 0;
    if (deadline <= minReady) errs.push(fieldError.invalid('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'));
  }
  return errs;
}

function defaultTemplate(spec: Obj): void {
  const template = child(spec, 'template');
  defaultPodSpec(child(template, 'spec'));
}

export const deploymentStrategy: Strategy = {
  nameRule: 'subdomain',
  generation: true,
  defaults(o) {
    const spec = child(o as Obj, 'spec');
    dflt(spec, 'replicas', 1);
    const strategy = child(spec, 'strategy');
    dflt(strategy, 'type', 'RollingUpdate');
    if (strategy['type'] === 'RollingUpdate') {
      const ru = child(strategy, 'rollingUpdate');
      dflt(ru, 'maxUnavailable', '25%');
      dflt(ru, 'maxSurge', '25%');
    }
    dflt(spec, 'revisionHistoryLimit', 10);
    dflt(spec, 'progressDeadlineSeconds', 600);
    defaultTemplate(spec);
  },
  prepareForCreate(o) {
    o['status'] = {};
  },
  validate: (o, old) => [...validateTemplated(o, old), ...validateDeploymentSpec(o)],
};

export const replicaSetStrategy: Strategy = {
  nameRule: 'subdomain',
  generation: true,
  defaults(o) {
    const spec = child(o as Obj, 'spec');
    dflt(spec, 'replicas', 1);
    defaultTemplate(spec);
  },
  prepareForCreate(o) {
    o['status'] = { replicas: 0 };
  },
  validate: validateTemplated,
  fields(o) {
    return { 'status.replicas': String(obj(o['status'])['replicas'] ?? 0) };
  },
};
