// The Go decoders of Kubernetes' scalar types, reduced to "is this accepted, and if not, with
// which message": resource.Quantity, metav1.Time (RFC 3339) and []byte (standard base64).
// The messages are the ones kube-apiserver returns, so a client sees the same text.

const QUANTITY_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const QUANTITY_SUFFIX = "unable to parse quantity's suffix";

// Shape resource.ParseQuantity accepts: sign, digits, optional fraction, suffix letters,
// optional signed exponent digits. Anything else is a format error.
const QUANTITY_SHAPE = /^[+-]?[0-9]*(?:\.[0-9]*)?([eEinumkKMGTP]*[+-]?[0-9]*)$/;
const QUANTITY_SUFFIXES = new Set(['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E']);

/** resource.Quantity's parse error for `text` (already unquoted and trimmed), or undefined. */
export function quantityError(text: string): string | undefined {
  if (text === '') return QUANTITY_FORMAT;
  const m = QUANTITY_SHAPE.exec(text);
  if (!m) return QUANTITY_FORMAT;
  const suffix = m[1]!;
  if (QUANTITY_SUFFIXES.has(suffix)) return undefined;
  // A decimal exponent: e/E followed by a (signed) integer.
  if (/^[eE][+-]?[0-9]+$/.test(suffix)) return undefined;
  return QUANTITY_SUFFIX;
}

const RFC3339 = '2006-01-02T15:04:05Z07:00';

/**
 * metav1.Time accepts RFC 3339 as Go's time.Parse reads it. On failure, Go's ParseError text:
 * `parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"`.
 */
export function timeError(value: string): string | undefined {
  const quoted = JSON.stringify(value);
  const cannot = (rest: string, elem: string): string =>
    `parsing time ${quoted} as "${RFC3339}": cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(elem)}`;
  const outOfRange = (what: string): string => `parsing time ${quoted}: ${what} out of range`;

  let rest = value;
  // One or two digits; `fixed` elements (01, 02, 04, 05) need exactly two.
  const digits = (fixed: boolean): number | undefined => {
    if (!isDigit(rest, 0)) return undefined;
    const len = isDigit(rest, 1) ? 2 : fixed ? 0 : 1;
    if (len === 0) return undefined;
    const v = Number(rest.slice(0, len));
    rest = rest.slice(len);
    return v;
  };
  const literal = (s: string): boolean => {
    if (!rest.startsWith(s)) return false;
    rest = rest.slice(s.length);
    return true;
  };

  if (rest.length < 4 || !/^\d{4}/.test(rest)) return cannot(rest, '2006');
  const year = Number(rest.slice(0, 4));
  rest = rest.slice(4);
  const steps: [string, string, boolean, number, string][] = [
    // literal before, layout element, fixed width, max value, range name (the day is
    // checked against its month once everything parsed, as Go does)
    ['-', '01', true, 12, 'month'],
    ['-', '02', true, 99, 'day'],
    ['T', '15', false, 23, 'hour'],
    [':', '04', true, 59, 'minute'],
    [':', '05', true, 59, 'second'],
  ];
  const parsed: number[] = [];
  for (const [lit, elem, fixed, max, name] of steps) {
    if (!literal(lit)) return cannot(rest, lit);
    const at = rest;
    const v = digits(fixed);
    if (v === undefined) return cannot(at, elem);
    if (v > max || (name === 'month' && v < 1)) return outOfRange(name);
    parsed.push(v);
  }
  // Go takes a fractional second here even though the layout has none.
  const frac = /^[.,]\d+/.exec(rest);
  if (frac) rest = rest.slice(frac[0].length);
  if (!rest.startsWith('Z')) {
    const tz = /^[+-](\d\d):(\d\d)/.exec(rest);
    if (!tz) return cannot(rest, 'Z07:00');
    if (Number(tz[1]) > 24) return outOfRange('time zone offset hour');
    if (Number(tz[2]) > 60) return outOfRange('time zone offset minute');
    rest = rest.slice(6);
  } else {
    rest = rest.slice(1);
  }
  if (rest !== '') return `parsing time ${quoted}: extra text: ${JSON.stringify(rest)}`;
  const [month, day] = parsed as [number, number];
  if (day < 1 || day > daysIn(month, year)) return outOfRange('day');
  return undefined;
}

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const BASE64 = /[A-Za-z0-9+/]/;

/**
 * Standard padded base64 as Go's encoding/base64 decodes a []byte field: CR and LF are skipped,
 * anything else out of the alphabet is `illegal base64 data at input byte N` (N a byte offset).
 */
export function base64Error(value: string): string | undefined {
  const src = Buffer.from(value, 'utf8');
  const bad = (at: number): string => `illegal base64 data at input byte ${at}`;
  const isNewline = (b: number | undefined): boolean => b === 0x0a || b === 0x0d;
  let i = 0;
  for (;;) {
    // One quantum of four symbols.
    let j = 0;
    for (; j < 4; j++) {
      if (i === src.length) {
        if (j === 0) return undefined;
        return bad(i - j);
      }
      const b = src[i++]!;
      if (BASE64.test(String.fromCharCode(b))) continue;
      if (isNewline(b)) {
        j--;
        continue;
      }
      if (b !== 0x3d /* = */) return bad(i - 1);
      // Padding: only in the third or fourth position, "==" when in the third.
      if (j < 2) return bad(i - 1);
      if (j === 2) {
        while (isNewline(src[i])) i++;
        if (i === src.length) return bad(src.length);
        if (src[i] !== 0x3d) return bad(i - 1);
        i++;
      }
      while (isNewline(src[i])) i++;
      return i < src.length ? bad(i) : undefined;
    }
  }
}
