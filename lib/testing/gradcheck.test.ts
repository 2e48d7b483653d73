/** Kit tests for the trusted gradient helpers (lib/testing/gradcheck.ts). */
import { describe, expect, test } from 'vitest';
import { clone, createRng, fromNested, map, matmul, randn, transpose, type Tensor } from '../index.ts';
import { delegateNumericalGradients, evalNumericalGradient, evalNumericalGradientArray, extrapolatedGradientOf, numericalGradientOf, relError } from './gradcheck.ts';

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

describe('numericalGradientOf', () => {
  const rng = createRng('lib/numericalGradientOf');
  const W = randn([3, 2], rng);
  const layer = (x: Tensor, params: { W: Tensor }): { out: Tensor; cache: null } => ({ out: map(matmul(x, params.W), Math.tanh), cache: null });

  test('equals the closure form, for an argument and for a tensor inside one', () => {
    const x = randn([4, 3], rng);
    const dout = randn([4, 2], rng);
    const byData = numericalGradientOf(layer, [x, { W }], { wrt: 0, output: ['out'], dout });
    expect(byData.data).toEqual(evalNumericalGradientArray((p) => layer(p, { W }).out, x, dout).data);
    const dW = numericalGradientOf(layer, [x, { W }], { wrt: [1, 'W'], output: ['out'], dout });
    expect(dW.data).toEqual(evalNumericalGradientArray((p) => layer(x, { W: p }).out, W, dout).data);
  });

  test('differentiates a number output without dout, and leaves every argument untouched', () => {
    const x = randn([5], rng);
    const before = clone(x);
    const g = numericalGradientOf((v: Tensor) => v.data.reduce((s: number, t: number) => s + t * t * t, 0), [x], { wrt: 0 });
    expect(relError(g, map(x, (v) => 3 * v * v))).toBeLessThan(1e-8);
    expect(x.data).toEqual(before.data);
  });

  test('uses a delegate for the functions it claims, and only those', () => {
    const x = randn([2, 3], rng);
    const claimed = (v: Tensor): Tensor => v;
    delegateNumericalGradients((fn) => (fn === claimed ? { shape: [1], data: Float64Array.of(42) } : undefined));
    try {
      expect(numericalGradientOf(claimed, [x], { wrt: 0, dout: x }).data).toEqual(Float64Array.of(42));
      expect(numericalGradientOf((v: Tensor) => v, [x], { wrt: 0, dout: x }).shape).toEqual([2, 3]);
    } finally {
      delegateNumericalGradients(null);
    }
  });
});

describe('extrapolatedGradientOf', () => {
  const rng = createRng('lib/extrapolatedGradientOf');

  test('is exact for polynomials up to degree 4 but for rounding, where one centred difference errs by h²·f‴/6', () => {
    // f = Σ x⁴: D(h) = 4x³ + 4x·h², so (4·D(h) − D(2h)) / 3 = 4x³ exactly.
    const x = map(randn([5], rng), (v) => v + Math.sign(v));
    const quartic = (v: Tensor): number => v.data.reduce((s, t) => s + t ** 4, 0);
    const exact = map(x, (v) => 4 * v ** 3);
    expect(extrapolatedGradientOf(quartic, [x], { wrt: 0 })).toBeAllClose(exact, { rtol: 1e-10, atol: 1e-12, what: 'extrapolated' });
    expect(relError(numericalGradientOf(quartic, [x], { wrt: 0, h: 1e-3 }), exact), 'one centred difference at h = 1e-3').toBeGreaterThan(1e-8);
  });

  test('is two numerical gradients as data (h and 2h), so a delegate serves both', () => {
    const x = randn([3], rng);
    const steps: number[] = [];
    const f = (v: Tensor): number => v.data.reduce((s, t) => s + Math.sin(t), 0);
    delegateNumericalGradients((fn, _args, options) => {
      if (fn !== f) return undefined;
      steps.push(options.h ?? NaN);
      return { shape: [3], data: Float64Array.of(1, 2, 3) };
    });
    try {
      expect(extrapolatedGradientOf(f, [x], { wrt: 0 }).data).toEqual(Float64Array.of(1, 2, 3));
      expect(steps).toEqual([1e-3, 2e-3]);
    } finally {
      delegateNumericalGradients(null);
    }
  });
});
