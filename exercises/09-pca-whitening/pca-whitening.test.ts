/**
 * Public tests for exercise 09 — PCA and whitening.
 * Run: npm test exercises/09-pca-whitening
 *
 * Order: shapes → values against fixtures → properties → bad input. An eigenvector's sign is
 * arbitrary, so a fit is compared through the projector `components · componentsᵀ` onto the
 * subspace it spans; the transforms are given the reference's fit, so their outputs compare as is.
 */
import { describe, expect, test } from 'vitest';
import { add, createRng, isTensor, map, matmul, randn, transpose, zeros, type Tensor } from '../../lib/index.ts';
import { expectInputError } from '../../lib/testing/errors.ts';
import { loadFixture } from '../../lib/testing/fixtures.ts';
import { projector, TOL, valueTests, type PcaWhiteningModule } from '../../lib/testing/checks/09-pca-whitening.ts';
import * as pcaWhitening from './pca-whitening.ts';
import { covariance, pcaFit, pcaProject, pcaReconstruct, whiten, type PcaFit } from './pca-whitening.ts';

const fixture = loadFixture('09-pca-whitening');

// The tolerance (and why a correct implementation cannot miss it), the fixture-driven value tests
// and the projector a fit is compared through live in lib/testing/checks/09-pca-whitening.ts.

const rng = createRng('09-pca-whitening/public-tests');

/** Correlated data: N rows with standard deviations `stds` along random directions, off-centre. */
function correlated(N: number, stds: readonly number[]): Tensor {
  const D = stds.length;
  const mix = randn([D, D], rng);
  const z = map(randn([N, D], rng), (v, k) => v * stds[k % D]!);
  return add(matmul(z, mix), map(randn([D], rng), (v) => 4 * v));
}

const identity = (k: number): Tensor => map(zeros([k, k]), (_, i) => (Math.floor(i / k) === i % k ? 1 : 0));

/** The biased covariance of the rows of x, written out here so the properties do not depend on yours. */
function covOf(x: Tensor): Tensor {
  // The loops below trust the shape: it must be a matrix whose shape matches its numbers.
  expect(isTensor(x) && x.shape.length === 2, 'the transformed data is an [N, k] tensor whose shape matches its numbers').toBe(true);
  const [N, D] = x.shape as [number, number];
  const mu = new Float64Array(D);
  for (let k = 0; k < N * D; k++) mu[k % D]! += x.data[k]! / N;
  const c = map(x, (v, k) => v - mu[k % D]!);
  return map(matmul(transpose(c), c), (v) => v / N);
}

describe('shapes', () => {
  test('covariance › returns mean [D] and cov [D, D]', () => {
    const { mean, cov } = covariance(correlated(7, [1, 2, 3]));
    expect(mean).toHaveShape([3], 'mean');
    expect(cov).toHaveShape([3, 3], 'cov');
    expect(cov.data).toBeInstanceOf(Float64Array);
  });

  test('pcaFit › returns mean [D], components [D, k] and variances [k]', () => {
    const fit = pcaFit(correlated(20, [3, 2, 1, 0.5, 0.2]), 2);
    expect(fit.mean).toHaveShape([5], 'fit.mean');
    expect(fit.components).toHaveShape([5, 2], 'fit.components');
    expect(fit.variances).toHaveShape([2], 'fit.variances');
  });

  test('pcaProject, whiten, pcaReconstruct › map [N, D] to [N, k] and back to [N, D]', () => {
    const x = correlated(12, [3, 2, 1, 0.5]);
    const fit = pcaFit(x, 3);
    expect(pcaProject(x, fit)).toHaveShape([12, 3], 'pcaProject(x, fit)');
    expect(whiten(x, fit)).toHaveShape([12, 3], 'whiten(x, fit)');
    expect(pcaReconstruct(pcaProject(x, fit), fit)).toHaveShape([12, 4], 'pcaReconstruct(…)');
  });
});

describe('values', () => {
  valueTests(fixture, pcaWhitening as unknown as PcaWhiteningModule);
});

describe('properties', () => {
  const train = correlated(80, [4, 2.5, 1.5, 0.8, 0.3]);

  test('pcaFit › the components are orthonormal columns: componentsᵀ · components = I', () => {
    const fit = pcaFit(train, 3);
    expect(matmul(transpose(fit.components), fit.components)).toBeAllClose(identity(3), { rtol: 0, atol: 1e-12, what: 'componentsᵀ · components' });
  });

  test('pcaProject › projected training features are uncorrelated, with the fitted variances in decreasing order', () => {
    const fit = pcaFit(train, 4);
    for (let j = 1; j < 4; j++) expect(fit.variances.data[j]!, `variances[${j}] ≤ variances[${j - 1}]`).toBeLessThanOrEqual(fit.variances.data[j - 1]!);
    const diag = map(identity(4), (v, i) => v * fit.variances.data[i % 4]!);
    // Variances here are 0.1 … 30: rounding in the products is ~1e-13.
    expect(covOf(pcaProject(train, fit))).toBeAllClose(diag, { rtol: 1e-9, atol: 1e-10, what: 'covariance of the projected training data' });
  });

  test('whiten › whitened training data has the identity covariance, up to eps', () => {
    const fit = pcaFit(train, 5);
    const eps = 1e-5;
    // Its covariance is diag(λ / (λ + eps)), within eps / λ_min of the identity.
    const shrink = map(identity(5), (v, i) => v * (fit.variances.data[i % 5]! / (fit.variances.data[i % 5]! + eps)));
    const white = covOf(whiten(train, fit, eps));
    expect(white).toBeAllClose(shrink, { rtol: 1e-9, atol: 1e-10, what: 'covariance of the whitened training data vs diag(λ / (λ + eps))' });
    expect(white).toBeAllClose(identity(5), { rtol: 0, atol: eps / Math.min(...fit.variances.data), what: 'covariance of the whitened training data' });
    // With eps = 0, exactly unit variance (to rounding).
    expect(covOf(whiten(train, fit, 0))).toBeAllClose(identity(5), { rtol: 0, atol: 1e-9, what: 'covariance with eps = 0' });
  });

  test('pcaReconstruct › the reconstruction error falls as k grows, and equals the sum of the variances left out', () => {
    const full = pcaFit(train, 5);
    let previousMse = Infinity;
    for (let k = 1; k <= 5; k++) {
      const fit = pcaFit(train, k);
      const back = pcaReconstruct(pcaProject(train, fit), fit);
      const mse = back.data.reduce((s, v, i) => s + (v - train.data[i]!) ** 2, 0) / 80;
      const leftOut = full.variances.data.slice(k).reduce((s, v) => s + v, 0);
      expect(mse, `mean squared error with k = ${k}`).toBeLessThan(previousMse);
      expect(mse).toBeAllClose(leftOut, { rtol: 1e-9, atol: 1e-10, what: `mean squared error with k = ${k} vs the variances left out` });
      previousMse = mse;
    }
  });

  test('pcaProject › centres every split with the training mean: the training mean projects to 0, a shifted split does not', () => {
    const fit = pcaFit(train, 3);
    const meanRow = { shape: [1, 5], data: fit.mean.data.slice() };
    expect(pcaProject(meanRow, fit)).toBeAllClose(zeros([1, 3]), { rtol: 0, atol: 1e-12, what: 'projection of the training mean' });
    const shift = Float64Array.of(1, -2, 0.5, 3, 1);
    const val = map(train, (v, k) => v + shift[k % 5]!);
    const z = pcaProject(val, fit);
    const meanZ = Array.from({ length: 3 }, (_, j) => Array.from({ length: 80 }, (_, n) => z.data[n * 3 + j]!).reduce((a, b) => a + b, 0) / 80);
    const want = matmul({ shape: [1, 5], data: shift }, fit.components);
    expect(meanZ).toBeAllClose(Array.from(want.data), { rtol: 1e-9, atol: 1e-10, what: 'mean of the projected shifted split (shift · components)' });
  });

  test('pcaFit › the subspace does not depend on the order of the rows', () => {
    const order = rng.permutation(80);
    const shuffled = { shape: [80, 5], data: Float64Array.from(order.flatMap((n) => Array.from(train.data.slice(n * 5, n * 5 + 5)))) };
    const [mixed, ordered] = [pcaFit(shuffled, 2), pcaFit(train, 2)];
    for (const fit of [mixed, ordered]) expect(fit.components).toHaveShape([5, 2], 'components');
    expect(projector(mixed)).toBeAllClose(projector(ordered), { rtol: 1e-9, atol: 1e-11, what: 'projector of the shuffled rows' });
  });

  test('covariance, pcaFit, whiten › never mutate their inputs', () => {
    const x = correlated(10, [2, 1, 0.5]);
    const before = x.data.slice();
    covariance(x);
    const fit = pcaFit(x, 2);
    const fitBefore = [fit.mean, fit.components, fit.variances].map((t) => t.data.slice());
    whiten(x, fit);
    pcaReconstruct(pcaProject(x, fit), fit);
    expect(x.data).toEqual(before);
    [fit.mean, fit.components, fit.variances].forEach((t, i) => expect(t.data).toEqual(fitBefore[i]));
  });
});

describe('bad input', () => {
  const x = correlated(6, [2, 1, 0.5, 0.2]);

  test("covariance › an 'x' that is not [N, D] is a RangeError naming its shape", () => {
    expectInputError(() => covariance(randn([8], rng)), { fn: 'covariance', arg: 'x', shapes: [[8]] });
  });

  test("pcaFit › a 'k' of 0 or above D is a RangeError", () => {
    expectInputError(() => pcaFit(x, 0), { fn: 'pcaFit', arg: 'k' });
    expectInputError(() => pcaFit(x, 5), { fn: 'pcaFit', arg: 'k' });
  });

  test("pcaProject › an 'x' with another number of features than the fit is a RangeError naming both shapes", () => {
    const fit = pcaFit(x, 2);
    expectInputError(() => pcaProject(randn([3, 5], rng), fit), { fn: 'pcaProject', arg: 'x', shapes: [[3, 4], [3, 5]] });
  });

  test("pcaReconstruct › a 'z' with another k than the fit is a RangeError naming both shapes", () => {
    const fit = pcaFit(x, 2);
    expectInputError(() => pcaReconstruct(randn([6, 3], rng), fit), { fn: 'pcaReconstruct', arg: 'z', shapes: [[6, 2], [6, 3]] });
  });

  test("whiten › a negative 'eps' is a RangeError", () => {
    expectInputError(() => whiten(x, pcaFit(x, 2), -1e-5), { fn: 'whiten', arg: 'eps' });
  });
});
