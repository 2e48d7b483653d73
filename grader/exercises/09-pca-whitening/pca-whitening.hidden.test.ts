/**
 * Hidden suite for exercise 09 — PCA and whitening. Never shipped to students.
 * Titles are `fn › case-id: description`; the grader reports hidden failures by id and kind only.
 * Fits are compared through their projectors (the subspace), never the signs of their columns.
 */
import { describe, expect, test } from 'vitest';
import { map, matmul, transpose, zeros, type Tensor } from '../../../lib/index.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { casesFor, loadFixture, titled } from '../../../lib/testing/fixtures.ts';
import { covariance, pcaFit, pcaProject, pcaReconstruct, whiten, type PcaFit } from '../../../exercises/09-pca-whitening/pca-whitening.ts';
import * as reference from '../../../solutions/09-pca-whitening/pca-whitening.ts';
import { variantRng } from '../variants.ts';
import { correlated, projector } from './fixtures.ts';

const fixture = loadFixture('09-pca-whitening', 'hidden');
/** Same tolerance as the public suite: reordered sums cost ~1e-15, eigenvectors ~1e-14 at these gaps. */
const TOL = { rtol: 1e-7, atol: 1e-10 };

const identity = (k: number): Tensor => map(zeros([k, k]), (_, i) => (Math.floor(i / k) === i % k ? 1 : 0));

/** Flips the sign of every other column of a fit's components: an equally correct fit. */
function flipped(fit: PcaFit): PcaFit {
  const k = fit.components.shape[1]!;
  return { ...fit, components: map(fit.components, (v, i) => (i % k) % 2 === 1 ? -v : v) };
}

describe('shapes', () => {
  test('pcaFit › fit-k-equals-d-shapes: k = D = 1 and k = D = 7 give square components', () => {
    const rng = variantRng('09-pca-whitening/shapes');
    expect(pcaFit(correlated(rng, 5, [2]), 1).components.shape).toEqual([1, 1]);
    expect(pcaFit(correlated(rng, 30, [7, 6, 5, 4, 3, 2, 1]), 7).components.shape).toEqual([7, 7]);
  });
});

describe('values', () => {
  test.for(titled(casesFor<{ x: Tensor }, { mean: Tensor; cov: Tensor }>(fixture, 'covariance')))('%s', ([, { args, expected }]) => {
    const { mean, cov } = covariance(args.x);
    expect(mean).toBeAllClose(expected.mean, { ...TOL, what: 'mean' });
    expect(cov).toBeAllClose(expected.cov, { ...TOL, what: 'cov' });
  });

  test.for(titled(casesFor<{ x: Tensor; k: number }, { mean: Tensor; variances: Tensor; projector: Tensor }>(fixture, 'pcaFit')))('%s', ([, { args, expected }]) => {
    const fit = pcaFit(args.x, args.k);
    expect(fit.mean).toBeAllClose(expected.mean, { ...TOL, what: 'mean' });
    expect(fit.variances).toBeAllClose(expected.variances, { ...TOL, what: 'variances' });
    expect(projector(fit)).toBeAllClose(expected.projector, { ...TOL, what: 'projector' });
  });

  test.for(titled(casesFor<{ x: Tensor; fit: PcaFit }, { z: Tensor }>(fixture, 'pcaProject')))('%s', ([, { args, expected }]) => {
    expect(pcaProject(args.x, args.fit)).toBeAllClose(expected.z, { ...TOL, what: 'z' });
  });

  test.for(titled(casesFor<{ z: Tensor; fit: PcaFit }, { x: Tensor }>(fixture, 'pcaReconstruct')))('%s', ([, { args, expected }]) => {
    expect(pcaReconstruct(args.z, args.fit)).toBeAllClose(expected.x, { ...TOL, what: 'reconstruction' });
  });

  test.for(titled(casesFor<{ x: Tensor; fit: PcaFit; eps?: number }, { white: Tensor }>(fixture, 'whiten')))('%s', ([, { args, expected }]) => {
    expect(whiten(args.x, args.fit, args.eps)).toBeAllClose(expected.white, { ...TOL, what: 'whitened data' });
  });
});

describe('properties', () => {
  test('pcaProject › sign-flipped-fit: a fit with some columns negated projects to the same columns, negated', () => {
    const rng = variantRng('09-pca-whitening/flip');
    const x = correlated(rng, 20, [3, 2, 1, 0.5]);
    const fit = reference.pcaFit(x, 3);
    const z = pcaProject(x, flipped(fit));
    expect(z).toBeAllClose(map(reference.pcaProject(x, fit), (v, i) => ((i % 3) % 2 === 1 ? -v : v)), { ...TOL, what: 'z of the flipped fit' });
  });

  test('pcaReconstruct › round-trip-full-rank: projecting onto all D directions and back returns the rows', () => {
    const rng = variantRng('09-pca-whitening/round-trip');
    const x = correlated(rng, 15, [4, 2, 1, 0.5, 0.25]);
    const fit = pcaFit(x, 5);
    expect(pcaReconstruct(pcaProject(x, fit), fit)).toBeAllClose(x, { rtol: 1e-9, atol: 1e-9, what: 'x after projecting and reconstructing' });
  });

  test('whiten › whitened-test-uses-train-statistics: whitening a test split shifted by c gives the train whitening plus c · U / √(λ + ε)', () => {
    const rng = variantRng('09-pca-whitening/white-shift');
    const x = correlated(rng, 25, [3, 1.5, 0.7]);
    const fit = reference.pcaFit(x, 3);
    const c = Float64Array.of(2, -1, 0.5);
    const shifted = whiten(map(x, (v, k) => v + c[k % 3]!), fit);
    const offset = matmul({ shape: [1, 3], data: c }, fit.components).data.map((v, j) => v / Math.sqrt(fit.variances.data[j]! + 1e-5));
    const want = map(reference.whiten(x, fit), (v, k) => v + offset[k % 3]!);
    expect(shifted).toBeAllClose(want, { rtol: 1e-9, atol: 1e-10, what: 'whitened shifted split' });
  });

  test('whiten › identity-covariance-wide: whitened training data of 8 features has covariance within eps / λ_min of I', () => {
    const rng = variantRng('09-pca-whitening/identity');
    const x = correlated(rng, 200, [8, 6, 5, 4, 3, 2, 1, 0.5]);
    const fit = reference.pcaFit(x, 8);
    const w = whiten(x, fit);
    const cov = map(matmul(transpose(w), w), (v) => v / 200);
    expect(cov).toBeAllClose(identity(8), { rtol: 0, atol: 1e-5 / Math.min(...fit.variances.data) + 1e-10, what: 'covariance of the whitened data' });
  });

  test('covariance › symmetric-exactly: the covariance of 9 features is exactly symmetric', () => {
    const rng = variantRng('09-pca-whitening/symmetric');
    const { cov } = covariance(correlated(rng, 11, [5, 4, 3, 2, 1, 0.9, 0.8, 0.7, 0.6]));
    for (let i = 0; i < 9; i++) for (let j = 0; j < i; j++) expect(cov.data[i * 9 + j], `cov[${i}, ${j}]`).toBe(cov.data[j * 9 + i]);
  });
});

describe('bad input', () => {
  const rng = variantRng('09-pca-whitening/bad');
  const x = correlated(rng, 6, [2, 1, 0.5]);
  test("pcaFit › rejects-fractional-k: a 'k' of 1.5 is a RangeError", () => {
    expectInputError(() => pcaFit(x, 1.5), { fn: 'pcaFit', arg: 'k' });
  });
  test("covariance › rejects-empty: an 'x' of shape [0, 3] is a RangeError", () => {
    expectInputError(() => covariance(zeros([0, 3])), { fn: 'covariance', arg: 'x', shapes: [[0, 3]] });
  });
  test("whiten › rejects-wrong-features: an 'x' of 4 features for a fit of 3 is a RangeError", () => {
    expectInputError(() => whiten(zeros([2, 4]), reference.pcaFit(x, 2)), { fn: 'whiten', arg: 'x', shapes: [[2, 3], [2, 4]] });
  });
});

describe('variants', () => {
  const rng = variantRng('09-pca-whitening');
  const D = 3 + rng.randint(0, 4);
  const stds = Array.from({ length: D }, (_, j) => 4 * 0.6 ** j);
  const train = correlated(rng, 30 + rng.randint(0, 20), stds);
  const split = map(correlated(rng, 5, stds), (v) => v + rng.randint(-3, 4));
  const k = 1 + rng.randint(0, D);
  const fit = reference.pcaFit(train, k);

  test('covariance › variant-covariance: the covariance of your personal data', () => {
    const want = reference.covariance(train);
    const got = covariance(train);
    expect(got.mean).toBeAllClose(want.mean, { ...TOL, what: 'mean' });
    expect(got.cov).toBeAllClose(want.cov, { ...TOL, what: 'cov' });
  });

  test('pcaFit › variant-fit: PCA of your personal data', () => {
    const got = pcaFit(train, k);
    expect(got.variances).toBeAllClose(fit.variances, { ...TOL, what: 'variances' });
    expect(projector(got)).toBeAllClose(projector(fit), { ...TOL, what: 'projector' });
  });

  test('whiten › variant-transforms: projecting, reconstructing and whitening your personal test split', () => {
    expect(pcaProject(split, fit)).toBeAllClose(reference.pcaProject(split, fit), { ...TOL, what: 'z' });
    const z = reference.pcaProject(split, fit);
    expect(pcaReconstruct(z, fit)).toBeAllClose(reference.pcaReconstruct(z, fit), { ...TOL, what: 'reconstruction' });
    expect(whiten(split, fit, 1e-3)).toBeAllClose(reference.whiten(split, fit, 1e-3), { ...TOL, what: 'whitened' });
  });
});
