// The status conditions the namespace controller keeps on a Terminating namespace
// (pkg/controller/namespace/deletion/status_condition_utils.go): each type is True with the
// problem while there is one, and False with its "ok" reason and message otherwise.

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** The condition types the deleter maintains, in Kubernetes' order. */
export const CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

type ConditionType = (typeof CONDITION_TYPES)[number];

const OK: Record<ConditionType, { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
};

/** What one pass of deleting a namespace's content left behind. */
export interface ContentTotals {
  /** "<resource>.<group>" (core: "pods.") -> objects left. */
  remainingByResource: Map<string, number>;
  /** finalizer -> objects held by it. */
  remainingByFinalizer: Map<string, number>;
  /** Failures deleting or listing, one message per resource. */
  errors: string[];
}

/** The problem conditions of one pass (ProcessContentTotals, ProcessDeleteContentErr). */
export function problemConditions(totals: ContentTotals): NamespaceCondition[] {
  const out: NamespaceCondition[] = [];
  const resources = [...totals.remainingByResource].filter(([, n]) => n > 0).map(([r, n]) => `${r} has ${n} resource instances`).sort();
  if (resources.length > 0) {
    out.push({ type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${resources.join(', ')}` });
  }
  const finalizers = [...totals.remainingByFinalizer].filter(([, n]) => n > 0).map(([f, n]) => `${f} in ${n} resource instances`).sort();
  if (finalizers.length > 0) {
    out.push({ type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${finalizers.join(', ')}` });
  }
  if (totals.errors.length > 0) {
    const msgs = [...totals.errors].sort();
    out.push({ type: 'NamespaceDeletionContentFailure', status: 'True', reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(', ')}` });
  }
  return out;
}

/**
 * updateConditions: every maintained type gets its problem or its "ok" variant; a condition's
 * transition time moves only when its status does. Returns the new list, or undefined when
 * nothing changed (so no write is needed).
 */
export function updateConditions(current: readonly NamespaceCondition[], problems: readonly NamespaceCondition[], now: string): NamespaceCondition[] | undefined {
  const next = current.map((c) => ({ ...c }));
  let changed = false;
  for (const type of CONDITION_TYPES) {
    const wanted = problems.find((c) => c.type === type) ?? { type, status: 'False' as const, ...OK[type] };
    const old = next.find((c) => c.type === type);
    if (!old) {
      next.push({ type, status: wanted.status, lastTransitionTime: now, reason: wanted.reason, message: wanted.message });
      changed = true;
    } else if (old.status !== wanted.status || old.reason !== wanted.reason || old.message !== wanted.message) {
      if (old.status !== wanted.status) old.lastTransitionTime = now;
      old.status = wanted.status;
      old.reason = wanted.reason;
      old.message = wanted.message;
      changed = true;
    }
  }
  return changed ? next : undefined;
}
