// ObjectMeta validation as apimachinery's ValidateObjectMeta does it.
import type { ObjectMeta } from '../../api/types.js';
import { validateLabelKey, validateLabelValue } from '../../api/selectors.js';
import { fieldError, type FieldError } from '../errors.js';
import { nameProblems, pathSegmentProblems, type NameRule } from './names.js';

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateObjectMeta(meta: ObjectMeta, namespaced: boolean, rule: NameRule): FieldError[] {
  const errs: FieldError[] = [];
  if (!meta.name) {
    errs.push(fieldError.required('metadata.name', 'name or generateName is required'));
  } else {
    for (const p of [...pathSegmentProblems(meta.name), ...nameProblems(meta.name, rule)]) errs.push(fieldError.invalid('metadata.name', meta.name, p));
  }
  if (meta.generateName) {
    // generateName only needs to be a valid prefix; the generated suffix makes it a name.
    const probe = meta.generateName.replace(/[-.]+$/, '') + 'a';
    for (const p of nameProblems(probe, rule)) errs.push(fieldError.invalid('metadata.generateName', meta.generateName, p));
  }
  if (namespaced) {
    if (!meta.namespace) errs.push(fieldError.required('metadata.namespace'));
    else for (const p of nameProblems(meta.namespace, 'label')) errs.push(fieldError.invalid('metadata.namespace', meta.namespace, p));
  } else if (meta.namespace) {
    errs.push(fieldError.forbidden('metadata.namespace', 'not allowed on this type'));
  }
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  for (const [i, ref] of (meta.ownerReferences ?? []).entries()) {
    const p = `metadata.ownerReferences[${i}]`;
    if (!ref.apiVersion) errs.push(fieldError.invalid(`${p}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'));
    if (!ref.kind) errs.push(fieldError.invalid(`${p}.kind`, ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errs.push(fieldError.invalid(`${p}.name`, ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errs.push(fieldError.invalid(`${p}.uid`, ref.uid ?? '', 'uid must not be empty'));
  }
  if ((meta.ownerReferences ?? []).filter((r) => r.controller === true).length > 1) {
    errs.push(fieldError.invalid('metadata.ownerReferences', meta.ownerReferences, 'Only one reference can have Controller set to true'));
  }
  for (const [i, f] of (meta.finalizers ?? []).entries()) {
    const problem = validateLabelKey(f);
    if (problem) errs.push(fieldError.invalid(`metadata.finalizers[${i}]`, f, problem));
  }
  return errs;
}

export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    const kp = validateLabelKey(k);
    if (kp) errs.push(fieldError.invalid(path, k, kp));
    if (typeof v !== 'string') {
      errs.push(fieldError.invalid(`${path}`, v, 'label values must be strings'));
      continue;
    }
    const vp = validateLabelValue(v);
    if (vp) errs.push(fieldError.invalid(path, v, vp));
  }
  return errs;
}

function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    const kp = validateLabelKey(k.toLowerCase());
    if (kp) errs.push(fieldError.invalid(path, k, kp));
    total += k.length + (typeof v === 'string' ? v.length : 0);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errs.push({ type: 'FieldValueTooLong', field: path, message: `Too long: must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes` });
  }
  return errs;
}
