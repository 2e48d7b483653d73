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
    // CS231n's relative error, as the briefs define it: |8 − 4| / (8 + 4) = 1/3 beats |2.5 − 2| / 4.5.
    expect(v).toMatchObject({ kind: 'values', count: 2, size: 4, index: [0, 1], got: 2.5, expected: 2, worstIndex: [1, 1], worstRelError: 1 / 3 });
    const message = explainAllClose(v, tol, 'dx');
    expect(message).toContain('dx differs from the expected values at 2 of 4 elements');
    expect(message).toContain('first at [0, 1]: got 2.5, expected 2');
    expect(message).toContain('worst relative error 3.3e-1 at [1, 1]');
    expect(message).toContain('rtol = 1e-7, atol = 1e-10');
  });

  test('the worst relative error is finite where expected is 0: |got − 0| / max(1e-8, |got|) is 1, not Infinity', () => {
    const v = compareAllClose(fromNested([0.5, 1]), fromNested([0, 1]), tol);
    expect(v).toMatchObject({ kind: 'values', worstIndex: [0], worstRelError: 1, worstAbsError: 0.5 });
    expect(explainAllClose(v, tol, 'dx')).toContain('worst relative error 1.0e+0 at [0] (worst absolute error 5.0e-1)');
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

  test('a type message never contradicts its value: a number where a tensor is expected is named a number', () => {
    // "dx should be a tensor … (or a number), got 0" read as if 0 were acceptable.
    expect(explainAllClose(compareAllClose(0, fromNested([0, 0]), tol), tol, 'dx')).toBe('dx should be a tensor { shape, data: Float64Array }, got the number 0');
    expect(explainAllClose(compareAllClose(fromNested([2]), 2, tol), tol, 'relError')).toBe('relError should be a number, got a tensor of shape [1]');
    expect(explainAllClose(compareAllClose(undefined, fromNested([1]), tol), tol, 'out')).toBe('out should be a tensor { shape, data: Float64Array }, got undefined');
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

describe('toHaveShape', () => {
  test('passes a tensor of that exact shape and names the quantity, got and expected shapes otherwise', () => {
    expect(tensor([3, 4])).toHaveShape([3, 4], 'out');
    expect(() => expect(tensor([4, 3])).toHaveShape([3, 4], 'out')).toThrow(/^out has the wrong shape: got \[4, 3\], expected \[3, 4\]$/);
    expect(() => expect(tensor([12])).toHaveShape([3, 4])).toThrow('result has the wrong shape: got [12], expected [3, 4]');
  });

  test('a value that is not a tensor says what it is instead', () => {
    expect(() => expect(0).toHaveShape([2], 'dx')).toThrow('dx should be a tensor { shape, data: Float64Array }, got the number 0');
    expect(() => expect({ shape: [2], data: [1, 2] }).toHaveShape([2], 'dx')).toThrow('dx should be a tensor { shape, data: Float64Array }, got an object');
  });
});
