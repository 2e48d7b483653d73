/**
 * Exercise 06, ported from a numpy solution: mean_image = np.mean(X_train, axis=0), the channel
 * mean X.mean(axis=(0, 1, 2)), broadcasting subtraction, and X_train.std(axis=…) with
 * std[std == 0] = 1 for features that are constant on the training set.
 */
import { assertShape, describe, formatShape, map, mean, sqrt, sub, div, variance, type Tensor } from '../../lib/index.ts';

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

function images(fn: string, arg: string, x: Tensor): void {
  assertShape(fn, arg, x, [null, null, null, null], '[N, H, W, C]');
  if (x.shape[0] === 0) throw new RangeError(`${fn}: '${arg}' must hold at least one image, got ${formatShape(x.shape)}`);
}

export function meanImage(x: Tensor): Tensor {
  images('meanImage', 'x', x);
  return mean(x, 0);
}

export function channelMean(x: Tensor): Tensor {
  images('channelMean', 'x', x);
  return mean(x, [0, 1, 2]);
}

export function subtractMean(x: Tensor, m: Tensor): Tensor {
  assertShape('subtractMean', 'x', x, [null, null, null, null], '[N, H, W, C]');
  const [, H, W, C] = x.shape as [number, number, number, number];
  const ok = (m.shape.length === 3 && m.shape[0] === H && m.shape[1] === W && m.shape[2] === C) || (m.shape.length === 1 && m.shape[0] === C);
  if (!ok) throw new RangeError(`subtractMean: 'mean' must have shape ${formatShape([H, W, C])} or ${formatShape([C])}, got ${formatShape(m.shape)}`);
  return sub(x, m); // broadcasts over the leading axes
}

export function preprocess(splits: Splits, options: PreprocessOptions): Preprocessed {
  const fn = 'preprocess';
  images(fn, 'train', splits.train);
  const [, H, W, C] = splits.train.shape as [number, number, number, number];
  assertShape(fn, 'val', splits.val, [null, H, W, C]);
  assertShape(fn, 'test', splits.test, [null, H, W, C]);
  const { center, scale = 'none' } = options;
  if (center !== 'image' && center !== 'channel') throw new RangeError(`${fn}: 'center' must be 'image' or 'channel', got ${describe(center)}`);
  if (scale !== 'none' && scale !== 'std') throw new RangeError(`${fn}: 'scale' must be 'none' or 'std', got ${describe(scale)}`);
  const axes = center === 'image' ? [0] : [0, 1, 2];
  const m = mean(splits.train, axes);
  if (scale === 'none') return { train: sub(splits.train, m), val: sub(splits.val, m), test: sub(splits.test, m), mean: m };
  const std = sqrt(variance(splits.train, axes));
  const safe = map(std, (s) => (s === 0 ? 1 : s)); // std[std == 0] = 1
  const apply = (x: Tensor): Tensor => div(sub(x, m), safe);
  return { train: apply(splits.train), val: apply(splits.val), test: apply(splits.test), mean: m, std };
}
