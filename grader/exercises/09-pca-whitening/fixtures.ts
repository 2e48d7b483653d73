/**
 * Fixture cases for exercise 09 (PCA and whitening). Data are correlated Gaussians with chosen,
 * well-separated variances along random directions, so every top-k subspace is well determined
 * (the gap between the k-th and (k+1)-th variance is at least a fifth of the k-th). A fitted PCA is
 * compared through its projector `components · componentsᵀ`, which does not depend on the signs of
 * the eigenvectors; the transforms get the reference's fit as an argument, so their outputs are
 * compared as they are.
 */
import { add, map, matmul, randn, transpose, type Rng, type Tensor } from '../../../lib/index.ts';
import { covariance, pcaFit, pcaProject, pcaReconstruct, whiten, type PcaFit } from '../../../solutions/09-pca-whitening/pca-whitening.ts';
import type { JsonInput } from '../../fixtures/format.ts';
import type { CaseSpec, FixtureSpec } from '../../fixtures/generate.ts';

/** A random orthogonal [D, D] matrix (the Q of a Gram–Schmidt on Gaussian columns). */
function rotation(rng: Rng, D: number): Tensor {
  const a = randn([D, D], rng);
  const q = new Float64Array(D * D);
  for (let j = 0; j < D; j++) {
    const v = Array.from({ length: D }, (_, i) => a.data[i * D + j]!);
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < D; i++) dot += v[i]! * q[i * D + p]!;
      for (let i = 0; i < D; i++) v[i]! -= dot * q[i * D + p]!;
    }
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    for (let i = 0; i < D; i++) q[i * D + j] = v[i]! / norm;
  }
  return { shape: [D, D], data: q };
}

/**
 * N samples of a Gaussian with standard deviations `stds` along the columns of a random rotation,
 * shifted by `offset` (+ a random per-feature shift), rows `[N, D]`.
 */
export function correlated(rng: Rng, N: number, stds: readonly number[], offset = 3): Tensor {
  const D = stds.length;
  const z = map(randn([N, D], rng), (v, k) => v * stds[k % D]!);
  const shift = map(randn([D], rng), (v) => offset * (1 + v));
  return add(matmul(z, transpose(rotation(rng, D))), shift);
}

import { projector } from '../../../lib/testing/checks/09-pca-whitening.ts';

export { projector };

const fitJson = (fit: PcaFit): JsonInput => ({ mean: fit.mean, components: fit.components, variances: fit.variances });

function covarianceCase(id: string, description: string, x: Tensor): CaseSpec {
  const { mean, cov } = covariance(x);
  return { id, fn: 'covariance', description, args: { x }, expected: { mean, cov } };
}

function fitCase(id: string, description: string, x: Tensor, k: number): CaseSpec {
  const fit = pcaFit(x, k);
  return { id, fn: 'pcaFit', description, args: { x, k }, expected: { mean: fit.mean, variances: fit.variances, projector: projector(fit) } };
}

function projectCase(id: string, description: string, train: Tensor, k: number, x: Tensor): CaseSpec {
  const fit = pcaFit(train, k);
  return { id, fn: 'pcaProject', description, args: { x, fit: fitJson(fit) }, expected: { z: pcaProject(x, fit) } };
}

function reconstructCase(id: string, description: string, train: Tensor, k: number, x: Tensor): CaseSpec {
  const fit = pcaFit(train, k);
  const z = pcaProject(x, fit);
  return { id, fn: 'pcaReconstruct', description, args: { z, fit: fitJson(fit) }, expected: { x: pcaReconstruct(z, fit) } };
}

function whitenCase(id: string, description: string, train: Tensor, k: number, x: Tensor, eps?: number): CaseSpec {
  const fit = pcaFit(train, k);
  const args: { [key: string]: JsonInput } = { x, fit: fitJson(fit) };
  if (eps !== undefined) args['eps'] = eps;
  return { id, fn: 'whiten', description, args, expected: { white: whiten(x, fit, eps) } };
}

function publicCases(rng: Rng): CaseSpec[] {
  const train = correlated(rng, 40, [3, 2, 1, 0.5]);
  const val = map(correlated(rng, 6, [3, 2, 1, 0.5]), (v) => v + 1.5);
  const tiny = correlated(rng, 30, [2, 1, 0.01]);
  return [
    covarianceCase('covariance-basic', '40 correlated samples of 4 features', train),
    covarianceCase('covariance-large-offset', 'features around 1e6 with unit spread: centre before multiplying', map(correlated(rng, 25, [2, 1, 0.5]), (v) => v + 1e6)),
    covarianceCase('covariance-one-row', 'a single sample: every variance is 0', correlated(rng, 1, [1, 1])),
    fitCase('fit-top-2-of-4', 'the top 2 of 4 directions: variances 9, 4, 1, 0.25 before sampling', train, 2),
    fitCase('fit-all-4', 'k = D: every direction, largest variance first', train, 4),
    fitCase('fit-top-1', 'the single direction of largest variance', correlated(rng, 50, [4, 1, 1.5, 0.5, 0.7]), 1),
    projectCase('project-train', 'the training rows onto their top 3 directions', train, 3, train),
    projectCase('project-val', 'validation rows (shifted by 1.5) are centred with the training mean', train, 2, val),
    reconstructCase('reconstruct-k2', 'back from 2 of 4 directions: the closest points of the plane', train, 2, val),
    reconstructCase('reconstruct-full', 'back from all 4 directions: the rows themselves', train, 4, val),
    whitenCase('whiten-train', 'the training rows, eps 1e-5', train, 4, train),
    whitenCase('whiten-val', 'validation rows, with the training statistics', train, 3, val),
    whitenCase('whiten-small-variance', 'a direction of variance ~1e-4 with eps 1e-2: eps inside the root dominates', tiny, 3, tiny, 1e-2),
  ];
}

function hiddenCases(rng: Rng): CaseSpec[] {
  const train = correlated(rng, 60, [5, 3, 2, 1, 0.6, 0.3]);
  const test = map(correlated(rng, 9, [5, 3, 2, 1, 0.6, 0.3]), (v, k) => v - 2 + (k % 6));
  const flat = correlated(rng, 20, [1.5, 1, 0.5, 0]);
  return [
    covarianceCase('covariance-six-features', '60 samples of 6 features', train),
    covarianceCase('covariance-wide', 'fewer samples than features: 3 × 5', correlated(rng, 3, [2, 1.5, 1, 0.5, 0.25])),
    covarianceCase('covariance-offset-1e8', 'features around 1e8 with spread 1e-1', map(correlated(rng, 30, [0.3, 0.2, 0.1], 0), (v) => v + 1e8)),
    fitCase('fit-top-3-of-6', 'the top 3 of 6 directions', train, 3),
    fitCase('fit-top-5-of-6', 'all but the smallest direction', train, 5),
    fitCase('fit-rank-deficient', 'a direction of exactly zero variance, left out with k = 3', flat, 3),
    fitCase('fit-one-feature', 'a single feature: its variance, direction ±1', correlated(rng, 12, [2]), 1),
    projectCase('project-test-shifted', 'test rows shifted per feature, onto 4 training directions', train, 4, test),
    projectCase('project-single-row', 'one row onto 2 directions', train, 2, correlated(rng, 1, [5, 3, 2, 1, 0.6, 0.3])),
    reconstructCase('reconstruct-k1', 'back from the top direction only', train, 1, test),
    whitenCase('whiten-test', 'test rows with the training statistics, 5 directions', train, 5, test),
    whitenCase('whiten-eps-zero', 'eps = 0: exactly unit variance on the training rows', train, 6, train, 0),
    whitenCase('whiten-large-eps', 'eps 0.5 shrinks the small directions', train, 6, test, 0.5),
  ];
}

export const spec: FixtureSpec = { exercise: '09-pca-whitening', public: publicCases, hidden: hiddenCases };
