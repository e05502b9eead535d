// Key ranges: a prefix is the half-open range [prefix, prefixEnd(prefix)), exactly etcd's
// clientv3.WithPrefix (range_end = prefix with its last byte incremented). Querying that range
// on the primary key uses the index; LIKE would not (and would treat '%' and '_' specially).

/**
 * The smallest string greater than every string that starts with `prefix`, or undefined when
 * there is none (empty prefix: the whole keyspace). Works on code points, because SQLite
 * compares TEXT as UTF-8 bytes and UTF-8 byte order equals code point order.
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      // Skip the surrogate block: those code points cannot appear in well-formed text.
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/** The range [lower, upper) a prefix list reads, after the `startAfter` cursor if any. */
export interface KeyRange {
  /** Lower bound; inclusive unless `lowerExclusive`. */
  lower: string;
  lowerExclusive: boolean;
  /** Exclusive upper bound; absent means unbounded. */
  upper?: string;
}

export function prefixRange(prefix: string, startAfter?: string): KeyRange {
  const upper = prefixEnd(prefix);
  if (startAfter !== undefined && compareKeys(startAfter, prefix) >= 0) {
    return { lower: startAfter, lowerExclusive: true, upper };
  }
  return { lower: prefix, lowerExclusive: false, upper };
}

/** Orders keys as SQLite's BINARY collation does (UTF-8 bytes), not as JS `<` does (UTF-16). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
