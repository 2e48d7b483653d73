/**
 * Max pooling, CS231n's `max_pool_forward` / `max_pool_backward`: each window passes on its
 * largest value, and in backward the gradient flows only to that one input.
 */
import { assertShape, type Tensor } from '../lib/index.ts';
import { outputSize } from './conv.ts';

export interface PoolParams {
  /** Window height. */
  poolHeight: number;
  /** Window width. */
  poolWidth: number;
  /** Step between windows. */
  stride: number;
}

/** What `maxPoolBackward` needs: where each maximum came from. */
export interface PoolCache {
  /** For each output element, the flat offset in `x` of its window's maximum, `[N·C·Ho·Wo]`. */
  argmax: Int32Array;
  xShape: readonly number[];
  outShape: readonly number[];
}

/**
 * Max pooling forward:
 *
 *   out[n, c, oy, ox] = max_{ky < PH, kx < PW} x[n, c, oy·s + ky, ox·s + kx]
 *
 * NOTE: on ties the first maximum in row-major window order wins and alone gets the gradient.
 *
 * @param x `[N, C, H, W]`.
 * @returns `{ out [N, C, Ho, Wo], cache }` with `Ho = 1 + (H − PH) / s`, `Wo = 1 + (W − PW) / s`.
 * @throws RangeError when the windows do not tile the input exactly.
 */
export function maxPoolForward(x: Tensor, params: PoolParams): { out: Tensor; cache: PoolCache } {
  const fn = 'maxPoolForward';
  assertShape(fn, 'x', x, [null, null, null, null], '[N, C, H, W]');
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const { poolHeight: PH, poolWidth: PW, stride } = params;
  for (const [name, v] of [['poolHeight', PH], ['poolWidth', PW], ['stride', stride]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${fn}: '${name}' must be a positive integer, got ${String(v)}`);
  }
  const Ho = outputSize(fn, H, PH, stride, 0);
  const Wo = outputSize(fn, W, PW, stride, 0);
  const out = new Float64Array(N * C * Ho * Wo);
  const argmax = new Int32Array(out.length);
  let o = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++, o++) {
        let best = -Infinity;
        let where = base + oy * stride * W + ox * stride;
        for (let ky = 0; ky < PH; ky++) {
          const row = base + (oy * stride + ky) * W + ox * stride;
          for (let kx = 0; kx < PW; kx++) {
            if (x.data[row + kx]! > best) {
              best = x.data[row + kx]!;
              where = row + kx;
            }
          }
        }
        out[o] = x.data[where]!;
        argmax[o] = where;
      }
    }
  }
  return { out: { shape: [N, C, Ho, Wo], data: out }, cache: { argmax, xShape: [...x.shape], outShape: [N, C, Ho, Wo] } };
}

/**
 * Max pooling backward: `dx[argmax of window] += dout[window]`, zero elsewhere.
 *
 * @param dout `[N, C, Ho, Wo]` upstream gradient.
 * @returns `dx [N, C, H, W]`.
 */
export function maxPoolBackward(dout: Tensor, cache: PoolCache): Tensor {
  const { argmax, xShape, outShape } = cache;
  assertShape('maxPoolBackward', 'dout', dout, outShape);
  const dx = new Float64Array(xShape.reduce((p, d) => p * d, 1));
  for (let o = 0; o < argmax.length; o++) dx[argmax[o]!]! += dout.data[o]!;
  return { shape: [...xShape], data: dx };
}
