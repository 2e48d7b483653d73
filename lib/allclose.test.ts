/** Kit tests for the closeness verdict and its teaching message (lib/allclose.ts and the matcher). */
import { describe, expect, test } from 'vitest';
import { compareAllClose, explainAllClose, fromNested, tensor } from './index.ts';

const tol = { rtol: 1e-7, atol: 1e-10 };

describe('compareAllClose', () => {
  test('accepts values within atol + rtol·|expected| and nothing further', () => {
    const expected = fromNested([1, 100, 0]);
    expect(compareAllClose(fromNested([1 + 0.9e-7, 100 + 0.9e-5, 0.9e-10]), expected, tol).kind).toBe('ok');
    expect(compareAllClose(fromNested([1 + 1.2e-7, 100, 0]), expected, tol).kind).toBe('values');
  });

  test('reports a shape mismatch alone, before any value', () => {
    const v = compareAllClose(tensor([3, 2]), tensor([2, 3]), tol);
    expect(v).toEqual({ kind: 'shape', gotShape: [3, 2], expectedShape: [2, 3] });
    expect(explainAllClose(v, tol, 'out')).toBe('out has the wrong shape: got [3, 2], expected [2, 3]');
  });

  test('reports the first differing index, got vs expected, the worst relative error and the tolerance', () => {
    const v = compareAllClose(fromNested([[1, 2.5], [3, 8]]), fromNested([[1, 2], [3, 4]]), tol);
    expect(v).toMatchObject({ kind: 'values', count: 2, size: 4, index: [0, 1], got: 2.5, expected: 2, worstIndex: [1, 1], worstRelError: 1 });
    const message = explainAllClose(v, tol, 'dx');
    expect(message).toContain('dx differs from the expected values at 2 of 4 elements');
    expect(message).toContain('first at [0, 1]: got 2.5, expected 2');
    expect(message).toContain('worst relative error 1.0e+0 at [1, 1]');
    expect(message).toContain('rtol = 1e-7, atol = 1e-10');
  });

  test('NaN or Infinity where a number is expected is a failure reported by index, even with a huge tolerance', () => {
    const v = compareAllClose(fromNested([1, NaN, Infinity]), fromNested([1, 2, 3]), { rtol: 1e9, atol: 1e9 });
    expect(v).toMatchObject({ kind: 'nonfinite', index: [1], count: 2 });
    expect(explainAllClose(v, tol)).toContain('got NaN at [1]');
  });

  test('a value that is not a tensor is a type failure; numbers compare as shape []', () => {
    expect(compareAllClose(undefined, fromNested([1]), tol).kind).toBe('type');
    expect(compareAllClose({ shape: [1], data: [1] }, fromNested([1]), tol).kind).toBe('type');
    expect(compareAllClose(0.5, 0.5, tol).kind).toBe('ok');
    expect(compareAllClose(fromNested([0.5]), 0.5, tol).kind).toBe('type');
  });
});

describe('toBeAllClose', () => {
  test('passes close tensors and fails with the teaching message', () => {
    expect(fromNested([1, 2])).toBeAllClose([1, 2 + 1e-12]);
    expect(() => expect(fromNested([1, 2])).toBeAllClose([1, 3], { rtol: 1e-7, atol: 0, what: 'out' })).toThrow(
      /out differs from the expected values at 1 of 2 elements\n {2}first at \[1\]: got 2, expected 3/,
    );
    expect(() => expect(fromNested([1, 2])).not.toBeAllClose([1, 2])).toThrow(/expected it not to be/);
  });
});
