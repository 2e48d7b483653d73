/** Kit tests for the trusted gradient helpers (lib/gradcheck.ts). */
import { describe, expect, test } from 'vitest';
import { clone, createRng, evalNumericalGradient, evalNumericalGradientArray, fromNested, map, matmul, randn, relError, transpose } from './index.ts';

describe('relError', () => {
  test('is CS231n’s elementwise max of |a − b| / max(1e-8, |a| + |b|)', () => {
    expect(relError(fromNested([1, 2]), fromNested([1, 2]))).toBe(0);
    expect(relError(fromNested([1, 3]), fromNested([1, 1]))).toBe(0.5);
    expect(relError(0, 0)).toBe(0);
    expect(relError(1e-9, -1e-9)).toBeCloseTo(0.2, 12);
    expect(Number.isNaN(relError(fromNested([NaN]), fromNested([1])))).toBe(true);
    expect(() => relError(fromNested([1, 2]), fromNested([1]))).toThrow(RangeError);
  });
});

describe('numerical gradients', () => {
  const rng = createRng('gradcheck');

  test('evalNumericalGradient › recovers 3x² for Σ x³ to centred-difference accuracy and leaves x untouched', () => {
    const x = randn([4, 3], rng);
    const before = clone(x);
    const grad = evalNumericalGradient((v) => v.data.reduce((s, a) => s + a ** 3, 0), x);
    expect(grad).toBeAllClose(map(x, (v) => 3 * v * v), { rtol: 1e-8, atol: 1e-9 });
    expect(x.data).toEqual(before.data);
  });

  test('evalNumericalGradientArray › gives Wᵀ-weighted gradients of a matrix product', () => {
    const x = randn([3, 4], rng);
    const w = randn([4, 2], rng);
    const dout = randn([3, 2], rng);
    const dx = evalNumericalGradientArray((v) => matmul(v, w), x, dout);
    expect(dx).toBeAllClose(matmul(dout, transpose(w)), { rtol: 1e-8, atol: 1e-9 });
  });
});
