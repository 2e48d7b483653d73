/**
 * Inverted dropout (Srivastava et al., 2014): in training, keep each unit with probability p and
 * scale the survivors by 1/p, so the expected activation is unchanged and test time needs nothing.
 */
import { assertShape, assertTensor, type Rng, type Tensor } from '../lib/index.ts';

/** What `dropoutBackward` needs: the scaled mask (0 or 1/p), or null in test mode. */
export interface DropoutCache {
  mask: Float64Array | null;
  shape: readonly number[];
}

export interface DropoutParams {
  /** 'train' drops units; 'test' is the identity. */
  mode: 'train' | 'test';
  /** p: the probability of keeping a unit, in (0, 1]. 1 means no dropout. */
  keepRatio: number;
  /** Draws the mask, one `uniform()` per element in row-major order. */
  rng: Rng;
}

/**
 * Dropout forward:
 *
 *   train: mask_i = [u_i < p] / p,  out = x ⊙ mask      test: out = x
 *
 * NOTE: this is CS231n's convention, where `p` is the keep probability (not the drop probability).
 *
 * @param x any shape.
 * @returns `{ out (shape of x), cache }`.
 * @throws RangeError when `keepRatio` is not in (0, 1] or the mode is unknown.
 */
export function dropoutForward(x: Tensor, params: DropoutParams): { out: Tensor; cache: DropoutCache } {
  const fn = 'dropoutForward';
  assertTensor(fn, 'x', x);
  const { mode, keepRatio: p, rng } = params;
  if (!(p > 0 && p <= 1)) throw new RangeError(`${fn}: 'keepRatio' must be in (0, 1], got ${String(p)}`);
  if (mode !== 'train' && mode !== 'test') throw new RangeError(`${fn}: 'mode' must be 'train' or 'test', got ${String(mode)}`);
  if (mode === 'test' || p === 1) return { out: { shape: [...x.shape], data: x.data.slice() }, cache: { mask: null, shape: [...x.shape] } };
  const mask = new Float64Array(x.data.length);
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < mask.length; i++) {
    mask[i] = rng.uniform() < p ? 1 / p : 0;
    out[i] = x.data[i]! * mask[i]!;
  }
  return { out: { shape: [...x.shape], data: out }, cache: { mask, shape: [...x.shape] } };
}

/**
 * Dropout backward: `dx = dout ⊙ mask` (the identity in test mode).
 *
 * @param dout upstream gradient, the shape of the forward pass's `x`.
 * @returns `dx`, the shape of `dout`.
 */
export function dropoutBackward(dout: Tensor, cache: DropoutCache): Tensor {
  assertShape('dropoutBackward', 'dout', dout, cache.shape);
  const { mask } = cache;
  if (mask === null) return { shape: [...dout.shape], data: dout.data.slice() };
  return { shape: [...dout.shape], data: dout.data.map((g, i) => g * mask[i]!) };
}
