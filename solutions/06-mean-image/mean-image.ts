/**
 * Exercise 06 — zero-centring images, the preprocessing the lecture recommends for CNNs: compute
 * the mean once on the training set, and subtract that same array from every image, at training
 * and at test time.
 *
 * Shapes: images are `[N, H, W, C]` (N images, H × W pixels, C channels, channels last). Element
 * `[n, h, w, c]` lives at `((n·H + h)·W + w)·C + c`, so a mean of shape `[H, W, C]` repeats every
 * H·W·C numbers and a mean of shape `[C]` every C numbers: `mean[k mod size(mean)]` is the value
 * that goes with `x.data[k]`.
 */
import { assertShape, assertTensor, describe, formatShape, shapeError, type Tensor } from '../../lib/index.ts';

export interface Splits {
  /** Training images `[N, H, W, C]`: the only split statistics are computed from. */
  train: Tensor;
  /** Validation images `[N_val, H, W, C]`. */
  val: Tensor;
  /** Test images `[N_test, H, W, C]`. */
  test: Tensor;
}

export interface PreprocessOptions {
  /** 'image': subtract the mean image `[H, W, C]`; 'channel': subtract one mean per channel `[C]`. */
  center: 'image' | 'channel';
  /** 'std': also divide by the training standard deviation of the same granularity. Default 'none'. */
  scale?: 'none' | 'std';
}

export interface Preprocessed {
  train: Tensor;
  val: Tensor;
  test: Tensor;
  /** The training mean that was subtracted: `[H, W, C]` for 'image', `[C]` for 'channel'. */
  mean: Tensor;
  /** The training (population) std, shape of `mean`, 0 for a constant feature; only when `scale` is 'std'. */
  std?: Tensor;
}

// BEGIN SOLUTION
/** Checks `x` is `[N, H, W, C]` with at least one image, and returns its dimensions. */
function imageDims(fn: string, arg: string, x: unknown): [number, number, number, number] {
  assertShape(fn, arg, x, [null, null, null, null], '[N, H, W, C]');
  const dims = x.shape as [number, number, number, number];
  if (dims[0] === 0) throw shapeError(fn, arg, 'at least one image', x.shape);
  return dims;
}

/**
 * Population std of every feature of `x` around its given `mean` (`[H, W, C]` or `[C]`): the
 * feature of `x.data[k]` is `k mod F`, with `F = size(mean)`.
 */
function featureStd(x: Tensor, mean: Tensor): Tensor {
  const F = mean.data.length;
  const count = x.data.length / F;
  const variance = new Float64Array(F);
  for (let k = 0; k < x.data.length; k++) {
    const d = x.data[k]! - mean.data[k % F]!;
    variance[k % F]! += d * d;
  }
  return { shape: [...mean.shape], data: variance.map((v) => Math.sqrt(v / count)) };
}

/** Divides every feature by its std; a feature with std 0 is left as it is. */
function divideByStd(x: Tensor, std: Tensor): Tensor {
  const F = std.data.length;
  const safe = std.data.map((s) => (s > 0 ? s : 1));
  return { shape: [...x.shape], data: x.data.map((v, k) => v / safe[k % F]!) };
}
// END SOLUTION

/**
 * The mean image: the average of the N images, pixel by pixel and channel by channel.
 *   meanImage(x)[h, w, c] = (1/N) Σ_n x[n, h, w, c]
 *
 * NOTE: average over the images (axis 0) only; every pixel and channel keeps its own mean.
 *
 * @param x `[N, H, W, C]` images, N ≥ 1 (never mutated).
 * @returns `[H, W, C]`.
 * @throws RangeError when x is not `[N, H, W, C]` or holds no image.
 */
export function meanImage(x: Tensor): Tensor {
  // BEGIN SOLUTION
  // TODO: check x is [N, H, W, C] with N ≥ 1 (assertShape from lib; a RangeError naming 'x').
  const [N, H, W, C] = imageDims('meanImage', 'x', x);
  const size = H * W * C;
  const sums = new Float64Array(size);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < size; p++) sums[p]! += x.data[n * size + p]!;
  }
  return { shape: [H, W, C], data: sums.map((s) => s / N) };
  // END SOLUTION
}

/**
 * The per-channel mean: one number per channel, averaged over every image and every pixel.
 *   channelMean(x)[c] = (1/(N·H·W)) Σ_n Σ_h Σ_w x[n, h, w, c]
 * It equals the mean image averaged over H and W.
 *
 * NOTE: channels are the last axis: x.data[k] belongs to channel k mod C.
 *
 * @param x `[N, H, W, C]` images, N ≥ 1 (never mutated).
 * @returns `[C]`.
 * @throws RangeError when x is not `[N, H, W, C]` or holds no image.
 */
export function channelMean(x: Tensor): Tensor {
  // BEGIN SOLUTION
  // TODO: check x is [N, H, W, C] with N ≥ 1.
  const [N, H, W, C] = imageDims('channelMean', 'x', x);
  const sums = new Float64Array(C);
  for (let k = 0; k < x.data.length; k++) sums[k % C]! += x.data[k]!;
  return { shape: [C], data: sums.map((s) => s / (N * H * W)) };
  // END SOLUTION
}

/**
 * Subtracts a mean from every image, broadcasting it over the leading axes:
 *   mean [H, W, C]:  out[n, h, w, c] = x[n, h, w, c] − mean[h, w, c]
 *   mean [C]:        out[n, h, w, c] = x[n, h, w, c] − mean[c]
 *
 * NOTE: return a new tensor; x is the caller's data and must not change.
 *
 * @param x `[N, H, W, C]` images, N ≥ 0 (never mutated).
 * @param mean `[H, W, C]` or `[C]`.
 * @returns `[N, H, W, C]`.
 * @throws RangeError when x is not `[N, H, W, C]`, or mean is neither `[H, W, C]` nor `[C]` (the
 *   message names both shapes).
 */
export function subtractMean(x: Tensor, mean: Tensor): Tensor {
  // BEGIN SOLUTION
  // TODO: check x is [N, H, W, C] and mean is [H, W, C] or [C]; the error names both shapes.
  const fn = 'subtractMean';
  assertShape(fn, 'x', x, [null, null, null, null], '[N, H, W, C]');
  const [, H, W, C] = x.shape as [number, number, number, number];
  assertTensor(fn, 'mean', mean);
  const isImage = mean.shape.length === 3 && mean.shape[0] === H && mean.shape[1] === W && mean.shape[2] === C;
  const isChannel = mean.shape.length === 1 && mean.shape[0] === C;
  if (!isImage && !isChannel) {
    throw new RangeError(`${fn}: 'mean' must have shape ${formatShape([H, W, C])} or ${formatShape([C])}, got ${formatShape(mean.shape)}`);
  }
  const F = mean.data.length;
  return { shape: [...x.shape], data: x.data.map((v, k) => v - mean.data[k % F]!) };
  // END SOLUTION
}

/**
 * Zero-centres (and optionally scales) the three splits with statistics of the TRAINING split:
 *   mean = meanImage(train) for center 'image', channelMean(train) for 'channel'
 *   std  = population std of train around that mean, same granularity (only for scale 'std')
 *   split ↦ (split − mean) / std   for train, val and test alike
 * A feature whose training std is 0 (constant on the training set) is centred but not scaled.
 *
 * NOTE: never compute statistics on val or test: the same training arrays serve all three splits,
 * so val and test are generally not exactly mean 0.
 * NOTE: the std is the population std (divide by the count, not count − 1).
 *
 * @param splits `{ train [N, H, W, C], val [N_val, H, W, C], test [N_test, H, W, C] }`, N ≥ 1
 *   (never mutated).
 * @param options `{ center: 'image' | 'channel', scale?: 'none' | 'std' }`.
 * @returns `{ train, val, test, mean, std? }`: each split keeps its shape; mean (and std, only when
 *   scaling) is `[H, W, C]` or `[C]`.
 * @throws RangeError on splits that are not `[N, H, W, C]`, whose H, W, C differ from train's, an
 *   empty train split, or an unknown center or scale.
 */
export function preprocess(splits: Splits, options: PreprocessOptions): Preprocessed {
  // BEGIN SOLUTION
  // TODO: check the shapes (val and test must share train's H, W, C) and the options.
  const fn = 'preprocess';
  const { train, val, test } = splits;
  const [, H, W, C] = imageDims(fn, 'train', train);
  assertShape(fn, 'val', val, [null, H, W, C]);
  assertShape(fn, 'test', test, [null, H, W, C]);
  const { center, scale = 'none' } = options;
  if (center !== 'image' && center !== 'channel') {
    throw new RangeError(`${fn}: 'center' must be 'image' or 'channel', got ${describe(center)}`);
  }
  if (scale !== 'none' && scale !== 'std') throw new RangeError(`${fn}: 'scale' must be 'none' or 'std', got ${describe(scale)}`);

  const statistic = center === 'image' ? meanImage : channelMean;
  const mean = statistic(train);
  const std = scale === 'std' ? featureStd(train, mean) : undefined;
  const transform = (x: Tensor): Tensor => {
    const centred = subtractMean(x, mean);
    return std === undefined ? centred : divideByStd(centred, std);
  };
  const out = { train: transform(train), val: transform(val), test: transform(test), mean };
  return std === undefined ? out : { ...out, std };
  // END SOLUTION
}
