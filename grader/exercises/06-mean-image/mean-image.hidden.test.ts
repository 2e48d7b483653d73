/**
 * Hidden suite for exercise 06 — mean image and per-channel mean. Never shipped to students.
 * Titles are `fn › case-id: description`; the grader reports hidden failures by id and kind only.
 * Expected statistics come from lib's `mean` / `variance` or from the reference, never from the
 * submission's own functions.
 */
import { describe, expect, test } from 'vitest';
import { add, clone, div, map, mean, ones, randn, sqrt, sub, variance, zeros, type Rng, type Tensor } from '../../../lib/index.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { casesFor, loadFixture, titled } from '../../../lib/testing/fixtures.ts';
import { channelMean, meanImage, preprocess, subtractMean, type PreprocessOptions, type Preprocessed } from '../../../exercises/06-mean-image/mean-image.ts';
import * as reference from '../../../solutions/06-mean-image/mean-image.ts';
import { images, scene } from './fixtures.ts';
import { variantRng } from '../variants.ts';

const fixture = loadFixture('06-mean-image', 'hidden');
/** Same tolerance as the public suite: another summation order costs ~1e-14; real mistakes ≥ 1e-2. */
const TOL = { rtol: 1e-7, atol: 1e-10 };
const AXES = { image: [0], channel: [0, 1, 2] } as const;

/** Images whose channels have means 10·(c + 1) + shift and spreads `spreads[c]` (default 1). */
function channelImages(rng: Rng, N: number, H: number, W: number, C: number, shift = 0, spreads: readonly number[] = []): Tensor {
  return map(randn([N, H, W, C], rng), (v, k) => (spreads[k % C] ?? 1) * v + 10 * ((k % C) + 1) + shift);
}

describe('shapes', () => {
  test('meanImage › shape-single-pixel: [7, 1, 1, 4] gives [1, 1, 4]', () => {
    expect(meanImage(randn([7, 1, 1, 4], variantRng('06-mean-image/single-pixel'))).shape).toEqual([1, 1, 4]);
  });

  test('channelMean › shape-greyscale: [3, 5, 2, 1] gives [1]', () => {
    expect(channelMean(randn([3, 5, 2, 1], variantRng('06-mean-image/greyscale'))).shape).toEqual([1]);
  });

  test('subtractMean › shape-empty-batch: an empty batch [0, 3, 2, 2] stays [0, 3, 2, 2]', () => {
    const out = subtractMean({ shape: [0, 3, 2, 2], data: new Float64Array(0) }, ones([2]));
    expect(out.shape).toEqual([0, 3, 2, 2]);
    expect(out.data.length).toBe(0);
  });

  test('preprocess › shape-uneven-splits: train of 1, val of 5 and an empty test keep their own N', () => {
    const rng = variantRng('06-mean-image/uneven');
    const out = preprocess({ train: randn([1, 2, 3, 2], rng), val: randn([5, 2, 3, 2], rng), test: zeros([0, 2, 3, 2]) }, { center: 'image', scale: 'std' });
    expect([out.train.shape, out.val.shape, out.test.shape]).toEqual([
      [1, 2, 3, 2],
      [5, 2, 3, 2],
      [0, 2, 3, 2],
    ]);
  });
});

describe('values', () => {
  const statistics = [...casesFor<{ x: Tensor }, { mean: Tensor }>(fixture, 'meanImage'), ...casesFor<{ x: Tensor }, { mean: Tensor }>(fixture, 'channelMean')];
  test.for(titled(statistics))('%s', ([, { fn, args, expected }]) => {
    const statistic = fn === 'meanImage' ? meanImage : channelMean;
    expect(statistic(args.x)).toBeAllClose(expected.mean, { ...TOL, what: fn });
  });

  test.for(titled(casesFor<{ x: Tensor; mean: Tensor }, { out: Tensor }>(fixture, 'subtractMean')))('%s', ([, { args, expected }]) => {
    expect(subtractMean(args.x, args.mean)).toBeAllClose(expected.out, { ...TOL, what: 'out' });
  });

  type PreprocessArgs = { train: Tensor; val: Tensor; test: Tensor; options: PreprocessOptions };
  test.for(titled(casesFor<PreprocessArgs, Preprocessed>(fixture, 'preprocess')))('%s', ([, { args, expected }]) => {
    const got = preprocess({ train: args.train, val: args.val, test: args.test }, args.options);
    expect(got.mean).toBeAllClose(expected.mean, { ...TOL, what: 'mean' });
    if (expected.std) expect(got.std).toBeAllClose(expected.std, { ...TOL, what: 'std' });
    expect(got.train).toBeAllClose(expected.train, { ...TOL, what: 'train' });
    expect(got.val).toBeAllClose(expected.val, { ...TOL, what: 'val' });
    expect(got.test).toBeAllClose(expected.test, { ...TOL, what: 'test' });
  });
});

describe('properties', () => {
  test.for(['image', 'channel'] as const)('preprocess › train-mean-zero-%s: a [60, 4, 4, 3] training set, centred, has mean 0 per feature', (center) => {
    const rng = variantRng(`06-mean-image/train-mean-zero-${center}`);
    const train = images(rng, 60, scene(rng, 4, 4, 3, 10));
    const out = preprocess({ train, val: train, test: train }, { center });
    const zerosOfShape = zeros(center === 'image' ? [4, 4, 3] : [3]);
    expect(mean(out.train, [...AXES[center]])).toBeAllClose(zerosOfShape, { rtol: 0, atol: 1e-9, what: 'mean of the centred training split' });
  });

  test.for(['image', 'channel'] as const)('preprocess › val-offset-kept-%s: centred val keeps its offset from train (mean(val) − mean(train))', (center) => {
    const rng = variantRng(`06-mean-image/val-offset-${center}`);
    const sc = scene(rng, 3, 2, 2);
    const train = images(rng, 10, sc);
    const val = images(rng, 4, map(sc, (v) => v - 7));
    const testSet = images(rng, 3, map(sc, (v) => v + 3));
    const axes = [...AXES[center]];
    const out = preprocess({ train, val, test: testSet }, { center });
    expect(mean(out.val, axes)).toBeAllClose(sub(mean(val, axes), mean(train, axes)), { ...TOL, what: 'mean of centred val' });
    expect(mean(out.test, axes)).toBeAllClose(sub(mean(testSet, axes), mean(train, axes)), { ...TOL, what: 'mean of centred test' });
  });

  test('preprocess › statistics-ignore-val-test: changing val and test changes neither the training output nor mean and std', () => {
    const rng = variantRng('06-mean-image/ignore-val-test');
    const train = channelImages(rng, 6, 2, 3, 2);
    const options: PreprocessOptions = { center: 'channel', scale: 'std' };
    const a = preprocess({ train, val: channelImages(rng, 3, 2, 3, 2), test: channelImages(rng, 2, 2, 3, 2) }, options);
    const b = preprocess({ train, val: channelImages(rng, 5, 2, 3, 2, 40, [9, 9]), test: channelImages(rng, 1, 2, 3, 2, -40) }, options);
    expect(b.mean).toBeAllClose(a.mean, { rtol: 0, atol: 0, what: 'mean' });
    expect(b.std).toBeAllClose(a.std!, { rtol: 0, atol: 0, what: 'std' });
    expect(b.train).toBeAllClose(a.train, { rtol: 0, atol: 0, what: 'train' });
  });

  test('preprocess › statistical-channel-std: 200 training images with channel spreads 0.5, 2, 8 come out with std 1; fresh val images from the same source land near mean 0, std 1', () => {
    const rng = variantRng('06-mean-image/statistical');
    const spreads = [0.5, 2, 8];
    const train = channelImages(rng, 200, 2, 2, 3, 0, spreads);
    const val = channelImages(rng, 200, 2, 2, 3, 0, spreads);
    const out = preprocess({ train, val, test: val }, { center: 'channel', scale: 'std' });
    expect(sqrt(variance(out.train, [0, 1, 2]))).toBeAllClose(ones([3]), { rtol: 1e-9, atol: 0, what: 'std of scaled train per channel' });
    expect(out.std).toBeAllClose(spreads, { rtol: 0.1, atol: 0, what: 'training std per channel (the spreads, to sampling error)' });
    // 800 values per channel: standard errors ≈ 0.035 for the mean and ≈ 0.025 for the std; 0.2 is > 5 of them.
    expect(mean(out.val, [0, 1, 2])).toBeAllClose(zeros([3]), { rtol: 0, atol: 0.2, what: 'mean of scaled val per channel' });
    expect(sqrt(variance(out.val, [0, 1, 2]))).toBeAllClose(ones([3]), { rtol: 0.15, atol: 0, what: 'std of scaled val per channel' });
  });

  test("preprocess › default-no-scaling: without 'scale', the splits are only centred", () => {
    const rng = variantRng('06-mean-image/default-scale');
    const train = channelImages(rng, 5, 2, 2, 2, 0, [4, 0.25]);
    const val = channelImages(rng, 2, 2, 2, 2);
    const out = preprocess({ train, val, test: val }, { center: 'image' });
    const m = mean(train, 0);
    expect(out.train).toBeAllClose(sub(train, m), { ...TOL, what: 'train (centred only)' });
    expect(out.val).toBeAllClose(sub(val, m), { ...TOL, what: 'val (centred only)' });
  });

  test("preprocess › constant-pixel-image-std: one pixel constant in train has std 0 and is centred, not scaled; the others are scaled", () => {
    const rng = variantRng('06-mean-image/constant-pixel');
    // 8 images: a power of two, so the constant's mean is exact in any summation order.
    const train = map(channelImages(rng, 8, 2, 2, 2, 0, [3, 3]), (v, k) => (k % 8 === 5 ? -1.5 : v));
    const val = channelImages(rng, 3, 2, 2, 2);
    const out = preprocess({ train, val, test: val }, { center: 'image', scale: 'std' });
    const m = mean(train, 0);
    const s = sqrt(variance(train, 0));
    const expected = map(sub(val, m), (v, k) => (k % 8 === 5 ? v : v / s.data[k % 8]!));
    expect(out.std?.data[5], 'std of the constant pixel-channel').toBe(0);
    expect(out.val).toBeAllClose(expected, { ...TOL, what: 'val' });
    expect(out.train).toBeAllClose(div(sub(train, m), map(s, (v) => (v > 0 ? v : 1))), { ...TOL, what: 'train' });
  });

  test('channelMean › equals-mean-of-mean-image: on [5, 3, 7, 2] images the channel mean is the mean image averaged over H, W', () => {
    const rng = variantRng('06-mean-image/channel-vs-image');
    const x = images(rng, 5, scene(rng, 3, 7, 2));
    expect(channelMean(x)).toBeAllClose(mean(mean(x, 0), [0, 1]), { ...TOL, what: 'channelMean' });
  });

  test('subtractMean › channel-vs-tiled: a [C] mean equals the [H, W, C] image that repeats it', () => {
    const rng = variantRng('06-mean-image/tiled');
    const x = randn([3, 2, 5, 3], rng);
    const c = randn([3], rng);
    expect(subtractMean(x, c)).toBeAllClose(subtractMean(x, add(zeros([2, 5, 3]), c)), { ...TOL, what: 'out' });
  });

  test('preprocess › splits-untouched: the splits are unchanged, and mutating the result leaves them unchanged too', () => {
    const rng = variantRng('06-mean-image/untouched');
    const splits = { train: randn([4, 2, 2, 3], rng), val: randn([2, 2, 2, 3], rng), test: randn([3, 2, 2, 3], rng) };
    const before = [splits.train, splits.val, splits.test].map(clone);
    const out = preprocess(splits, { center: 'channel', scale: 'std' });
    for (const t of [out.train, out.val, out.test]) t.data.fill(123);
    [splits.train, splits.val, splits.test].forEach((t, i) => expect(t.data).toEqual(before[i]!.data));
  });

  test('meanImage › statistics-inputs-untouched: meanImage and channelMean leave x unchanged', () => {
    const x = randn([3, 2, 2, 2], variantRng('06-mean-image/mean-untouched'));
    const before = clone(x);
    meanImage(x);
    channelMean(x);
    expect(x.data).toEqual(before.data);
  });
});

describe('bad input', () => {
  const x = randn([2, 4, 5, 3], variantRng('06-mean-image/bad-input'));

  test("meanImage › rejects-5d: an 'x' of shape [2, 4, 5, 3, 1] is a RangeError", () => {
    expectInputError(() => meanImage(zeros([2, 4, 5, 3, 1])), { fn: 'meanImage', arg: 'x', shapes: [[2, 4, 5, 3, 1]] });
  });

  test("subtractMean › rejects-transposed-mean: a 'mean' [5, 4, 3] for images [H, W, C] = [4, 5, 3] is a RangeError naming both shapes", () => {
    expectInputError(() => subtractMean(x, zeros([5, 4, 3])), { fn: 'subtractMean', arg: 'mean', shapes: [[4, 5, 3], [5, 4, 3]] });
  });

  test("subtractMean › rejects-3d-x: an 'x' of shape [4, 5, 3] is a RangeError", () => {
    expectInputError(() => subtractMean(zeros([4, 5, 3]), zeros([3])), { fn: 'subtractMean', arg: 'x', shapes: [[4, 5, 3]] });
  });

  test("preprocess › rejects-test-width: a 'test' of width 6 for training images of width 5 is a RangeError", () => {
    expectInputError(() => preprocess({ train: x, val: x, test: zeros([1, 4, 6, 3]) }, { center: 'image' }), { fn: 'preprocess', arg: 'test', shapes: [[1, 4, 6, 3]] });
  });

  test("preprocess › rejects-unknown-scale: scale 'minmax' is a RangeError", () => {
    const options = { center: 'image', scale: 'minmax' } as unknown as PreprocessOptions;
    expectInputError(() => preprocess({ train: x, val: x, test: x }, options), { fn: 'preprocess', arg: 'scale' });
  });
});

describe('variants', () => {
  const rng = variantRng('06-mean-image');
  const [N, H, W, C] = [2 + rng.randint(0, 8), 1 + rng.randint(0, 4), 1 + rng.randint(0, 4), 1 + rng.randint(0, 3)];
  const sc = scene(rng, H, W, C);
  const train = images(rng, N, sc);
  const val = images(rng, 1 + rng.randint(0, 4), map(sc, (v) => v + 2));
  const testSet = images(rng, 1 + rng.randint(0, 4), sc, 3);

  test('meanImage › variant-mean-image: the mean image of your personal images', () => {
    expect(meanImage(train)).toBeAllClose(reference.meanImage(train), { ...TOL, what: 'meanImage' });
  });

  test('channelMean › variant-channel-mean: the channel mean of your personal images', () => {
    expect(channelMean(train)).toBeAllClose(reference.channelMean(train), { ...TOL, what: 'channelMean' });
  });

  test('subtractMean › variant-subtract: your personal images minus a mean image and minus a channel mean', () => {
    const m = reference.meanImage(val);
    const c = reference.channelMean(testSet);
    expect(subtractMean(train, m)).toBeAllClose(reference.subtractMean(train, m), { ...TOL, what: 'x − mean image' });
    expect(subtractMean(train, c)).toBeAllClose(reference.subtractMean(train, c), { ...TOL, what: 'x − channel mean' });
  });

  test.for([
    ['image', 'none'],
    ['image', 'std'],
    ['channel', 'none'],
    ['channel', 'std'],
  ] as const)('preprocess › variant-%s-%s: your personal splits with this center and scale', ([center, scale]) => {
    const options: PreprocessOptions = { center, scale };
    const want = reference.preprocess({ train, val, test: testSet }, options);
    const got = preprocess({ train, val, test: testSet }, options);
    expect(got.mean).toBeAllClose(want.mean, { ...TOL, what: 'mean' });
    if (want.std) expect(got.std).toBeAllClose(want.std, { ...TOL, what: 'std' });
    expect(got.train).toBeAllClose(want.train, { ...TOL, what: 'train' });
    expect(got.val).toBeAllClose(want.val, { ...TOL, what: 'val' });
    expect(got.test).toBeAllClose(want.test, { ...TOL, what: 'test' });
  });
});
