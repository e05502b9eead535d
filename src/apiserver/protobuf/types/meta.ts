// meta/v1 types every object carries (k8s.io/apimachinery/pkg/apis/meta/v1).
// Each row: protobuf field number -> [JSON name, type, Go pointer / no-omitempty flags].
import { ALWAYS, BOOL, INT64, PTR, STRING, list, map, message } from '../schema.js';
import { FieldsV1, Time } from './wellknown.js';

export const OwnerReference = message('OwnerReference', {
  1: ['kind', STRING, ALWAYS],
  3: ['name', STRING, ALWAYS],
  4: ['uid', STRING, ALWAYS],
  5: ['apiVersion', STRING, ALWAYS],
  6: ['controller', BOOL, PTR],
  7: ['blockOwnerDeletion', BOOL, PTR],
});

export const ManagedFieldsEntry = message('ManagedFieldsEntry', {
  1: ['manager', STRING],
  2: ['operation', STRING],
  3: ['apiVersion', STRING],
  4: ['time', Time, PTR],
  6: ['fieldsType', STRING],
  7: ['fieldsV1', FieldsV1, PTR],
  8: ['subresource', STRING],
});

export const ObjectMeta = message('ObjectMeta', {
  1: ['name', STRING],
  2: ['generateName', STRING],
  3: ['namespace', STRING],
  4: ['selfLink', STRING],
  5: ['uid', STRING],
  6: ['resourceVersion', STRING],
  7: ['generation', INT64],
  // A struct, so never omitted: Kubernetes 1.32/1.33 write `"creationTimestamp": null` when unset.
  8: ['creationTimestamp', Time],
  9: ['deletionTimestamp', Time, PTR],
  10: ['deletionGracePeriodSeconds', INT64, PTR],
  11: ['labels', map(STRING)],
  12: ['annotations', map(STRING)],
  13: ['ownerReferences', list(OwnerReference)],
  14: ['finalizers', list(STRING)],
  17: ['managedFields', list(ManagedFieldsEntry)],
});

export const LabelSelectorRequirement = message('LabelSelectorRequirement', {
  1: ['key', STRING, ALWAYS],
  2: ['operator', STRING, ALWAYS],
  3: ['values', list(STRING)],
});

export const LabelSelector = message('LabelSelector', {
  1: ['matchLabels', map(STRING)],
  2: ['matchExpressions', list(LabelSelectorRequirement)],
});

/** meta/v1 Condition (the standard condition shape, e.g. Service status.conditions). */
export const Condition = message('Condition', {
  1: ['type', STRING, ALWAYS],
  2: ['status', STRING, ALWAYS],
  3: ['observedGeneration', INT64],
  4: ['lastTransitionTime', Time],
  5: ['reason', STRING, ALWAYS],
  6: ['message', STRING, ALWAYS],
});
