// The textual forms of label maps and label selectors in printed cells, as apimachinery's
// labels.FormatLabels and metav1.FormatLabelSelector render them: requirements sorted by key,
// `k=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, joined by ",".

import { isObject } from '../../api/types.js';
import { list, rec, stringMap, str } from './values.js';

/** A map[string]string as `a=1,b=2`, sorted by key; "<none>" when empty. */
export function formatLabels(labels: unknown): string {
  const map = stringMap(labels);
  const text = Object.keys(map)
    .sort()
    .map((k) => `${k}=${map[k]}`)
    .join(',');
  return text === '' ? '<none>' : text;
}

interface Requirement {
  key: string;
  text: string;
}

/**
 * A metav1.LabelSelector as a selector string; "" for a nil or empty selector, undefined when
 * it cannot be converted (an unknown operator, or values that do not fit the operator).
 */
export function labelSelectorString(selector: unknown): string | undefined {
  if (!isObject(selector)) return '';
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(stringMap(selector.matchLabels))) {
    reqs.push({ key, text: `${key}=${value}` });
  }
  for (const expr of list(selector.matchExpressions)) {
    const e = rec(expr);
    const key = str(e.key);
    const values = list(e.values).map(str);
    switch (str(e.operator)) {
      case 'In':
      case 'NotIn': {
        if (values.length === 0) return undefined;
        const op = str(e.operator) === 'In' ? 'in' : 'notin';
        reqs.push({ key, text: `${key} ${op} (${[...values].sort().join(',')})` });
        break;
      }
      case 'Exists':
        if (values.length > 0) return undefined;
        reqs.push({ key, text: key });
        break;
      case 'DoesNotExist':
        if (values.length > 0) return undefined;
        reqs.push({ key, text: `!${key}` });
        break;
      default:
        return undefined;
    }
  }
  // Array.prototype.sort is stable: matchLabels stay ahead of expressions on the same key.
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: "<none>" for nil or empty, "<error>" when not convertible. */
export function formatLabelSelector(selector: unknown): string {
  const text = labelSelectorString(selector);
  if (text === undefined) return '<error>';
  return text === '' ? '<none>' : text;
}
