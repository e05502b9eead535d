// The textual forms of label maps and label selectors in printed cells, as apimachinery's
// labels.FormatLabels and metav1.FormatLabelSelector render them: requirements sorted by key,
// `k=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, joined by ",".

import { labelSelectorString } from '../../api/selectors.js';
import { stringMap } from './values.js';

export { labelSelectorString };

/** A map[string]string as `a=1,b=2`, sorted by key; "<none>" when empty. */
export function formatLabels(labels: unknown): string {
  const map = stringMap(labels);
  const text = Object.keys(map)
    .sort()
    .map((k) => `${k}=${map[k]}`)
    .join(',');
  return text === '' ? '<none>' : text;
}

/** metav1.FormatLabelSelector: "<none>" for nil or empty, "<error>" when not convertible. */
export function formatLabelSelector(selector: unknown): string {
  const text = labelSelectorString(selector);
  if (text === undefined) return '<error>';
  return text === '' ? '<none>' : text;
}
