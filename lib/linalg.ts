/**
 * Linear algebra beyond the matrix product: the eigendecomposition of a symmetric matrix, which
 * PCA and whitening (exercise 09) are built on.
 */
import { formatShape, shapeError } from './errors.ts';
import { assertShape, type Tensor } from './tensor.ts';

export interface SymmetricEigen {
  /** The eigenvalues `[D]`, in ascending order (as numpy.linalg.eigh returns them). */
  values: Tensor;
  /** The eigenvectors `[D, D]`, one per column: column j goes with `values[j]`. */
  vectors: Tensor;
}

/**
 * Eigendecomposition of a symmetric matrix, `A = V · diag(λ) · Vᵀ`, by cyclic Jacobi rotations:
 * each rotation zeroes one off-diagonal pair, and sweeps over all pairs repeat until the
 * off-diagonal part is below 1e-15 of the matrix's norm (quadratic convergence: a handful of
 * sweeps for the sizes of this kit).
 *
 *   A v_j = λ_j v_j,   λ_0 ≤ λ_1 ≤ … ≤ λ_{D−1},   VᵀV = I
 *
 * NOTE: the order is ascending, like numpy.linalg.eigh: the largest eigenvalue is the last one.
 * NOTE: an eigenvector's sign is arbitrary (v and −v are both eigenvectors); this function makes
 * the entry of largest magnitude of each column positive, but code that uses eigenvectors should
 * not rely on any sign. With repeated eigenvalues only the subspace they span is determined.
 *
 * @param a `[D, D]`, symmetric (never mutated).
 * @returns `{ values [D], vectors [D, D] }`.
 * @throws RangeError when `a` is not square, or not symmetric to 1e-10 of its largest entry.
 */
export function symmetricEigen(a: Tensor): SymmetricEigen {
  const fn = 'symmetricEigen';
  assertShape(fn, 'a', a, [null, null], '[D, D]');
  const [D, D2] = a.shape as [number, number];
  if (D !== D2) throw shapeError(fn, 'a', [D, D], a.shape);
  const scale = a.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  for (let i = 0; i < D; i++) {
    for (let j = i + 1; j < D; j++) {
      const [x, y] = [a.data[i * D + j]!, a.data[j * D + i]!];
      if (!(Math.abs(x - y) <= 1e-10 * scale)) {
        throw new RangeError(`${fn}: 'a' must be symmetric, but a[${i}, ${j}] = ${x} and a[${j}, ${i}] = ${y} (shape ${formatShape(a.shape)})`);
      }
    }
  }
  // Work on the symmetrized copy; v accumulates the rotations, so A = V · diag · Vᵀ throughout.
  const m = new Float64Array(D * D);
  for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) m[i * D + j] = 0.5 * (a.data[i * D + j]! + a.data[j * D + i]!);
  const v = new Float64Array(D * D);
  for (let i = 0; i < D; i++) v[i * D + i] = 1;
  const norm = Math.sqrt(m.reduce((s, x) => s + x * x, 0));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < D; p++) for (let q = p + 1; q < D; q++) off += m[p * D + q]! ** 2;
    if (Math.sqrt(2 * off) <= 1e-15 * norm) break;
    for (let p = 0; p < D; p++) {
      for (let q = p + 1; q < D; q++) {
        const apq = m[p * D + q]!;
        if (apq === 0) continue;
        // The rotation angle θ with tan 2θ = 2 a_pq / (a_qq − a_pp); t = tan θ, the smaller root.
        const theta = (m[q * D + q]! - m[p * D + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < D; k++) {
          // Columns p and q of M, then rows p and q: M ← Jᵀ M J.
          const mkp = m[k * D + p]!;
          const mkq = m[k * D + q]!;
          m[k * D + p] = c * mkp - s * mkq;
          m[k * D + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < D; k++) {
          const mpk = m[p * D + k]!;
          const mqk = m[q * D + k]!;
          m[p * D + k] = c * mpk - s * mqk;
          m[q * D + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < D; k++) {
          const vkp = v[k * D + p]!;
          const vkq = v[k * D + q]!;
          v[k * D + p] = c * vkp - s * vkq;
          v[k * D + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: D }, (_, j) => j).sort((i, j) => m[i * D + i]! - m[j * D + j]!);
  const values = new Float64Array(D);
  const vectors = new Float64Array(D * D);
  order.forEach((from, to) => {
    values[to] = m[from * D + from]!;
    let big = 0;
    for (let k = 0; k < D; k++) if (Math.abs(v[k * D + from]!) > Math.abs(v[big * D + from]!)) big = k;
    const sign = v[big * D + from]! < 0 ? -1 : 1;
    for (let k = 0; k < D; k++) vectors[k * D + to] = sign * v[k * D + from]!;
  });
  return { values: { shape: [D], data: values }, vectors: { shape: [D, D], data: vectors } };
}
