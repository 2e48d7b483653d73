/**
 * Exercise 06 — zero-centring images (independent solution). Images are [N, H, W, C], channels last.
 */
import { assertShape, formatShape, type Tensor } from '../../lib/index.ts';

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

type Dims = [number, number, number, number];

function imagesOf(fn: string, arg: string, x: Tensor, needOne: boolean): Dims {
  assertShape(fn, arg, x, [null, null, null, null], '[N, H, W, C]');
  const dims = x.shape as Dims;
  if (needOne && dims[0] < 1) {
    throw new RangeError(`${fn}: '${arg}' must hold at least one image, got shape ${formatShape(x.shape)}`);
  }
  return dims;
}

/**
 * Averages x over its leading values, grouping element k with statistic k mod `period`:
 * period H·W·C gives the mean image, period C the channel mean.
 */
function periodicMean(data: Float64Array, period: number): Float64Array {
  const acc = new Float64Array(period);
  const count = period === 0 ? 0 : data.length / period;
  for (let k = 0; k < data.length; k++) acc[k % period]! += data[k]!;
  for (let j = 0; j < period; j++) acc[j]! /= count;
  return acc;
}

function periodicStd(data: Float64Array, mu: Float64Array): Float64Array {
  const period = mu.length;
  const acc = new Float64Array(period);
  const count = period === 0 ? 0 : data.length / period;
  for (let k = 0; k < data.length; k++) {
    const d = data[k]! - mu[k % period]!;
    acc[k % period]! += d * d;
  }
  for (let j = 0; j < period; j++) acc[j] = Math.sqrt(acc[j]! / count);
  return acc;
}

export function meanImage(x: Tensor): Tensor {
  const [, H, W, C] = imagesOf('meanImage', 'x', x, true);
  return { shape: [H, W, C], data: periodicMean(x.data, H * W * C) };
}

export function channelMean(x: Tensor): Tensor {
  const [, , , C] = imagesOf('channelMean', 'x', x, true);
  return { shape: [C], data: periodicMean(x.data, C) };
}

function checkMeanShape(fn: string, dims: Dims, m: Tensor, arg = 'mean'): void {
  const [, H, W, C] = dims;
  const s = m.shape;
  const isImage = s.length === 3 && s[0] === H && s[1] === W && s[2] === C;
  const isChannel = s.length === 1 && s[0] === C;
  if (!isImage && !isChannel) {
    throw new RangeError(`${fn}: '${arg}' must have shape ${formatShape([H, W, C])} or ${formatShape([C])}, got ${formatShape(s)}`);
  }
}

/** (x − mean) / std elementwise with periodic broadcasting; std 0 (or no std) leaves a value only centred. */
function normalizePeriodic(x: Float64Array, mu: Float64Array, sd?: Float64Array): Float64Array {
  const period = mu.length;
  const out = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const j = k % period;
    const centred = x[k]! - mu[j]!;
    const s = sd === undefined ? 0 : sd[j]!;
    out[k] = s === 0 ? centred : centred / s;
  }
  return out;
}

export function subtractMean(x: Tensor, mean: Tensor): Tensor {
  const fn = 'subtractMean';
  const dims = imagesOf(fn, 'x', x, false);
  assertShape(fn, 'mean', mean, new Array<null>(mean?.shape?.length ?? 0).fill(null));
  checkMeanShape(fn, dims, mean);
  return { shape: [...x.shape], data: normalizePeriodic(x.data, mean.data) };
}

export function preprocess(splits: Splits, options: PreprocessOptions): Preprocessed {
  const fn = 'preprocess';
  if (typeof splits !== 'object' || splits === null) throw new TypeError(`${fn}: 'splits' must be { train, val, test }`);
  const { train, val, test } = splits;
  const [, H, W, C] = imagesOf(fn, 'train', train, true);
  assertShape(fn, 'val', val, [null, H, W, C], '[N_val, H, W, C]');
  assertShape(fn, 'test', test, [null, H, W, C], '[N_test, H, W, C]');
  if (typeof options !== 'object' || options === null) throw new TypeError(`${fn}: 'options' must be { center, scale? }`);
  const { center } = options;
  const scale = options.scale ?? 'none';
  if (center !== 'image' && center !== 'channel') {
    throw new RangeError(`${fn}: 'center' must be 'image' or 'channel', got ${JSON.stringify(center)}`);
  }
  if (scale !== 'none' && scale !== 'std') {
    throw new RangeError(`${fn}: 'scale' must be 'none' or 'std', got ${JSON.stringify(scale)}`);
  }
  const statShape = center === 'image' ? [H, W, C] : [C];
  const mu = periodicMean(train.data, center === 'image' ? H * W * C : C);
  const sd = scale === 'std' ? periodicStd(train.data, mu) : undefined;
  const apply = (t: Tensor): Tensor => ({ shape: [...t.shape], data: normalizePeriodic(t.data, mu, sd) });
  const result: Preprocessed = {
    train: apply(train),
    val: apply(val),
    test: apply(test),
    mean: { shape: statShape, data: mu },
  };
  if (sd !== undefined) result.std = { shape: [...statShape], data: sd };
  return result;
}
