// API failures the endpoint controllers treat specially.
import { ApiError } from '../../client/index.js';

/** A create refused because the namespace is being deleted (NamespaceTerminatingCause): drop it, do not retry. */
export function isNamespaceTerminating(err: unknown): boolean {
  return err instanceof ApiError && (err.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
