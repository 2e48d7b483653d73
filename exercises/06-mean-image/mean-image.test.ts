/**
 * Public tests for exercise 06 — mean image and per-channel mean.
 * Run: npm test exercises/06-mean-image
 *
 * Order: shapes → values against fixtures → properties → bad input. (Nothing here has a gradient
 * to check.) Expected statistics in the property tests come from lib's `mean` and `variance`, not
 * from your own functions.
 */
import { describe, expect, test } from 'vitest';
import { add, clone, createRng, full, map, mean, ones, randn, sqrt, sub, div, variance, zeros, type Tensor } from '../../lib/index.ts';
import { expectInputError } from '../../lib/testing/errors.ts';
import { loadFixture } from '../../lib/testing/fixtures.ts';
// The tolerance (and why a correct implementation cannot miss it) and the fixture-driven value
// tests live in lib/testing/checks/06-mean-image.ts.
import { TOL, valueTests, type MeanImageModule } from '../../lib/testing/checks/06-mean-image.ts';
import * as meanImageModule from './mean-image.ts';
import { channelMean, meanImage, preprocess, subtractMean, type PreprocessOptions } from './mean-image.ts';

const fixture = loadFixture('06-mean-image');

const rng = createRng('06-mean-image/public-tests');

/** N images [H, W, C] whose channel c sits around 10·(c + 1) and whose pixels differ, plus `shift`. */
function images(N: number, H: number, W: number, C: number, shift = 0): Tensor {
  return map(randn([N, H, W, C], rng), (v, k) => v + 10 * ((k % C) + 1) + 3 * (Math.floor(k / C) % W) - Math.floor(k / (C * W)) % H + shift);
}

const IMAGE_AXES = [0];
const CHANNEL_AXES = [0, 1, 2];

describe('shapes', () => {
  const x = images(5, 3, 4, 2);

  test('meanImage › [N, H, W, C] gives [H, W, C] (here H ≠ W)', () => {
    expect(meanImage(x)).toHaveShape([3, 4, 2], 'meanImage');
  });

  test('channelMean › [N, H, W, C] gives [C]', () => {
    expect(channelMean(x)).toHaveShape([2], 'channelMean');
  });

  test('subtractMean › keeps the shape of x, with a [H, W, C] mean and with a [C] mean', () => {
    expect(subtractMean(x, zeros([3, 4, 2]))).toHaveShape([5, 3, 4, 2], 'out');
    expect(subtractMean(x, zeros([2]))).toHaveShape([5, 3, 4, 2], 'out');
  });

  test("preprocess › keeps each split's shape; mean (and std) are [H, W, C] for 'image' and [C] for 'channel'", () => {
    const splits = { train: x, val: images(2, 3, 4, 2), test: images(1, 3, 4, 2) };
    const byImage = preprocess(splits, { center: 'image', scale: 'std' });
    expect(byImage.train).toHaveShape([5, 3, 4, 2], 'train');
    expect(byImage.val).toHaveShape([2, 3, 4, 2], 'val');
    expect(byImage.test).toHaveShape([1, 3, 4, 2], 'test');
    expect(byImage.mean).toHaveShape([3, 4, 2], "mean with center 'image'");
    expect(byImage.std).toHaveShape([3, 4, 2], "std with center 'image'");
    const byChannel = preprocess(splits, { center: 'channel', scale: 'std' });
    expect(byChannel.mean).toHaveShape([2], "mean with center 'channel'");
    expect(byChannel.std).toHaveShape([2], "std with center 'channel'");
  });
});

describe('values', () => {
  valueTests(fixture, meanImageModule as unknown as MeanImageModule);
});

describe('properties', () => {
  test('meanImage › is the average over the images only: each pixel and channel keeps its own mean', () => {
    const x = images(6, 2, 3, 3);
    expect(meanImage(x)).toBeAllClose(mean(x, IMAGE_AXES), { ...TOL, what: 'meanImage' });
  });

  test('channelMean › equals the mean image averaged over H and W', () => {
    const x = images(4, 3, 5, 2);
    expect(channelMean(x)).toBeAllClose(mean(meanImage(x), [0, 1]), { ...TOL, what: 'channelMean vs the mean of meanImage over H, W' });
  });

  test('channelMean › images whose channels are constant (1, 2, 3) give [1, 2, 3]: channels are the last axis', () => {
    const x = map(zeros([3, 2, 4, 3]), (_, k) => (k % 3) + 1);
    expect(channelMean(x)).toBeAllClose([1, 2, 3], { ...TOL, what: 'channelMean' });
  });

  test.for([
    ['image', IMAGE_AXES],
    ['channel', CHANNEL_AXES],
  ] as const)("preprocess › center '%s': the training split comes out with mean 0 per feature", ([center, axes]) => {
    const out = preprocess({ train: images(7, 3, 2, 3), val: images(2, 3, 2, 3), test: images(2, 3, 2, 3) }, { center });
    expect(mean(out.train, [...axes])).toBeAllClose(zeros(center === 'image' ? [3, 2, 3] : [3]), { rtol: 0, atol: 1e-12, what: 'mean of the centred training split' });
  });

  test.for([
    ['image', IMAGE_AXES],
    ['channel', CHANNEL_AXES],
  ] as const)("preprocess › center '%s': val and test are centred with the training mean, not their own", ([center, axes]) => {
    const train = images(6, 2, 3, 2);
    // val and test are 5 brighter than train: centred with the training mean, they stay ~5 above 0.
    const val = images(3, 2, 3, 2, 5);
    const test = images(4, 2, 3, 2, 5);
    const trainMean = mean(train, [...axes]);
    const out = preprocess({ train, val, test }, { center });
    expect(out.mean).toBeAllClose(trainMean, { ...TOL, what: 'mean (must be the training mean)' });
    expect(out.val).toBeAllClose(sub(val, trainMean), { ...TOL, what: 'val (val − training mean)' });
    expect(out.test).toBeAllClose(sub(test, trainMean), { ...TOL, what: 'test (test − training mean)' });
    const valMean = mean(out.val, [...axes]);
    expect(Math.min(...valMean.data), 'the mean of centred val: ~5, since val is brighter than train').toBeGreaterThan(2);
  });

  test("preprocess › scale 'std' divides by the population std: two training images 1 and 3 become −1 and +1", () => {
    const train = { shape: [2, 1, 2, 1], data: Float64Array.of(1, 1, 3, 3) };
    const out = preprocess({ train, val: full([1, 1, 2, 1], 4), test: full([1, 1, 2, 1], 0) }, { center: 'image', scale: 'std' });
    // mean 2, population std √(((1 − 2)² + (3 − 2)²) / 2) = 1; divided by N − 1 it would be √2.
    expect(out.std).toBeAllClose([[[1], [1]]], { ...TOL, what: 'std' });
    expect(out.train).toBeAllClose([[[[-1], [-1]]], [[[1], [1]]]], { ...TOL, what: 'train' });
    expect(out.val).toBeAllClose([[[[2], [2]]]], { ...TOL, what: 'val ((4 − 2) / 1)' });
    expect(out.test).toBeAllClose([[[[-2], [-2]]]], { ...TOL, what: 'test ((0 − 2) / 1)' });
  });

  test.for([
    ['image', IMAGE_AXES],
    ['channel', CHANNEL_AXES],
  ] as const)("preprocess › center '%s', scale 'std': training features get std 1, val and test use the training std", ([center, axes]) => {
    const train = map(images(8, 2, 2, 3), (v, k) => v * (1 + (k % 3)));
    const val = images(3, 2, 2, 3, 1);
    const test = images(2, 2, 2, 3, -1);
    const trainMean = mean(train, [...axes]);
    const trainStd = sqrt(variance(train, [...axes]));
    const out = preprocess({ train, val, test }, { center, scale: 'std' });
    expect(out.std).toBeAllClose(trainStd, { ...TOL, what: 'std (population std of the training split)' });
    expect(sqrt(variance(out.train, [...axes]))).toBeAllClose(ones(trainStd.shape), { ...TOL, what: 'std of the scaled training split' });
    expect(out.val).toBeAllClose(div(sub(val, trainMean), trainStd), { ...TOL, what: 'val ((val − training mean) / training std)' });
    expect(out.test).toBeAllClose(div(sub(test, trainMean), trainStd), { ...TOL, what: 'test ((test − training mean) / training std)' });
  });

  test('preprocess › a channel that is constant in the training set has std 0: it is centred, not scaled, and never NaN', () => {
    // Channel 0 is 6 in every training image; channels 1 and 2 vary. 16 values of 6: the mean is
    // exactly 6 and the std exactly 0 however the sums are ordered.
    const train = map(images(4, 2, 2, 3), (v, k) => (k % 3 === 0 ? 6 : v));
    const val = images(2, 2, 2, 3);
    const out = preprocess({ train, val, test: val }, { center: 'channel', scale: 'std' });
    expect(out.std?.data[0], 'std of the constant channel').toBe(0);
    expect(out.train).toBeAllClose(map(train, (v, k) => (k % 3 === 0 ? 0 : out.train.data[k]!)), { rtol: 0, atol: 0, what: 'train (constant channel → 0)' });
    expect(out.val).toBeAllClose(
      map(val, (v, k) => (k % 3 === 0 ? v - 6 : out.val.data[k]!)),
      { ...TOL, what: 'val (constant channel centred, not scaled)' },
    );
  });

  test('subtractMean › never mutates x or mean', () => {
    const x = images(3, 2, 2, 2);
    const m = randn([2, 2, 2], rng);
    const c = randn([2], rng);
    const before = [x, m, c].map(clone);
    subtractMean(x, m);
    subtractMean(x, c);
    [x, m, c].forEach((t, i) => expect(t.data).toEqual(before[i]!.data));
  });

  test('preprocess › never mutates the splits', () => {
    const splits = { train: images(4, 2, 3, 2), val: images(2, 2, 3, 2), test: images(2, 2, 3, 2) };
    const before = [splits.train, splits.val, splits.test].map(clone);
    preprocess(splits, { center: 'image', scale: 'std' });
    preprocess(splits, { center: 'channel' });
    [splits.train, splits.val, splits.test].forEach((t, i) => expect(t.data).toEqual(before[i]!.data));
  });

  test('subtractMean › a [C] mean and the [H, W, C] image holding it at every pixel give the same result', () => {
    const x = images(2, 3, 2, 4);
    const c = randn([4], rng);
    const tiled = add(zeros([3, 2, 4]), c);
    expect(subtractMean(x, c)).toBeAllClose(subtractMean(x, tiled), { ...TOL, what: 'x − channel mean' });
  });
});

describe('bad input', () => {
  const x = images(2, 4, 5, 3);

  test("meanImage › an 'x' that is not [N, H, W, C] is a RangeError", () => {
    expectInputError(() => meanImage(zeros([4, 5, 3])), { fn: 'meanImage', arg: 'x', shapes: [[4, 5, 3]] });
  });

  test("channelMean › an 'x' that is not [N, H, W, C] is a RangeError", () => {
    expectInputError(() => channelMean(zeros([6, 3])), { fn: 'channelMean', arg: 'x', shapes: [[6, 3]] });
  });

  test("subtractMean › a 'mean' that is neither [H, W, C] nor [C] is a RangeError naming both shapes", () => {
    expectInputError(() => subtractMean(x, zeros([4, 3])), { fn: 'subtractMean', arg: 'mean', shapes: [[4, 5, 3], [4, 3]] });
    expectInputError(() => subtractMean(x, zeros([4])), { fn: 'subtractMean', arg: 'mean', shapes: [[3], [4]] });
  });

  test("preprocess › a 'val' whose H, W or C differ from train's is a RangeError", () => {
    expectInputError(() => preprocess({ train: x, val: zeros([3, 4, 4, 3]), test: x }, { center: 'image' }), { fn: 'preprocess', arg: 'val', shapes: [[3, 4, 4, 3]] });
  });

  test("preprocess › a 'test' with another number of channels is a RangeError", () => {
    expectInputError(() => preprocess({ train: x, val: x, test: zeros([1, 4, 5, 1]) }, { center: 'channel' }), { fn: 'preprocess', arg: 'test', shapes: [[1, 4, 5, 1]] });
  });

  test("preprocess › an unknown 'center' is a RangeError", () => {
    const options = { center: 'pixel' } as unknown as PreprocessOptions;
    expectInputError(() => preprocess({ train: x, val: x, test: x }, options), { fn: 'preprocess', arg: 'center' });
  });
});
