// Your work goes here: replace each `throw new NotImplementedError(...)` with your implementation.
// Run this exercise's tests with `npm test <this folder>`; the README next to this file is the brief.
/**
 * Exercise 09 — PCA and whitening, the preprocessing the lecture mentions beside the mean image:
 * rotate zero-centred data onto the directions of its largest variance (and keep only the top k),
 * then, for whitening, scale every direction to unit variance.
 *
 * Shapes: data `x` is `[N, D]`, one sample per row. A fit holds the training mean `[D]`, the
 * principal directions as the columns of `components [D, k]`, and their variances `[k]`. Every
 * statistic comes from the training split; the other splits are transformed with it.
 */
import { assertShape, describe, NotImplementedError, shapeError, symmetricEigen, type Tensor } from '../../lib/index.ts';

/** What `covariance` returns. */
export interface Covariance {
  /** The mean of every feature, `[D]`. */
  mean: Tensor;
  /** The covariance matrix of the centred data, `[D, D]`, symmetric. */
  cov: Tensor;
}

/** A PCA fitted on training data. */
export interface PcaFit {
  /** The training mean, `[D]`. */
  mean: Tensor;
  /** The top k principal directions as unit-length, orthogonal columns, `[D, k]`, largest variance first. */
  components: Tensor;
  /** The variance of the training data along each direction, `[k]`, in decreasing order. */
  variances: Tensor;
}


/**
 * The mean of every feature and the covariance matrix of the centred data:
 *   μ_d = (1/N) Σ_n x_nd,     cov = (1/N) (x − μ)ᵀ (x − μ)
 *
 * NOTE: divide by N, not N − 1 (as CS231n's `np.dot(X.T, X) / X.shape[0]`).
 * NOTE: centre first, then multiply: the shortcut (1/N) xᵀx − μμᵀ loses every digit when the
 * features sit far from 0 compared with their spread.
 *
 * @param x `[N, D]`, N ≥ 1 (never mutated).
 * @returns `{ mean [D], cov [D, D] }`.
 * @throws RangeError when x is not `[N, D]` with N ≥ 1.
 */
export function covariance(x: Tensor): Covariance {
  // TODO: check x is [N, D] with N ≥ 1.
  throw new NotImplementedError('covariance', 'exercises/09-pca-whitening/pca-whitening.ts');
}

/**
 * Fits PCA on training data: the k directions of largest variance of the centred data, which are
 * eigenvectors of its covariance matrix, and the variance along each (its eigenvalue).
 * `symmetricEigen` from lib/ decomposes a symmetric matrix for you.
 *
 * NOTE: `symmetricEigen` returns the eigenvalues in ascending order (as numpy's eigh), with the
 * eigenvectors as columns in the same order; PCA wants the largest first.
 * NOTE: an eigenvector's sign is arbitrary: any sign of each column is correct, and the tests
 * compare the subspace your components span, never their signs.
 *
 * @param x `[N, D]` training data, N ≥ 1 (never mutated).
 * @param k how many components, an integer in [1, D].
 * @returns `{ mean [D], components [D, k], variances [k] }`.
 * @throws RangeError when x is not `[N, D]` with N ≥ 1 or k is not an integer in [1, D].
 */
export function pcaFit(x: Tensor, k: number): PcaFit {
  // TODO: check k; then covariance, eigendecomposition, and the k columns of largest eigenvalue.
  throw new NotImplementedError('pcaFit', 'exercises/09-pca-whitening/pca-whitening.ts');
}

/**
 * Projects data onto the fitted directions (the data's coordinates in the rotated, reduced basis):
 *   z = (x − fit.mean) · fit.components                   `[N, D] → [N, k]`
 *
 * NOTE: centre with the training mean stored in the fit, for every split; the mean of the x you
 * are given is not used.
 *
 * @param x `[N, D]` any split (never mutated).
 * @param fit what `pcaFit` returned for the training split (never mutated).
 * @returns `[N, k]`.
 * @throws RangeError when x's D differs from the fit's, or the fit's shapes disagree.
 */
export function pcaProject(x: Tensor, fit: PcaFit): Tensor {
  throw new NotImplementedError('pcaProject', 'exercises/09-pca-whitening/pca-whitening.ts');
}

/**
 * Maps projected data back to the original space, the closest point of the fitted subspace:
 *   x̃ = z · fit.componentsᵀ + fit.mean                    `[N, k] → [N, D]`
 * With k = D this undoes `pcaProject`; with k < D the directions left out are lost.
 *
 * @param z `[N, k]` projected data (never mutated).
 * @param fit the fit that projected it (never mutated).
 * @returns `[N, D]`.
 * @throws RangeError when z's k differs from the fit's, or the fit's shapes disagree.
 */
export function pcaReconstruct(z: Tensor, fit: PcaFit): Tensor {
  throw new NotImplementedError('pcaReconstruct', 'exercises/09-pca-whitening/pca-whitening.ts');
}

/**
 * PCA whitening: project, then scale every direction to unit variance:
 *   white_nj = z_nj / √(variances_j + ε),    z = (x − fit.mean) · fit.components
 * The whitened training data has covariance diag(λ_j / (λ_j + ε)): the identity, up to ε.
 *
 * NOTE: ε goes inside the square root; it keeps directions of (nearly) zero variance from blowing
 * up noise by dividing by (nearly) zero.
 *
 * @param x `[N, D]` any split (never mutated).
 * @param fit what `pcaFit` returned for the training split (never mutated).
 * @param eps ≥ 0, default 1e-5.
 * @returns `[N, k]`.
 * @throws RangeError when x's D differs from the fit's, the fit's shapes disagree or eps < 0.
 */
export function whiten(x: Tensor, fit: PcaFit, eps = 1e-5): Tensor {
  throw new NotImplementedError('whiten', 'exercises/09-pca-whitening/pca-whitening.ts');
}
