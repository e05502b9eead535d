// Label and field selectors as Kubernetes parses them (k8s.io/apimachinery labels and fields).

export type LabelOperator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!';

export interface LabelRequirement {
  key: string;
  op: LabelOperator;
  values: string[];
}

export type LabelSelector = LabelRequirement[];

export class SelectorParseError extends Error {}

/** Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h` (and `==`). The empty string selects everything. */
export function parseLabelSelector(text: string): LabelSelector {
  const reqs: LabelRequirement[] = [];
  let i = 0;
  const s = text;
  const skipWs = (): void => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const readKey = (): string => {
    skipWs();
    const start = i;
    while (i < s.length && /[A-Za-z0-9_.\-/]/.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  const readValue = (): string => {
    skipWs();
    const start = i;
    while (i < s.length && /[A-Za-z0-9_.\-]/.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  skipWs();
  if (i >= s.length) return reqs;
  for (;;) {
    skipWs();
    let op: LabelOperator;
    let key: string;
    let values: string[] = [];
    if (s[i] === '!') {
      i++;
      key = readKey();
      op = '!';
    } else {
      key = readKey();
      skipWs();
      if (s.startsWith('==', i)) {
        i += 2;
        op = '=';
        values = [readValue()];
      } else if (s.startsWith('!=', i)) {
        i += 2;
        op = '!=';
        values = [readValue()];
      } else if (s[i] === '=') {
        i += 1;
        op = '=';
        values = [readValue()];
      } else if (/^in\s*\(/.test(s.slice(i))) {
        i += 2;
        op = 'in';
        values = readSet();
      } else if (/^notin\s*\(/.test(s.slice(i))) {
        i += 5;
        op = 'notin';
        values = readSet();
      } else {
        op = 'exists';
      }
    }
    if (key === '') throw new SelectorParseError(`unable to parse requirement: found '${s[i] ?? ''}', expected: identifier`);
    const keyErr = validateLabelKey(key);
    if (keyErr) throw new SelectorParseError(`unable to parse requirement: ${keyErr}`);
    for (const v of values) {
      const vErr = validateLabelValue(v);
      if (vErr) throw new SelectorParseError(`unable to parse requirement: values[0][${key}]: Invalid value: "${v}": ${vErr}`);
    }
    reqs.push({ key, op, values });
    skipWs();
    if (i >= s.length) break;
    if (s[i] !== ',') throw new SelectorParseError(`unable to parse requirement: found '${s[i]}', expected: ',' or 'end of string'`);
    i++;
  }
  return reqs;

  function readSet(): string[] {
    skipWs();
    if (s[i] !== '(') throw new SelectorParseError(`unable to parse requirement: found '${s[i] ?? ''}', expected: '('`);
    i++;
    const out: string[] = [];
    for (;;) {
      const v = readValue();
      skipWs();
      if (v !== '' || s[i] === ',' || s[i] === ')') out.push(v);
      if (s[i] === ',') {
        i++;
        continue;
      }
      if (s[i] === ')') {
        i++;
        break;
      }
      throw new SelectorParseError(`unable to parse requirement: found '${s[i] ?? ''}', expected: ',', ')' or identifier`);
    }
    return out;
  }
}

export function matchesLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  for (const r of sel) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? labels![r.key]! : undefined;
    switch (r.op) {
      case '=':
        if (v !== r.values[0]) return false;
        break;
      case '!=':
        if (v === r.values[0]) return false;
        break;
      case 'in':
        if (v === undefined || !r.values.includes(v)) return false;
        break;
      case 'notin':
        if (v !== undefined && r.values.includes(v)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** metav1.LabelSelector (matchLabels + matchExpressions) as used in specs. */
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function labelSelectorFromSpec(spec: LabelSelectorSpec): LabelSelector {
  const out: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(spec.matchLabels ?? {})) out.push({ key: k, op: '=', values: [v] });
  for (const e of spec.matchExpressions ?? []) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as const)[e.operator as 'In'];
    if (!op) throw new SelectorParseError(`"${e.operator}" is not a valid label selector operator`);
    out.push({ key: e.key, op, values: e.values ?? [] });
  }
  return out;
}

/**
 * A metav1.LabelSelector as selector text (metav1.LabelSelectorAsSelector(...).String()):
 * requirements sorted by key; "" for a nil or empty selector; undefined when it cannot be
 * converted (an unknown operator, or values that do not fit the operator).
 */
export function labelSelectorString(selector: unknown): string | undefined {
  if (typeof selector !== 'object' || selector === null || Array.isArray(selector)) return '';
  const spec = selector as { matchLabels?: unknown; matchExpressions?: unknown };
  const reqs: { key: string; text: string }[] = [];
  const labels = typeof spec.matchLabels === 'object' && spec.matchLabels !== null ? (spec.matchLabels as Record<string, unknown>) : {};
  for (const [key, value] of Object.entries(labels)) reqs.push({ key, text: `${key}=${String(value)}` });
  for (const raw of Array.isArray(spec.matchExpressions) ? spec.matchExpressions : []) {
    const e = (raw ?? {}) as { key?: unknown; operator?: unknown; values?: unknown };
    const key = String(e.key ?? '');
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return undefined;
        reqs.push({ key, text: `${key} ${e.operator === 'In' ? 'in' : 'notin'} (${[...values].sort().join(',')})` });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) return undefined;
        reqs.push({ key, text: e.operator === 'Exists' ? key : `!${key}` });
        break;
      default:
        return undefined;
    }
  }
  // A stable sort: matchLabels stay ahead of expressions on the same key.
  reqs.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

// --- field selectors: `a=b`, `a==b`, `a!=b`, comma-separated; `\` escapes `,` `=` `!`.

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export type FieldSelector = FieldRequirement[];

export function parseFieldSelector(text: string): FieldSelector {
  const out: FieldRequirement[] = [];
  if (text.trim() === '') return out;
  for (const part of splitUnescaped(text, ',')) {
    const m = /^(.*?)(==|!=|=)(.*)$/s.exec(part);
    if (!m) throw new SelectorParseError(`invalid selector: '${text}'; can't understand '${part}'`);
    out.push({ field: m[1]!.trim(), op: m[2] === '!=' ? '!=' : '=', value: unescapeField(m[3]!) });
  }
  return out;
}

function splitUnescaped(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (c === sep) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function unescapeField(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

export function matchesFields(sel: FieldSelector, fields: Record<string, string>): boolean {
  for (const r of sel) {
    const v = fields[r.field] ?? '';
    if (r.op === '=' ? v !== r.value : v === r.value) return false;
  }
  return true;
}

// --- label key/value syntax (apimachinery validation: qualified names, label values)

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const QUALIFIED_NAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
export const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/** Returns an error message, or undefined when the key is a valid qualified name. */
export function validateLabelKey(key: string): string | undefined {
  const slash = key.indexOf('/');
  let name = key;
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    name = key.slice(slash + 1);
    if (prefix.length === 0) return 'prefix part must be non-empty';
    if (prefix.length > 253) return 'prefix part must be no more than 253 characters';
    if (!DNS1123_SUBDOMAIN.test(prefix))
      return "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  }
  if (name.length === 0) return 'name part must be non-empty';
  if (name.length > 63) return 'name part must be no more than 63 characters';
  if (!QUALIFIED_NAME.test(name)) return QUALIFIED_NAME_MSG;
  return undefined;
}

export function validateLabelValue(v: string): string | undefined {
  if (v.length > 63) return 'must be no more than 63 characters';
  if (v !== '' && !QUALIFIED_NAME.test(v)) return LABEL_VALUE_MSG;
  return undefined;
}
