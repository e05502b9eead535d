import { describe, expect, it } from 'vitest';
import { formatLabels, formatLabelSelector, labelSelectorString } from './selectors.js';

describe('formatLabels', () => {
  it.each<[unknown, string]>([
    [{ tier: 'fe', app: 'web' }, 'app=web,tier=fe'],
    [{ 'app.kubernetes.io/name': 'x' }, 'app.kubernetes.io/name=x'],
    [{}, '<none>'],
    [undefined, '<none>'],
  ])('%j -> %s', (labels, want) => {
    expect(formatLabels(labels)).toBe(want);
  });
});

describe('label selectors', () => {
  it.each<[unknown, string | undefined, string]>([
    [{ matchLabels: { app: 'web' } }, 'app=web', 'app=web'],
    [{ matchLabels: { 'pod-template-hash': 'abc', app: 'web' } }, 'app=web,pod-template-hash=abc', 'app=web,pod-template-hash=abc'],
    [
      {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['frontend', 'backend'] },
          { key: 'env', operator: 'NotIn', values: ['prod'] },
          { key: 'canary', operator: 'DoesNotExist' },
          { key: 'zone', operator: 'Exists' },
        ],
      },
      'app=web,!canary,env notin (prod),tier in (backend,frontend),zone',
      'app=web,!canary,env notin (prod),tier in (backend,frontend),zone',
    ],
    [{}, '', '<none>'],
    [undefined, '', '<none>'],
    [{ matchExpressions: [{ key: 'a', operator: 'Near', values: ['b'] }] }, undefined, '<error>'],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, undefined, '<error>'],
  ])('%j', (selector, text, formatted) => {
    expect(labelSelectorString(selector)).toBe(text);
    expect(formatLabelSelector(selector)).toBe(formatted);
  });
});
