// Damaged versions of real kubectl bodies (truncated, bit-flipped, spliced, random): the
// decoder either returns a JSON-serializable object or throws ProtobufDecodeError; never
// another exception, never a hang. Seeded, so a failure reproduces.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf, ProtobufDecodeError } from './index.js';
import { envelope, wire, type Chunk } from './testing/wire-builder.js';

const TESTDATA = join(import.meta.dirname, 'testdata', 'kubectl-1.33');
const bodies = readdirSync(TESTDATA)
  .filter((f) => f.endsWith('.pb'))
  .sort()
  .map((f) => Uint8Array.from(readFileSync(join(TESTDATA, f))));

/** mulberry32: a tiny deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Outcome = 'decoded' | 'rejected';

function attempt(body: Uint8Array): Outcome {
  try {
    const { object } = decodeKubernetesProtobuf(body);
    JSON.stringify(object);
    return 'decoded';
  } catch (err) {
    if (err instanceof ProtobufDecodeError) return 'rejected';
    throw new Error(`non-ProtobufDecodeError for body ${Buffer.from(body).toString('hex')}: ${String(err)}`);
  }
}

function mutate(body: Uint8Array, random: () => number): Uint8Array {
  const at = (n: number): number => Math.floor(random() * n);
  const out = Uint8Array.from(body);
  switch (at(5)) {
    case 0: // flip a few bits, sparing the magic so the message itself is exercised
      for (let i = at(4); i >= 0; i--) {
        const pos = 4 + at(out.length - 4);
        out[pos] = out[pos]! ^ (1 << at(8));
      }
      return out;
    case 1: // overwrite a byte with a random one
      out[4 + at(out.length - 4)] = at(256);
      return out;
    case 2: // truncate
      return out.subarray(0, at(out.length));
    case 3: {
      // insert random bytes
      const pos = 4 + at(out.length - 4);
      const junk = Uint8Array.from({ length: 1 + at(8) }, () => at(256));
      return Uint8Array.from([...out.subarray(0, pos), ...junk, ...out.subarray(pos)]);
    }
    default: {
      // splice in a slice of another body
      const other = bodies[at(bodies.length)]!;
      const from = at(other.length);
      const piece = other.subarray(from, from + 1 + at(32));
      const pos = 4 + at(out.length - 4);
      return Uint8Array.from([...out.subarray(0, pos), ...piece, ...out.subarray(pos + at(16))]);
    }
  }
}

/** Well-formed protobuf of random shape: known field numbers meet every wire type, deep down. */
function randomFields(random: () => number, depth: number): Chunk[] {
  const at = (n: number): number => Math.floor(random() * n);
  return Array.from({ length: at(6) }, () => {
    const no = 1 + at(40);
    switch (at(depth > 0 ? 5 : 4)) {
      case 0:
        return wire.varint(no, at(3) === 0 ? -at(1000) : at(100_000));
      case 1:
        return wire.string(no, String.fromCharCode(...Array.from({ length: at(12) }, () => 32 + at(95))));
      case 2:
        return wire.int64(no, at(2 ** 31) * 4096);
      case 3:
        return at(2) === 0 ? wire.fixed32(no) : wire.fixed64(no);
      default:
        return wire.message(no, ...randomFields(random, depth - 1));
    }
  });
}

const KINDS: [string, string][] = [
  ['v1', 'Namespace'],
  ['v1', 'Service'],
  ['v1', 'ConfigMap'],
  ['v1', 'Secret'],
  ['apps/v1', 'Deployment'],
  ['networking.k8s.io/v1', 'Ingress'],
];

describe('damaged bodies', () => {
  it('has real bodies to damage', () => {
    expect(bodies.length).toBeGreaterThan(10);
    for (const body of bodies) expect(attempt(body)).toBe('decoded');
  });

  it('every truncation of every real body', () => {
    let rejected = 0;
    for (const body of bodies) for (let n = 0; n < body.length; n++) if (attempt(body.subarray(0, n)) === 'rejected') rejected++;
    expect(rejected).toBeGreaterThan(0);
  });

  it('5000 random mutations', () => {
    const random = prng(0x6b387300);
    const seen: Record<Outcome, number> = { decoded: 0, rejected: 0 };
    for (let i = 0; i < 5000; i++) seen[attempt(mutate(bodies[i % bodies.length]!, random))]++;
    // Both outcomes occur: damage inside strings decodes, damage to structure is rejected.
    expect(seen.decoded).toBeGreaterThan(0);
    expect(seen.rejected).toBeGreaterThan(0);
  });

  it('3000 random well-formed objects of every kind', () => {
    const random = prng(7);
    const seen: Record<Outcome, number> = { decoded: 0, rejected: 0 };
    for (let i = 0; i < 3000; i++) {
      const [apiVersion, kind] = KINDS[i % KINDS.length]!;
      seen[attempt(envelope(apiVersion, kind, ...randomFields(random, 6)))]++;
    }
    expect(seen.decoded).toBeGreaterThan(0);
    expect(seen.rejected).toBeGreaterThan(0);
  });

  it('2000 random bodies behind the magic', () => {
    const random = prng(42);
    for (let i = 0; i < 2000; i++) {
      const body = Uint8Array.from({ length: 4 + Math.floor(random() * 64) }, () => Math.floor(random() * 256));
      body.set([0x6b, 0x38, 0x73, 0x00]);
      attempt(body);
    }
  });
});
