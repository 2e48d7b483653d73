/** Typical PCA and whitening mistakes, as edits of the reference solution (see ../mistake.ts). */
import type { Mistake } from '../mistake.ts';

export const mistakes: Mistake[] = [
  {
    id: 'covariance-n-minus-1',
    fn: 'covariance',
    hint: 'The covariance looks divided by N − 1: this kit uses the biased covariance, (1/N) (x − μ)ᵀ(x − μ).',
    file: 'pca-whitening.ts',
    replace: [['for (let i = 0; i < D; i++) for (let j = i; j < D; j++) cov[i * D + j]! += (c[i]! * c[j]!) / N;', 'for (let i = 0; i < D; i++) for (let j = i; j < D; j++) cov[i * D + j]! += (c[i]! * c[j]!) / Math.max(1, N - 1);']],
  },
  {
    id: 'covariance-not-centred',
    fn: 'covariance',
    hint: 'The covariance looks computed from x itself: subtract the mean of every feature first.',
    file: 'pca-whitening.ts',
    replace: [['for (let d = 0; d < D; d++) c[d] = x.data[n * D + d]! - mean[d]!;', 'for (let d = 0; d < D; d++) c[d] = x.data[n * D + d]!;']],
  },
  {
    id: 'covariance-one-pass',
    fn: 'covariance',
    hint: 'The covariance loses its digits when the features sit far from 0: (1/N) xᵀx − μμᵀ subtracts two huge, nearly equal numbers. Centre first, then multiply.',
    file: 'pca-whitening.ts',
    replace: [
      ['for (let d = 0; d < D; d++) c[d] = x.data[n * D + d]! - mean[d]!;', 'for (let d = 0; d < D; d++) c[d] = x.data[n * D + d]!;'],
      ['  for (let i = 0; i < D; i++) for (let j = 0; j < i; j++) cov[i * D + j] = cov[j * D + i]!;', '  for (let i = 0; i < D; i++) for (let j = i; j < D; j++) cov[i * D + j]! -= mean[i]! * mean[j]!;\n  for (let i = 0; i < D; i++) for (let j = 0; j < i; j++) cov[i * D + j] = cov[j * D + i]!;'],
    ],
  },
  {
    id: 'fit-smallest-eigenvalues',
    fn: 'pcaFit',
    hint: 'The fit keeps the directions of smallest variance: symmetricEigen returns the eigenvalues in ascending order, so the largest are the last ones.',
    file: 'pca-whitening.ts',
    replace: [['const from = D - 1 - j; // ascending order: the largest eigenvalue is the last', 'const from = j;']],
  },
  {
    id: 'fit-rows-as-components',
    fn: 'pcaFit',
    hint: 'The components do not span the right subspace: the eigenvectors are the columns of the matrix symmetricEigen returns, not its rows.',
    file: 'pca-whitening.ts',
    replace: [['for (let d = 0; d < D; d++) components[d * k + j] = vectors.data[d * D + from]!;', 'for (let d = 0; d < D; d++) components[d * k + j] = vectors.data[from * D + d]!;']],
  },
  {
    id: 'fit-values-reordered-alone',
    fn: 'pcaFit',
    hint: 'The variances are in the right order but the components are not: reorder the eigenvectors together with their eigenvalues.',
    file: 'pca-whitening.ts',
    replace: [['for (let d = 0; d < D; d++) components[d * k + j] = vectors.data[d * D + from]!;', 'for (let d = 0; d < D; d++) components[d * k + j] = vectors.data[d * D + j]!;']],
  },
  {
    id: 'fit-standard-deviations',
    fn: 'pcaFit',
    hint: 'The variances look like standard deviations: the eigenvalues of the covariance are variances already.',
    file: 'pca-whitening.ts',
    replace: [['variances[j] = values.data[from]!;', 'variances[j] = Math.sqrt(Math.max(0, values.data[from]!));']],
  },
  {
    id: 'project-not-centred',
    fn: 'pcaProject',
    hint: 'The projection skips the centring: subtract the training mean (fit.mean) before multiplying by the components.',
    file: 'pca-whitening.ts',
    replace: [['const c = x.data[n * D + d]! - fit.mean.data[d]!;', 'const c = x.data[n * D + d]!;']],
  },
  {
    id: 'project-own-mean',
    fn: 'pcaProject',
    hint: 'Each split seems centred with its own mean: every split is centred with the training mean stored in the fit.',
    file: 'pca-whitening.ts',
    replace: [
      [
        "  return { shape: [x.shape[0]!, k], data: rotate(x, fit, D, k) };",
        "  return { shape: [x.shape[0]!, k], data: rotate(x, { ...fit, mean: covariance(x).mean }, D, k) };",
      ],
    ],
  },
  {
    id: 'reconstruct-without-mean',
    fn: 'pcaReconstruct',
    hint: 'The reconstruction is centred at 0: add the training mean back after mapping to the original space.',
    file: 'pca-whitening.ts',
    replace: [['let s = fit.mean.data[d]!;', 'let s = 0;']],
  },
  {
    id: 'whiten-eps-outside-sqrt',
    fn: 'whiten',
    hint: 'eps seems added after the square root: divide by √(variance + eps).',
    file: 'pca-whitening.ts',
    replace: [['const scale = fit.variances.data.map((v) => 1 / Math.sqrt(v + eps));', 'const scale = fit.variances.data.map((v) => 1 / (Math.sqrt(v) + eps));']],
  },
  {
    id: 'whiten-by-variance',
    fn: 'whiten',
    hint: 'The whitened data does not have unit variance: divide by the standard deviation √(λ + eps), not by the variance.',
    file: 'pca-whitening.ts',
    replace: [['const scale = fit.variances.data.map((v) => 1 / Math.sqrt(v + eps));', 'const scale = fit.variances.data.map((v) => 1 / (v + eps));']],
  },
  {
    id: 'whiten-ignores-eps',
    fn: 'whiten',
    hint: 'eps has no effect: it belongs inside the square root, √(variance + eps).',
    file: 'pca-whitening.ts',
    replace: [['const scale = fit.variances.data.map((v) => 1 / Math.sqrt(v + eps));', 'const scale = fit.variances.data.map((v) => 1 / Math.sqrt(v));']],
  },
];
