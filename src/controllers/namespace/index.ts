// The namespace controller's public face.
export { NamespaceController, KUBERNETES_FINALIZER } from './namespace.js';
export { CONDITION_TYPES, problemConditions, updateConditions, type ContentTotals, type NamespaceCondition } from './conditions.js';
