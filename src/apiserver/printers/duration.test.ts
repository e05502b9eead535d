import { describe, expect, it } from 'vitest';
import { age, humanDuration, since } from './duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

describe('humanDuration', () => {
  // Boundaries of apimachinery's HumanDuration: each unit switch and where the second unit drops.
  it.each<[number, string]>([
    [-2 * S, '<invalid>'],
    [-2 * S + 1, '0s'],
    [0, '0s'],
    [S - 1, '0s'],
    [S, '1s'],
    [59 * S, '59s'],
    [70 * S, '70s'],
    [2 * M - 1, '119s'],
    [2 * M, '2m'],
    [2 * M + S, '2m1s'],
    [2 * M + 30 * S, '2m30s'],
    [190 * S, '3m10s'],
    [10 * M - 1, '9m59s'],
    [10 * M, '10m'],
    [10 * M + S, '10m'],
    [70 * M, '70m'],
    [3 * H - 1, '179m'],
    [3 * H, '3h'],
    [3 * H + 2 * M, '3h2m'],
    [8 * H - 1, '7h59m'],
    [8 * H, '8h'],
    [8 * H + 59 * M, '8h'],
    [47 * H, '47h'],
    [2 * D - 1, '47h'],
    [2 * D, '2d'],
    [2 * D + 3 * H, '2d3h'],
    [8 * D - 1, '7d23h'],
    [8 * D, '8d'],
    [8 * D + 23 * H, '8d'],
    [367 * D, '367d'],
    [2 * Y - 1, '729d'],
    [2 * Y, '2y'],
    [2 * Y + 24 * H - 1, '2y'],
    [2 * Y + 25 * H, '2y1d'],
    [4 * Y, '4y'],
    [8 * Y - 1, '7y364d'],
    [8 * Y, '8y'],
    [9 * Y, '9y'],
  ])('%d ms -> %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe('since / age', () => {
  const now = new Date('2024-05-01T12:00:00Z');

  it.each<[unknown, string]>([
    ['2024-05-01T11:55:00Z', '5m'],
    ['2024-05-01T11:59:59.500000Z', '0s'], // MicroTime precision
    ['2024-05-01T12:00:01Z', '0s'], // a little clock skew is "now"
    ['2024-05-01T12:00:05Z', '<invalid>'],
    [undefined, '<unknown>'],
    [null, '<unknown>'],
    ['', '<unknown>'],
    ['not a time', '<unknown>'],
  ])('%s -> %s', (ts, want) => {
    expect(since(ts, now)).toBe(want);
  });

  it('reads metadata.creationTimestamp', () => {
    expect(age({ metadata: { creationTimestamp: '2024-04-29T09:00:00Z' } }, now)).toBe('2d3h');
    expect(age({ metadata: {} }, now)).toBe('<unknown>');
  });
});
