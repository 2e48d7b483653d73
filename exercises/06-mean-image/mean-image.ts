// Your work goes here: replace each `throw new NotImplementedError(...)` with your implementation.
// Run this exercise's tests with `npm test <this folder>`; the README next to this file is the brief.
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
import { assertShape, assertTensor, describe, formatShape, NotImplementedError, shapeError, type Tensor } from '../../lib/index.ts';

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
  // TODO: check x is [N, H, W, C] with N ≥ 1 (assertShape from lib; a RangeError naming 'x').
  throw new NotImplementedError('meanImage', 'exercises/06-mean-image/mean-image.ts');
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
  // TODO: check x is [N, H, W, C] with N ≥ 1.
  throw new NotImplementedError('channelMean', 'exercises/06-mean-image/mean-image.ts');
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
  // TODO: check x is [N, H, W, C] and mean is [H, W, C] or [C]; the error names both shapes.
  throw new NotImplementedError('subtractMean', 'exercises/06-mean-image/mean-image.ts');
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
  // TODO: check the shapes (val and test must share train's H, W, C) and the options.
  throw new NotImplementedError('preprocess', 'exercises/06-mean-image/mean-image.ts');
}
