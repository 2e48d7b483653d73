/**
 * Exercise 09's hidden checks whose inputs are drawn from the student's seed (see ../variants.ts):
 * pure functions of (implementation, seed), so `npm run fairness` can run them for many seeds.
 * Fits are compared through their projectors (the subspace), never the signs of their columns;
 * expected values come from the reference.
 */
import { expect } from 'vitest';
import { map, matmul, transpose, zeros, type Tensor } from '../../../lib/index.ts';
import * as reference from '../../../solutions/09-pca-whitening/pca-whitening.ts';
import type { PcaFit } from '../../../solutions/09-pca-whitening/pca-whitening.ts';
import { rngFor, type VariantCheck } from '../variants.ts';
import { correlated, projector } from './fixtures.ts';
import { TOL } from '../../../lib/testing/checks/09-pca-whitening.ts';

export type PcaWhiteningModule = typeof reference;
type Check = VariantCheck<PcaWhiteningModule>;


const identity = (k: number): Tensor => map(zeros([k, k]), (_, i) => (Math.floor(i / k) === i % k ? 1 : 0));

/** Flips the sign of every other column of a fit's components: an equally correct fit. */
function flipped(fit: PcaFit): PcaFit {
  const k = fit.components.shape[1]!;
  return { ...fit, components: map(fit.components, (v, i) => ((i % k) % 2 === 1 ? -v : v)) };
}

const shapes: Check[] = [
  {
    group: 'shapes',
    fn: 'pcaFit',
    id: 'fit-k-equals-d-shapes',
    description: 'k = D = 1 and k = D = 7 give square components',
    run: (mod, seed) => {
      const rng = rngFor(seed, '09-pca-whitening/shapes');
      expect(mod.pcaFit(correlated(rng, 5, [2]), 1).components).toHaveShape([1, 1], 'components');
      expect(mod.pcaFit(correlated(rng, 30, [7, 6, 5, 4, 3, 2, 1]), 7).components).toHaveShape([7, 7], 'components');
    },
  },
];

const properties: Check[] = [
  {
    group: 'properties',
    fn: 'pcaProject',
    id: 'sign-flipped-fit',
    description: 'a fit with some columns negated projects to the same columns, negated',
    run: (mod, seed) => {
      const x = correlated(rngFor(seed, '09-pca-whitening/flip'), 20, [3, 2, 1, 0.5]);
      const fit = reference.pcaFit(x, 3);
      const z = mod.pcaProject(x, flipped(fit));
      expect(z).toBeAllClose(map(reference.pcaProject(x, fit), (v, i) => ((i % 3) % 2 === 1 ? -v : v)), { ...TOL, what: 'z of the flipped fit' });
    },
  },
  {
    group: 'properties',
    fn: 'pcaReconstruct',
    id: 'round-trip-full-rank',
    description: 'projecting onto all D directions and back returns the rows',
    run: (mod, seed) => {
      const x = correlated(rngFor(seed, '09-pca-whitening/round-trip'), 15, [4, 2, 1, 0.5, 0.25]);
      const fit = mod.pcaFit(x, 5);
      // An orthonormal U of 5 columns: U Uᵀ = I to ~1e-15 · 5, on rows of size ≲ 15.
      expect(mod.pcaReconstruct(mod.pcaProject(x, fit), fit)).toBeAllClose(x, { rtol: 1e-9, atol: 1e-9, what: 'x after projecting and reconstructing' });
    },
  },
  {
    group: 'properties',
    fn: 'whiten',
    id: 'whitened-test-uses-train-statistics',
    description: 'whitening a test split shifted by c gives the train whitening plus c · U / √(λ + ε)',
    run: (mod, seed) => {
      const x = correlated(rngFor(seed, '09-pca-whitening/white-shift'), 25, [3, 1.5, 0.7]);
      const fit = reference.pcaFit(x, 3);
      const c = Float64Array.of(2, -1, 0.5);
      const shifted = mod.whiten(map(x, (v, k) => v + c[k % 3]!), fit);
      const offset = matmul({ shape: [1, 3], data: c }, fit.components).data.map((v, j) => v / Math.sqrt(fit.variances.data[j]! + 1e-5));
      const want = map(reference.whiten(x, fit), (v, k) => v + offset[k % 3]!);
      expect(shifted).toBeAllClose(want, { rtol: 1e-9, atol: 1e-10, what: 'whitened shifted split' });
    },
  },
  {
    group: 'properties',
    fn: 'whiten',
    id: 'identity-covariance-wide',
    description: 'whitened training data of 8 features has covariance within eps / λ_min of I',
    run: (mod, seed) => {
      const x = correlated(rngFor(seed, '09-pca-whitening/identity'), 200, [8, 6, 5, 4, 3, 2, 1, 0.5]);
      const fit = reference.pcaFit(x, 8);
      const w = mod.whiten(x, fit);
      const cov = map(matmul(transpose(w), w), (v) => v / 200);
      // Each whitened variance is λ / (λ + ε) = 1 − ε / (λ + ε): at most ε / λ_min below 1.
      expect(cov).toBeAllClose(identity(8), { rtol: 0, atol: 1e-5 / Math.min(...fit.variances.data) + 1e-10, what: 'covariance of the whitened data' });
    },
  },
  {
    group: 'properties',
    fn: 'covariance',
    id: 'symmetric-exactly',
    description: 'the covariance of 9 features is exactly symmetric',
    run: (mod, seed) => {
      const { cov } = mod.covariance(correlated(rngFor(seed, '09-pca-whitening/symmetric'), 11, [5, 4, 3, 2, 1, 0.9, 0.8, 0.7, 0.6]));
      for (let i = 0; i < 9; i++) for (let j = 0; j < i; j++) expect(cov.data[i * 9 + j], `cov[${i}, ${j}]`).toBe(cov.data[j * 9 + i]);
    },
  },
];

/** The student's personal data: D from 3 to 6 features of falling spread, a shifted test split, k from 1 to D. */
function personal(seed: string): { train: Tensor; split: Tensor; k: number; fit: PcaFit } {
  const rng = rngFor(seed, '09-pca-whitening');
  const D = 3 + rng.randint(0, 4);
  const stds = Array.from({ length: D }, (_, j) => 4 * 0.6 ** j);
  const train = correlated(rng, 30 + rng.randint(0, 20), stds);
  const split = map(correlated(rng, 5, stds), (v) => v + rng.randint(-3, 4));
  const k = 1 + rng.randint(0, D);
  return { train, split, k, fit: reference.pcaFit(train, k) };
}

const variants: Check[] = [
  {
    group: 'variants',
    fn: 'covariance',
    id: 'variant-covariance',
    description: 'the covariance of your personal data',
    run: (mod, seed) => {
      const { train } = personal(seed);
      const want = reference.covariance(train);
      const got = mod.covariance(train);
      expect(got.mean).toBeAllClose(want.mean, { ...TOL, what: 'mean' });
      expect(got.cov).toBeAllClose(want.cov, { ...TOL, what: 'cov' });
    },
  },
  {
    group: 'variants',
    fn: 'pcaFit',
    id: 'variant-fit',
    description: 'PCA of your personal data',
    run: (mod, seed) => {
      const { train, k, fit } = personal(seed);
      const got = mod.pcaFit(train, k);
      expect(got.variances).toBeAllClose(fit.variances, { ...TOL, what: 'variances' });
      expect(got.components).toHaveShape(fit.components.shape, 'components');
      expect(projector(got)).toBeAllClose(projector(fit), { ...TOL, what: 'projector' });
    },
  },
  {
    group: 'variants',
    fn: 'whiten',
    id: 'variant-transforms',
    description: 'projecting, reconstructing and whitening your personal test split',
    run: (mod, seed) => {
      const { split, fit } = personal(seed);
      expect(mod.pcaProject(split, fit)).toBeAllClose(reference.pcaProject(split, fit), { ...TOL, what: 'z' });
      const z = reference.pcaProject(split, fit);
      expect(mod.pcaReconstruct(z, fit)).toBeAllClose(reference.pcaReconstruct(z, fit), { ...TOL, what: 'reconstruction' });
      expect(mod.whiten(split, fit, 1e-3)).toBeAllClose(reference.whiten(split, fit, 1e-3), { ...TOL, what: 'whitened' });
    },
  },
];

export const variantChecks: Check[] = [...shapes, ...properties, ...variants];
