// API errors a workload controller meets in the normal course of things: it retries them
// quietly instead of logging each one.
import { isAlreadyExists, isApiError, isConflict, isNotFound } from '../../client/index.js';

/** 403 with cause NamespaceTerminating: nothing new may be created there (errors.HasStatusCause). */
export function isNamespaceTerminating(e: unknown): boolean {
  return isApiError(e) && (e.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}

/** A stale cache (Conflict), an object deleted meanwhile (NotFound), a hash collision (AlreadyExists), a namespace going away. */
export function isRoutineError(e: unknown): boolean {
  return isConflict(e) || isNotFound(e) || isAlreadyExists(e) || isNamespaceTerminating(e);
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
