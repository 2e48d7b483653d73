/**
 * The affine (fully connected) layer: every output is a weighted sum of every input, plus a bias.
 */
import { assertShape, assertTensor, formatShape, type Tensor } from '../lib/index.ts';
import { gemm, gemmTransA, gemmTransB } from '../lib/kernels/matmul.ts';

/** What `affineBackward` needs: the input (as rows) and the weights. */
export interface AffineCache {
  /** The input flattened to rows, `[N, D]`. */
  x: Tensor;
  /** The input's original shape `[N, d₁, …, d_k]`, so `dx` comes back in it. */
  xShape: readonly number[];
  /** `[D, M]`. */
  w: Tensor;
}

/**
 * Affine forward: `out = x · W + b`, each sample's features flattened into one row first
 * (CS231n's `affine_forward`: an image `[N, C, H, W]` becomes `[N, C·H·W]`).
 *
 *   out_ij = Σ_d x_id W_dj + b_j
 *
 * @param x `[N, d₁, …, d_k]` with `D = d₁ · … · d_k`.
 * @param w `[D, M]` weights.
 * @param b `[M]` biases.
 * @returns `{ out [N, M], cache }`.
 * @throws RangeError when the shapes do not fit together.
 */
export function affineForward(x: Tensor, w: Tensor, b: Tensor): { out: Tensor; cache: AffineCache } {
  const fn = 'affineForward';
  assertTensor(fn, 'x', x);
  if (x.shape.length < 2) throw new RangeError(`${fn}: 'x' must have at least 2 dimensions [N, D, …], got ${formatShape(x.shape)}`);
  const N = x.shape[0]!;
  const D = N === 0 ? x.shape.slice(1).reduce((p, d) => p * d, 1) : x.data.length / N;
  assertShape(fn, 'w', w, [D, null], '[D, M]');
  const M = w.shape[1]!;
  assertShape(fn, 'b', b, [M]);
  const out = new Float64Array(N * M);
  gemm(N, M, D, x.data, w.data, out);
  for (let i = 0; i < N; i++) for (let j = 0; j < M; j++) out[i * M + j]! += b.data[j]!;
  return { out: { shape: [N, M], data: out }, cache: { x: { shape: [N, D], data: x.data }, xShape: [...x.shape], w } };
}

/**
 * Affine backward, from `out = x · W + b`:
 *
 *   dx = dout · Wᵀ  (reshaped to x's shape),   dW = xᵀ · dout,   db = Σ_i dout_i
 *
 * @param dout `[N, M]` upstream gradient.
 * @param cache what `affineForward` returned.
 * @returns `{ dx [N, d₁, …, d_k], dw [D, M], db [M] }`.
 */
export function affineBackward(dout: Tensor, cache: AffineCache): { dx: Tensor; dw: Tensor; db: Tensor } {
  const { dw, db } = affineWeightGradients(dout, cache);
  const [N, D] = cache.x.shape as [number, number];
  const M = cache.w.shape[1]!;
  const dx = new Float64Array(N * D);
  gemmTransB(N, D, M, dout.data, cache.w.data, dx);
  return { dx: { shape: [...cache.xShape], data: dx }, dw, db };
}

/**
 * The parameter half of `affineBackward`: `dW = xᵀ · dout`, `db = Σ_i dout_i`, without `dx`.
 * A network's first layer needs no gradient for its input (the data), and skipping that product
 * saves a fifth of a training step of a 784-512-512-10 net.
 *
 * @returns `{ dw [D, M], db [M] }`.
 */
export function affineWeightGradients(dout: Tensor, cache: AffineCache): { dw: Tensor; db: Tensor } {
  const { x, w } = cache;
  const [N, D] = x.shape as [number, number];
  const M = w.shape[1]!;
  assertShape('affineBackward', 'dout', dout, [N, M]);
  const dw = new Float64Array(D * M);
  gemmTransA(D, M, N, x.data, dout.data, dw);
  const db = new Float64Array(M);
  for (let i = 0; i < N; i++) for (let j = 0; j < M; j++) db[j]! += dout.data[i * M + j]!;
  return { dw: { shape: [D, M], data: dw }, db: { shape: [M], data: db } };
}
