// Readers for the loosely typed JSON bodies of stored objects. Kubernetes' printers run on Go
// structs, where an absent field reads as its zero value ("", 0, nil slice, nil map); these
// readers give the same zero values, so a printer never throws on a sparse or odd object.

import { isObject } from '../../api/types.js';

export type JsonRecord = Readonly<Record<string, unknown>>;

const EMPTY: JsonRecord = Object.freeze({});

/** An object field, or {} (a nil struct reads as all-zero fields). */
export function rec(v: unknown): JsonRecord {
  return isObject(v) ? v : EMPTY;
}

/** Whether a pointer-to-struct field is set (Go: `x != nil`). */
export function present(v: unknown): v is JsonRecord {
  return isObject(v);
}

export function list(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A list of objects; non-object items read as {}. */
export function records(v: unknown): JsonRecord[] {
  return list(v).map(rec);
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** A *string field: undefined when unset, which Kubernetes often prints differently from "". */
export function optStr(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** An integer field (int32/int64); anything else reads as 0. */
export function int(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0;
}

/** An *int32 field: undefined when unset (so API defaults can be applied). */
export function optInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : undefined;
}

export function bool(v: unknown): boolean {
  return v === true;
}

/** A map[string]string field; entries whose value is not a string are skipped. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(rec(v))) {
    if (typeof val === 'string') out[k] = val;
  }
  return out;
}

/** The keys of a map field (e.g. ConfigMap data). */
export function keys(v: unknown): string[] {
  return Object.keys(rec(v));
}
