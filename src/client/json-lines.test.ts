import { describe, expect, it } from 'vitest';
import { JsonLinesDecoder } from './json-lines.js';
import { parseWatchEvent } from './watch-event.js';

const events = [
  { type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '1' }, data: { k: 'v' } } },
  { type: 'MODIFIED', object: { metadata: { name: 'ünïcödé-😀', resourceVersion: '2' }, data: { emoji: '😀🎉', cjk: '漢字' } } },
  { type: 'BOOKMARK', object: { metadata: { resourceVersion: '3' } } },
  { type: 'DELETED', object: { metadata: { name: 'a', resourceVersion: '4' }, data: { nl: 'line1\nline2' } } },
];
const wire = Buffer.from(events.map((e) => `${JSON.stringify(e)}\n`).join(''));

function decodeInPieces(bytes: Buffer, cuts: number[]): unknown[] {
  const d = new JsonLinesDecoder();
  const out: unknown[] = [];
  let prev = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(...d.push(bytes.subarray(prev, cut)));
    prev = cut;
  }
  out.push(...d.end());
  return out;
}

describe('JsonLinesDecoder', () => {
  it('decodes the stream whole', () => {
    expect(decodeInPieces(wire, [])).toEqual(events);
  });

  it('decodes the stream split at every single byte position', () => {
    for (let cut = 1; cut < wire.length; cut++) expect(decodeInPieces(wire, [cut])).toEqual(events);
  });

  it('decodes the stream fed one byte at a time (splitting every multi-byte character)', () => {
    const cuts = Array.from({ length: wire.length - 1 }, (_, i) => i + 1);
    expect(decodeInPieces(wire, cuts)).toEqual(events);
  });

  it('decodes random chunkings', () => {
    let seed = 42;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const cuts = new Set<number>();
      const n = 1 + Math.floor(rand() * 20);
      for (let i = 0; i < n; i++) cuts.add(1 + Math.floor(rand() * (wire.length - 1)));
      expect(decodeInPieces(wire, [...cuts].sort((a, b) => a - b))).toEqual(events);
    }
  });

  it('joins a large object spread over many chunks', () => {
    const big = { type: 'ADDED', object: { metadata: { name: 'big' }, data: { blob: 'x'.repeat(4 * 1024 * 1024) } } };
    const bytes = Buffer.from(`${JSON.stringify(big)}\n${JSON.stringify(events[0])}\n`);
    const cuts: number[] = [];
    for (let i = 16 * 1024; i < bytes.length; i += 16 * 1024) cuts.push(i);
    expect(decodeInPieces(bytes, cuts)).toEqual([big, events[0]]);
  });

  it('tolerates CRLF, blank lines and a last value without newline', () => {
    const text = `\n${JSON.stringify(events[0])}\r\n\r\n  \n${JSON.stringify(events[2])}`;
    expect(decodeInPieces(Buffer.from(text), [3, 10])).toEqual([events[0], events[2]]);
  });

  it('several values in one chunk', () => {
    const d = new JsonLinesDecoder();
    expect(d.push(wire)).toEqual(events);
    expect(d.end()).toEqual([]);
  });

  it('throws on invalid JSON, naming a preview of the line', () => {
    const d = new JsonLinesDecoder();
    expect(() => d.push(Buffer.from('{"type":"ADDED",\n'))).toThrow(/invalid JSON.*"type":"ADDED"/);
  });

  it('throws on a value torn by the end of the stream', () => {
    const d = new JsonLinesDecoder();
    expect(d.push(Buffer.from('{"type":"ADD'))).toEqual([]);
    expect(() => d.end()).toThrow(/invalid JSON/);
  });

  it('refuses a line larger than the limit, before it ends', () => {
    const d = new JsonLinesDecoder(1000);
    expect(() => {
      for (let i = 0; i < 20; i++) d.push(Buffer.from('x'.repeat(100)));
    }).toThrow(/exceeds 1000 bytes/);
  });
});

describe('parseWatchEvent', () => {
  const cases: { name: string; value: unknown; type?: string; error?: RegExp }[] = [
    { name: 'ADDED', value: events[0], type: 'ADDED' },
    { name: 'BOOKMARK', value: events[2], type: 'BOOKMARK' },
    { name: 'ERROR with a Status', value: { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 410, reason: 'Expired' } }, type: 'ERROR' },
    { name: 'not an object', value: [1, 2], error: /not a JSON object/ },
    { name: 'no object', value: { type: 'ADDED' }, error: /ADDED event has no object/ },
    { name: 'no metadata', value: { type: 'MODIFIED', object: {} }, error: /no metadata/ },
    { name: 'unknown type', value: { type: 'SYNC', object: { metadata: {} } }, error: /unknown event type "SYNC"/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.error) expect(() => parseWatchEvent(c.value)).toThrow(c.error);
      else expect(parseWatchEvent(c.value).type).toBe(c.type);
    });
  }

  it('keeps a malformed ERROR object readable as a Status', () => {
    const ev = parseWatchEvent({ type: 'ERROR', object: { weird: true } });
    expect(ev.type === 'ERROR' && ev.object.code).toBe(500);
  });
});
