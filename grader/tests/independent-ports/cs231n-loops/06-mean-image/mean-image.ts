/**
 * Exercise 06, ported from a loop-style solution: statistics by pairwise sums over each feature's
 * values gathered in image order, the std as √(mean of squared deviations), and a zero std left
 * unscaled.
 */
import { assertShape, describe, formatShape, type Tensor } from '../../lib/index.ts';

export interface Splits {
  train: Tensor;
  val: Tensor;
  test: Tensor;
}
export interface PreprocessOptions {
  center: 'image' | 'channel';
  scale?: 'none' | 'std';
}
export interface Preprocessed {
  train: Tensor;
  val: Tensor;
  test: Tensor;
  mean: Tensor;
  std?: Tensor;
}

function pairwise(v: ArrayLike<number>, lo = 0, hi = v.length): number {
  if (hi - lo <= 3) {
    let s = 0;
    for (let i = lo; i < hi; i++) s += v[i]!;
    return s;
  }
  const mid = (lo + hi) >> 1;
  return pairwise(v, lo, mid) + pairwise(v, mid, hi);
}

function dims(fn: string, arg: string, x: Tensor): [number, number, number, number] {
  assertShape(fn, arg, x, [null, null, null, null], '[N, H, W, C]');
  if (x.shape[0] === 0) throw new RangeError(`${fn}: '${arg}' must hold at least one image, got ${formatShape(x.shape)}`);
  return x.shape as [number, number, number, number];
}

/** The values of each feature (F features, feature of offset k is k mod F), then a statistic of each. */
function perFeature(x: Tensor, F: number, stat: (values: Float64Array, f: number) => number): Float64Array {
  const n = x.data.length / F;
  return Float64Array.from({ length: F }, (_, f) => stat(Float64Array.from({ length: n }, (_, i) => x.data[i * F + f]!), f));
}

export function meanImage(x: Tensor): Tensor {
  const [, H, W, C] = dims('meanImage', 'x', x);
  return { shape: [H, W, C], data: perFeature(x, H * W * C, (v) => pairwise(v) / v.length) };
}

export function channelMean(x: Tensor): Tensor {
  const [, , , C] = dims('channelMean', 'x', x);
  return { shape: [C], data: perFeature(x, C, (v) => pairwise(v) / v.length) };
}

export function subtractMean(x: Tensor, mean: Tensor): Tensor {
  assertShape('subtractMean', 'x', x, [null, null, null, null], '[N, H, W, C]');
  const [, H, W, C] = x.shape as [number, number, number, number];
  const s = mean.shape;
  if (!((s.length === 3 && s[0] === H && s[1] === W && s[2] === C) || (s.length === 1 && s[0] === C))) {
    throw new RangeError(`subtractMean: 'mean' must have shape ${formatShape([H, W, C])} or ${formatShape([C])}, got ${formatShape(s)}`);
  }
  const out = new Float64Array(x.data.length);
  for (let k = 0; k < out.length; k++) out[k] = x.data[k]! - mean.data[k % mean.data.length]!;
  return { shape: [...x.shape], data: out };
}

export function preprocess(splits: Splits, options: PreprocessOptions): Preprocessed {
  const fn = 'preprocess';
  const [, H, W, C] = dims(fn, 'train', splits.train);
  assertShape(fn, 'val', splits.val, [null, H, W, C]);
  assertShape(fn, 'test', splits.test, [null, H, W, C]);
  const scale = options.scale ?? 'none';
  if (options.center !== 'image' && options.center !== 'channel') throw new RangeError(`${fn}: 'center' must be 'image' or 'channel', got ${describe(options.center)}`);
  if (scale !== 'none' && scale !== 'std') throw new RangeError(`${fn}: 'scale' must be 'none' or 'std', got ${describe(scale)}`);
  const mean = options.center === 'image' ? meanImage(splits.train) : channelMean(splits.train);
  const F = mean.data.length;
  let std: Tensor | undefined;
  if (scale === 'std') {
    std = { shape: [...mean.shape], data: perFeature(splits.train, F, (v, f) => Math.sqrt(pairwise(v.map((t) => (t - mean.data[f]!) ** 2)) / v.length)) };
  }
  const apply = (x: Tensor): Tensor => {
    const centred = subtractMean(x, mean);
    if (std === undefined) return centred;
    const s = std.data;
    return { shape: centred.shape, data: centred.data.map((v, k) => (s[k % F]! === 0 ? v : v / s[k % F]!)) };
  };
  const out: Preprocessed = { train: apply(splits.train), val: apply(splits.val), test: apply(splits.test), mean };
  if (std !== undefined) out.std = std;
  return out;
}
