import { describe, expect, it } from 'vitest';
import { parseBinding } from './binding.js';
import { ApiError } from './errors.js';

const fails = (body: unknown, name = 'p'): ApiError => {
  try {
    parseBinding(body, name);
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
};

describe('parseBinding (pods/binding bodies)', () => {
  it('reads target, preconditions and annotations', () => {
    expect(parseBinding({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p', uid: 'u', annotations: { a: 'b' } }, target: { kind: 'Node', name: 'n1' } }, 'p')).toEqual({
      name: 'p',
      uid: 'u',
      resourceVersion: undefined,
      annotations: { a: 'b' },
      target: { kind: 'Node', name: 'n1' },
    });
    expect(parseBinding({ target: { name: 'n1' } }, 'p').target).toEqual({ kind: '', name: 'n1' });
  });

  it.each([
    ['a name other than the URL', { metadata: { name: 'q' }, target: { name: 'n' } }, 400, 'name in URL does not match name in Binding object'],
    ['another kind', { kind: 'Pod', target: { name: 'n' } }, 400, 'the kind in the data (Pod) does not match the expected kind (Binding)'],
    ['no target name', { target: { kind: 'Node' } }, 422, 'Binding "p" is invalid: target.name: Required value'],
    ['a target that is not a Node', { target: { kind: 'Pod', name: 'n' } }, 422, `Binding "p" is invalid: target.kind: Invalid value: "Pod": must be empty or 'Node'`],
    ['not an object', [1], 400, 'the object provided is unrecognized (must be of type Binding): object expected'],
  ])('refuses %s', (_what, body, code, message) => {
    const e = fails(body);
    expect(e.code).toBe(code);
    expect(e.message).toBe(message);
  });
});
