// Incremental decoder for a stream of newline-delimited JSON values (the watch wire format:
// the API server writes one event per line). Chunks may split a value anywhere, including
// inside a multi-byte UTF-8 character; working on bytes makes that safe, because 0x0A never
// occurs inside a multi-byte sequence. A value spread over many chunks is joined once, when
// its newline arrives, so a large object costs O(size), not O(size x chunks).

/** Objects in Kubernetes are capped far below this (etcd's request limit is ~1.5 MiB). */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

const NEWLINE = 0x0a;

export class JsonLinesDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES) {}

  /** Feed one chunk; returns the values completed by it, in order. Throws on malformed JSON. */
  push(chunk: Uint8Array): unknown[] {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: unknown[] = [];
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(NEWLINE, start);
      if (nl < 0) break;
      const tail = buf.subarray(start, nl);
      let line: Buffer;
      if (this.pending.length > 0) {
        this.pending.push(tail);
        line = Buffer.concat(this.pending, this.pendingBytes + tail.length);
        this.pending = [];
        this.pendingBytes = 0;
      } else {
        line = tail;
      }
      this.checkSize(line.length);
      const value = parseLine(line);
      if (value !== undefined) out.push(value);
      start = nl + 1;
    }
    if (start < buf.length) {
      // Copy: the caller may reuse its buffer, and a subarray would pin the whole chunk.
      const rest = Buffer.from(buf.subarray(start));
      this.pending.push(rest);
      this.pendingBytes += rest.length;
      this.checkSize(this.pendingBytes);
    }
    return out;
  }

  /** The stream ended: a final value without a trailing newline still counts; a torn one throws. */
  end(): unknown[] {
    if (this.pending.length === 0) return [];
    const line = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    const value = parseLine(line);
    return value === undefined ? [] : [value];
  }

  private checkSize(bytes: number): void {
    if (bytes > this.maxLineBytes) {
      throw new Error(`watch stream: one event exceeds ${this.maxLineBytes} bytes`);
    }
  }
}

function parseLine(line: Buffer): unknown {
  const text = line.toString('utf8').trim(); // trim: tolerate \r\n and blank keep-alive lines
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const preview = text.length > 120 ? `${text.slice(0, 120)}...` : text;
    throw new Error(`watch stream: invalid JSON (${(err as Error).message}) in: ${preview}`);
  }
}
