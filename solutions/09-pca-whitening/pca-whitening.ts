/**
 * Exercise 09 — PCA and whitening, the preprocessing the lecture mentions beside the mean image:
 * rotate zero-centred data onto the directions of its largest variance (and keep only the top k),
 * then, for whitening, scale every direction to unit variance.
 *
 * Shapes: data `x` is `[N, D]`, one sample per row. A fit holds the training mean `[D]`, the
 * principal directions as the columns of `components [D, k]`, and their variances `[k]`. Every
 * statistic comes from the training split; the other splits are transformed with it.
 */
import { assertShape, describe, shapeError, symmetricEigen, type Tensor } from '../../lib/index.ts';

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

// BEGIN SOLUTION
/** Checks `x` is `[N, D]` with at least one row; returns N and D. */
function rows(fn: string, x: unknown, arg = 'x'): [number, number] {
  assertShape(fn, arg, x, [null, null], '[N, D]');
  const [N, D] = x.shape as [number, number];
  if (N === 0) throw shapeError(fn, arg, 'at least one row', x.shape);
  return [N, D];
}

/** Checks a fit's three tensors agree with each other; returns D and k. */
function checkFit(fn: string, fit: PcaFit): [number, number] {
  assertShape(fn, 'fit.components', fit?.components, [null, null], '[D, k]');
  const [D, k] = fit.components.shape as [number, number];
  assertShape(fn, 'fit.mean', fit.mean, [D]);
  assertShape(fn, 'fit.variances', fit.variances, [k]);
  return [D, k];
}

/** (x − mean) · components, `[N, k]`: the coordinates of the centred rows along the directions. */
function rotate(x: Tensor, fit: PcaFit, D: number, k: number): Float64Array {
  const N = x.shape[0]!;
  const out = new Float64Array(N * k);
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) {
      const c = x.data[n * D + d]! - fit.mean.data[d]!;
      for (let j = 0; j < k; j++) out[n * k + j]! += c * fit.components.data[d * k + j]!;
    }
  }
  return out;
}
// END SOLUTION

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
  // BEGIN SOLUTION
  // TODO: check x is [N, D] with N ≥ 1.
  const [N, D] = rows('covariance', x);
  const mean = new Float64Array(D);
  for (let n = 0; n < N; n++) for (let d = 0; d < D; d++) mean[d]! += x.data[n * D + d]! / N;
  const cov = new Float64Array(D * D);
  const c = new Float64Array(D);
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) c[d] = x.data[n * D + d]! - mean[d]!;
    for (let i = 0; i < D; i++) for (let j = i; j < D; j++) cov[i * D + j]! += (c[i]! * c[j]!) / N;
  }
  for (let i = 0; i < D; i++) for (let j = 0; j < i; j++) cov[i * D + j] = cov[j * D + i]!;
  return { mean: { shape: [D], data: mean }, cov: { shape: [D, D], data: cov } };
  // END SOLUTION
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
  // BEGIN SOLUTION
  // TODO: check k; then covariance, eigendecomposition, and the k columns of largest eigenvalue.
  const fn = 'pcaFit';
  const [, D] = rows(fn, x);
  if (!Number.isInteger(k) || k < 1 || k > D) throw new RangeError(`${fn}: 'k' must be an integer in [1, ${D}], got ${describe(k)}`);
  const { mean, cov } = covariance(x);
  const { values, vectors } = symmetricEigen(cov);
  const components = new Float64Array(D * k);
  const variances = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const from = D - 1 - j; // ascending order: the largest eigenvalue is the last
    variances[j] = values.data[from]!;
    for (let d = 0; d < D; d++) components[d * k + j] = vectors.data[d * D + from]!;
  }
  return { mean, components: { shape: [D, k], data: components }, variances: { shape: [k], data: variances } };
  // END SOLUTION
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
  // BEGIN SOLUTION
  const fn = 'pcaProject';
  const [D, k] = checkFit(fn, fit);
  assertShape(fn, 'x', x, [null, D], '[N, D]');
  return { shape: [x.shape[0]!, k], data: rotate(x, fit, D, k) };
  // END SOLUTION
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
  // BEGIN SOLUTION
  const fn = 'pcaReconstruct';
  const [D, k] = checkFit(fn, fit);
  assertShape(fn, 'z', z, [null, k], '[N, k]');
  const N = z.shape[0]!;
  const out = new Float64Array(N * D);
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) {
      let s = fit.mean.data[d]!;
      for (let j = 0; j < k; j++) s += z.data[n * k + j]! * fit.components.data[d * k + j]!;
      out[n * D + d] = s;
    }
  }
  return { shape: [N, D], data: out };
  // END SOLUTION
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
  // BEGIN SOLUTION
  const fn = 'whiten';
  const [D, k] = checkFit(fn, fit);
  assertShape(fn, 'x', x, [null, D], '[N, D]');
  if (typeof eps !== 'number' || !(eps >= 0)) throw new RangeError(`${fn}: 'eps' must be ≥ 0, got ${describe(eps)}`);
  const z = rotate(x, fit, D, k);
  const scale = fit.variances.data.map((v) => 1 / Math.sqrt(v + eps));
  for (let i = 0; i < z.length; i++) z[i]! *= scale[i % k]!;
  return { shape: [x.shape[0]!, k], data: z };
  // END SOLUTION
}
