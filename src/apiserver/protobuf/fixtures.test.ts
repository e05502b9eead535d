// Bodies the real kubectl 1.32 and 1.33 sent (captured by kubectl.test.ts into testdata/),
// each beside the JSON that kubectl prints for the same command with --dry-run=client -o json.
// These run without kubectl on the machine.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf } from './index.js';

const TESTDATA = join(import.meta.dirname, 'testdata');

const fixtures = readdirSync(TESTDATA).flatMap((version) =>
  readdirSync(join(TESTDATA, version))
    .filter((f) => f.endsWith('.pb'))
    .map((f) => ({ name: `${version}/${f.slice(0, -'.pb'.length)}`, base: join(TESTDATA, version, f.slice(0, -'.pb'.length)) })),
);

describe('captured kubectl bodies', () => {
  it('has fixtures for both protobuf-speaking kubectl versions', () => {
    expect(new Set(fixtures.map((f) => f.name.split('/')[0]))).toStrictEqual(new Set(['kubectl-1.32', 'kubectl-1.33']));
  });

  it.each(fixtures)('$name', ({ base }) => {
    const expected: unknown = JSON.parse(readFileSync(`${base}.json`, 'utf8'));
    expect(decodeKubernetesProtobuf(readFileSync(`${base}.pb`)).object).toStrictEqual(expected);
  });
});
