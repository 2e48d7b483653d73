/** Kit tests for the shared parts of the checks (lib/testing/checks/common.ts). */
import { describe, expect, test } from 'vitest';
import { createRng, fromNested, map, randn } from '../../index.ts';
import { expectGradientClose, normalizationBounds, U } from './common.ts';

describe('expectGradientClose', () => {
  test('passes below the bound and names the quantity, the worst element and both values above it', () => {
    const numerical = fromNested([[1, -2], [0.5, 3]]);
    expectGradientClose(fromNested([[1, -2], [0.5, 3 + 1e-9]]), numerical, 1e-6, 'dx');
    expect(() => expectGradientClose(fromNested([[1, -2], [0.4, 3]]), numerical, 1e-6, 'dx')).toThrow(
      /relative error of dx \(CS231n's relError; worst at \[1, 0\]: your dx 0\.4, numerical 0\.5\): expected 0\.11\d* to be less than 0\.000001/,
    );
  });

  test('a wrong shape or a non-tensor is reported as such, before any relative error', () => {
    expect(() => expectGradientClose(fromNested([1, 2]), fromNested([[1], [2]]), 1e-6, 'dgamma')).toThrow('dgamma has the wrong shape: got [2], expected [2, 1]');
    expect(() => expectGradientClose(0, fromNested([0]), 1e-6, 'dbeta')).toThrow('dbeta should be a tensor { shape, data: Float64Array }, got the number 0');
  });
});

describe('normalizationBounds', () => {
  /** x̂ of one row with the mean summed left to right, or right to left. */
  function xhat(x: Float64Array, reverse: boolean): Float64Array {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[reverse ? x.length - 1 - i : i]!;
    const mu = s / x.length;
    let v = 0;
    for (const t of x) v += (t - mu) ** 2;
    const inv = 1 / Math.sqrt(v / x.length + 1e-5);
    return x.map((t) => (t - mu) * inv);
  }

  test('near 1e6 with unit spread, two summation orders differ by less than the bound, and a one-pass variance by far more', () => {
    const rng = createRng('lib/normalizationBounds');
    let worstShare = 0;
    let bound = 0;
    for (let trial = 0; trial < 50; trial++) {
      const x = map(randn([32], rng), (v) => 1e6 + v).data;
      bound = normalizationBounds({ x, groups: 1, groupOf: () => 0, gammaOf: () => 1, betaOf: () => 0, eps: 1e-5, statistics: { kind: 'batch' } }).out;
      const a = xhat(x, false);
      const b = xhat(x, true);
      for (let i = 0; i < a.length; i++) worstShare = Math.max(worstShare, Math.abs(a[i]! - b[i]!) / bound);
      // E[x²] − μ²: the cancellation costs ~u·(1e6)² / σ² ≈ 1e-4 relative in the variance.
      const mean = x.reduce((s, t) => s + t, 0) / x.length;
      const onePass = x.reduce((s, t) => s + t * t, 0) / x.length - mean * mean;
      const twoPass = x.reduce((s, t) => s + (t - mean) ** 2, 0) / x.length;
      expect(Math.abs(onePass - twoPass) / twoPass, 'one-pass variance error').toBeGreaterThan(100 * bound);
    }
    expect(worstShare, 'largest difference between the two orders, as a share of the bound').toBeLessThan(1);
    expect(bound, 'the bound near 1e6 (≈ 33·u·1e6·4 per unit spread)').toBeGreaterThan(1e-9);
    expect(bound).toBeLessThan(1e3 * 33 * U * 1e6);
  });
});
