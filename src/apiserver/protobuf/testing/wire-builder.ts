// Test support: hand-built protobuf fields (via protobufjs' Writer), for cases kubectl never
// sends: zero values set explicitly, unknown fields, packed lists, malformed bytes.
import pb from 'protobufjs/minimal.js';

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

export type Chunk = Uint8Array;

function tagged(no: number, wire: number, write: (w: pb.Writer) => pb.Writer): Chunk {
  return write(pb.Writer.create().uint32((no << 3) | wire)).finish();
}

export function concat(...chunks: Chunk[]): Chunk {
  return Uint8Array.from(Buffer.concat(chunks));
}

export const wire = {
  string: (no: number, s: string): Chunk => tagged(no, LEN, (w) => w.string(s)),
  bytes: (no: number, b: Uint8Array): Chunk => tagged(no, LEN, (w) => w.bytes(b)),
  /** int32/bool/enum: a plain varint (negative int32 as 10-byte two's complement, as Go writes). */
  varint: (no: number, n: number): Chunk => tagged(no, VARINT, (w) => w.int32(n)),
  int64: (no: number, n: number): Chunk => tagged(no, VARINT, (w) => w.int64(n)),
  fixed64: (no: number): Chunk => tagged(no, FIXED64, (w) => w.fixed64(7)),
  fixed32: (no: number): Chunk => tagged(no, FIXED32, (w) => w.fixed32(7)),
  /** A nested message made of the given fields. */
  message: (no: number, ...fields: Chunk[]): Chunk => tagged(no, LEN, (w) => w.bytes(concat(...fields))),
  /** A proto map entry {1: key, 2: value}. */
  entry: (no: number, key: string, value: Chunk): Chunk => tagged(no, LEN, (w) => w.bytes(concat(wire.string(1, key), value))),
  /** Packed repeated varints. */
  packed: (no: number, values: number[]): Chunk => {
    const inner = pb.Writer.create();
    for (const v of values) inner.int64(v);
    return tagged(no, LEN, (w) => w.bytes(inner.finish()));
  },
};

const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** `k8s\0` + runtime.Unknown{typeMeta, raw: the object's fields}. */
export function envelope(apiVersion: string, kind: string, ...objectFields: Chunk[]): Chunk {
  const unknown = concat(wire.message(1, wire.string(1, apiVersion), wire.string(2, kind)), wire.bytes(2, concat(...objectFields)));
  return concat(MAGIC, unknown);
}

/** An object's metadata field carrying just a name. */
export function named(name: string): Chunk {
  return wire.message(1, wire.string(1, name));
}
