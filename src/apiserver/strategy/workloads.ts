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
  errs.push(...validatePodSpec(obj(template['spec']), 'spec.template.spec'));
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
  validate: validateTemplated,
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
