import { describe, expect, it } from 'vitest';
import { compareKeys, prefixEnd, prefixRange } from './keys.js';

describe('prefixEnd (etcd range_end for WithPrefix)', () => {
  it.each([
    ['/registry/pods/', '/registry/pods0'],
    ['/registry/pods', '/registry/podt'],
    ['a', 'b'],
    ['\u{10FFFF}', undefined],
    ['a\u{10FFFF}', 'b'],
    ['\uD7FF', '\uE000'],
    ['', undefined],
  ])('%j -> %j', (prefix, end) => {
    expect(prefixEnd(prefix)).toBe(end);
  });

  it('bounds exactly the keys that start with the prefix', () => {
    const prefix = '/registry/pods/';
    const end = prefixEnd(prefix)!;
    for (const key of ['/registry/pods/', '/registry/pods/a', '/registry/pods/\u{10FFFF}x', '/registry/pods/é']) {
      expect(compareKeys(key, prefix) >= 0 && compareKeys(key, end) < 0).toBe(true);
    }
    for (const key of ['/registry/pods', '/registry/podsx/a', '/registry/pods0', '/registry/pod/']) {
      expect(compareKeys(key, prefix) >= 0 && compareKeys(key, end) < 0).toBe(false);
    }
  });
});

describe('prefixRange', () => {
  it('starts at the prefix, or just after a cursor inside it', () => {
    expect(prefixRange('/p/')).toEqual({ lower: '/p/', lowerExclusive: false, upper: '/p0' });
    expect(prefixRange('/p/', '/p/b')).toEqual({ lower: '/p/b', lowerExclusive: true, upper: '/p0' });
    expect(prefixRange('/p/', '/a')).toEqual({ lower: '/p/', lowerExclusive: false, upper: '/p0' });
  });

  it('compares cursors in UTF-8 byte order like SQLite, not UTF-16 order', () => {
    // U+FF61 sorts after U+1F600 in UTF-16 (0xFF61 > 0xD83D) but before it in UTF-8.
    expect(compareKeys('\uFF61', '\u{1F600}')).toBeLessThan(0);
    expect(prefixRange('\u{1F600}', '\uFF61').lowerExclusive).toBe(false);
  });
});
