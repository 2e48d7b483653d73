/**
 * Exercise 06's hidden checks whose inputs are drawn from the student's seed (see ../variants.ts):
 * pure functions of (implementation, seed), so `npm run fairness` can run them for many seeds.
 * Expected statistics come from lib's `mean` / `variance` or from the reference, never from the
 * submission's own functions.
 */
import { expect } from 'vitest';
import { add, clone, div, map, mean, ones, randn, sqrt, sub, variance, zeros, type Rng, type Tensor } from '../../../lib/index.ts';
import { expectPreprocessedClose, TOL, type MeanImageModule } from '../../../lib/testing/checks/06-mean-image.ts';
import * as reference from '../../../solutions/06-mean-image/mean-image.ts';
import type { PreprocessOptions } from '../../../solutions/06-mean-image/mean-image.ts';
import { images, scene } from './fixtures.ts';
import { rngFor, type VariantCheck } from '../variants.ts';

type Check = VariantCheck<MeanImageModule>;
const AXES = { image: [0], channel: [0, 1, 2] } as const;

/** Images whose channels have means 10·(c + 1) + shift and spreads `spreads[c]` (default 1). */
function channelImages(rng: Rng, N: number, H: number, W: number, C: number, shift = 0, spreads: readonly number[] = []): Tensor {
  return map(randn([N, H, W, C], rng), (v, k) => (spreads[k % C] ?? 1) * v + 10 * ((k % C) + 1) + shift);
}

const shapes: Check[] = [
  {
    group: 'shapes',
    fn: 'meanImage',
    id: 'shape-single-pixel',
    description: '[7, 1, 1, 4] gives [1, 1, 4]',
    run: (mod, seed) => {
      expect(mod.meanImage(randn([7, 1, 1, 4], rngFor(seed, '06-mean-image/single-pixel')))).toHaveShape([1, 1, 4], 'meanImage');
    },
  },
  {
    group: 'shapes',
    fn: 'channelMean',
    id: 'shape-greyscale',
    description: '[3, 5, 2, 1] gives [1]',
    run: (mod, seed) => {
      expect(mod.channelMean(randn([3, 5, 2, 1], rngFor(seed, '06-mean-image/greyscale')))).toHaveShape([1], 'channelMean');
    },
  },
  {
    group: 'shapes',
    fn: 'preprocess',
    id: 'shape-uneven-splits',
    description: 'train of 1, val of 5 and an empty test keep their own N',
    run: (mod, seed) => {
      const rng = rngFor(seed, '06-mean-image/uneven');
      const out = mod.preprocess({ train: randn([1, 2, 3, 2], rng), val: randn([5, 2, 3, 2], rng), test: zeros([0, 2, 3, 2]) }, { center: 'image', scale: 'std' });
      expect(out.train).toHaveShape([1, 2, 3, 2], 'train');
      expect(out.val).toHaveShape([5, 2, 3, 2], 'val');
      expect(out.test).toHaveShape([0, 2, 3, 2], 'test');
    },
  },
];

const properties: Check[] = [
  ...(['image', 'channel'] as const).map(
    (center): Check => ({
      group: 'properties',
      fn: 'preprocess',
      id: `train-mean-zero-${center}`,
      description: 'a [60, 4, 4, 3] training set, centred, has mean 0 per feature',
      run: (mod, seed) => {
        const rng = rngFor(seed, `06-mean-image/train-mean-zero-${center}`);
        const train = images(rng, 60, scene(rng, 4, 4, 3, 10));
        const out = mod.preprocess({ train, val: train, test: train }, { center });
        // The mean of x − m is minus m's own error, ≤ 961·u·max|x| ≈ 5e-11 for 960 values up to ~450.
        const zerosOfShape = zeros(center === 'image' ? [4, 4, 3] : [3]);
        expect(mean(out.train, [...AXES[center]])).toBeAllClose(zerosOfShape, { rtol: 0, atol: 1e-9, what: 'mean of the centred training split' });
      },
    }),
  ),
  ...(['image', 'channel'] as const).map(
    (center): Check => ({
      group: 'properties',
      fn: 'preprocess',
      id: `val-offset-kept-${center}`,
      description: 'centred val keeps its offset from train (mean(val) − mean(train))',
      run: (mod, seed) => {
        const rng = rngFor(seed, `06-mean-image/val-offset-${center}`);
        const sc = scene(rng, 3, 2, 2);
        const train = images(rng, 10, sc);
        const val = images(rng, 4, map(sc, (v) => v - 7));
        const testSet = images(rng, 3, map(sc, (v) => v + 3));
        const axes = [...AXES[center]];
        const out = mod.preprocess({ train, val, test: testSet }, { center });
        expect(mean(out.val, axes)).toBeAllClose(sub(mean(val, axes), mean(train, axes)), { ...TOL, what: 'mean of centred val' });
        expect(mean(out.test, axes)).toBeAllClose(sub(mean(testSet, axes), mean(train, axes)), { ...TOL, what: 'mean of centred test' });
      },
    }),
  ),
  {
    group: 'properties',
    fn: 'preprocess',
    id: 'statistics-ignore-val-test',
    description: 'changing val and test changes neither the training output nor mean and std',
    run: (mod, seed) => {
      const rng = rngFor(seed, '06-mean-image/ignore-val-test');
      const train = channelImages(rng, 6, 2, 3, 2);
      const options: PreprocessOptions = { center: 'channel', scale: 'std' };
      const a = mod.preprocess({ train, val: channelImages(rng, 3, 2, 3, 2), test: channelImages(rng, 2, 2, 3, 2) }, options);
      const b = mod.preprocess({ train, val: channelImages(rng, 5, 2, 3, 2, 40, [9, 9]), test: channelImages(rng, 1, 2, 3, 2, -40) }, options);
      // The same code on the same training split: bit for bit, unless val or test leak in.
      expect(b.mean).toBeAllClose(a.mean, { rtol: 0, atol: 0, what: 'mean' });
      expect(b.std).toBeAllClose(a.std!, { rtol: 0, atol: 0, what: 'std' });
      expect(b.train).toBeAllClose(a.train, { rtol: 0, atol: 0, what: 'train' });
    },
  },
  {
    group: 'properties',
    fn: 'preprocess',
    id: 'statistical-channel-std',
    description: '200 training images with channel spreads 0.5, 2, 8 come out with std 1; fresh val images from the same source land near mean 0, std 1',
    run: (mod, seed) => {
      const rng = rngFor(seed, '06-mean-image/statistical');
      const spreads = [0.5, 2, 8];
      const train = channelImages(rng, 200, 2, 2, 3, 0, spreads);
      const val = channelImages(rng, 200, 2, 2, 3, 0, spreads);
      const out = mod.preprocess({ train, val, test: val }, { center: 'channel', scale: 'std' });
      // The std of (x − m)/s recomputed by lib: both s errs by ≤ 804·u ≈ 1e-13 relative.
      expect(sqrt(variance(out.train, [0, 1, 2]))).toBeAllClose(ones([3]), { rtol: 1e-9, atol: 0, what: 'std of scaled train per channel' });
      // 800 values per channel: the sample std is within 0.1 relative (4 standard errors of 0.025).
      expect(out.std).toBeAllClose(spreads, { rtol: 0.1, atol: 0, what: 'training std per channel (the spreads, to sampling error)' });
      // Standard errors ≈ 0.035 for the mean and ≈ 0.025 for the std of val: 0.2 is > 5 of them.
      expect(mean(out.val, [0, 1, 2])).toBeAllClose(zeros([3]), { rtol: 0, atol: 0.2, what: 'mean of scaled val per channel' });
      expect(sqrt(variance(out.val, [0, 1, 2]))).toBeAllClose(ones([3]), { rtol: 0.15, atol: 0, what: 'std of scaled val per channel' });
    },
  },
  {
    group: 'properties',
    fn: 'preprocess',
    id: 'default-no-scaling',
    description: "without 'scale', the splits are only centred",
    run: (mod, seed) => {
      const rng = rngFor(seed, '06-mean-image/default-scale');
      const train = channelImages(rng, 5, 2, 2, 2, 0, [4, 0.25]);
      const val = channelImages(rng, 2, 2, 2, 2);
      const out = mod.preprocess({ train, val, test: val }, { center: 'image' });
      const m = mean(train, 0);
      expect(out.train).toBeAllClose(sub(train, m), { ...TOL, what: 'train (centred only)' });
      expect(out.val).toBeAllClose(sub(val, m), { ...TOL, what: 'val (centred only)' });
    },
  },
  {
    group: 'properties',
    fn: 'preprocess',
    id: 'constant-pixel-image-std',
    description: 'one pixel constant in train has std 0 and is centred, not scaled; the others are scaled',
    run: (mod, seed) => {
      const rng = rngFor(seed, '06-mean-image/constant-pixel');
      // 8 images: a power of two, so the constant's mean is exact in any summation order.
      const train = map(channelImages(rng, 8, 2, 2, 2, 0, [3, 3]), (v, k) => (k % 8 === 5 ? -1.5 : v));
      const val = channelImages(rng, 3, 2, 2, 2);
      const out = mod.preprocess({ train, val, test: val }, { center: 'image', scale: 'std' });
      const m = mean(train, 0);
      const s = sqrt(variance(train, 0));
      const expected = map(sub(val, m), (v, k) => (k % 8 === 5 ? v : v / s.data[k % 8]!));
      expect(out.std?.data[5], 'std of the constant pixel-channel').toBe(0);
      expect(out.val).toBeAllClose(expected, { ...TOL, what: 'val' });
      expect(out.train).toBeAllClose(div(sub(train, m), map(s, (v) => (v > 0 ? v : 1))), { ...TOL, what: 'train' });
    },
  },
  {
    group: 'properties',
    fn: 'channelMean',
    id: 'equals-mean-of-mean-image',
    description: 'on [5, 3, 7, 2] images the channel mean is the mean image averaged over H, W',
    run: (mod, seed) => {
      const rng = rngFor(seed, '06-mean-image/channel-vs-image');
      const x = images(rng, 5, scene(rng, 3, 7, 2));
      expect(mod.channelMean(x)).toBeAllClose(mean(mean(x, 0), [0, 1]), { ...TOL, what: 'channelMean' });
    },
  },
  {
    group: 'properties',
    fn: 'subtractMean',
    id: 'channel-vs-tiled',
    description: 'a [C] mean equals the [H, W, C] image that repeats it',
    run: (mod, seed) => {
      const rng = rngFor(seed, '06-mean-image/tiled');
      const x = randn([3, 2, 5, 3], rng);
      const c = randn([3], rng);
      expect(mod.subtractMean(x, c)).toBeAllClose(mod.subtractMean(x, add(zeros([2, 5, 3]), c)), { ...TOL, what: 'out' });
    },
  },
  {
    group: 'properties',
    fn: 'preprocess',
    id: 'splits-untouched',
    description: 'the splits are unchanged, and mutating the result leaves them unchanged too',
    run: (mod, seed) => {
      const rng = rngFor(seed, '06-mean-image/untouched');
      const splits = { train: randn([4, 2, 2, 3], rng), val: randn([2, 2, 2, 3], rng), test: randn([3, 2, 2, 3], rng) };
      const before = [splits.train, splits.val, splits.test].map(clone);
      const out = mod.preprocess(splits, { center: 'channel', scale: 'std' });
      for (const t of [out.train, out.val, out.test]) t.data.fill(123);
      [splits.train, splits.val, splits.test].forEach((t, i) => expect(t.data).toEqual(before[i]!.data));
    },
  },
  {
    group: 'properties',
    fn: 'meanImage',
    id: 'statistics-inputs-untouched',
    description: 'meanImage and channelMean leave x unchanged',
    run: (mod, seed) => {
      const x = randn([3, 2, 2, 2], rngFor(seed, '06-mean-image/mean-untouched'));
      const before = clone(x);
      mod.meanImage(x);
      mod.channelMean(x);
      expect(x.data).toEqual(before.data);
    },
  },
];

/** The student's personal splits: images of their own size around a scene of their own. */
function personal(seed: string): { train: Tensor; val: Tensor; testSet: Tensor } {
  const rng = rngFor(seed, '06-mean-image');
  const [N, H, W, C] = [2 + rng.randint(0, 8), 1 + rng.randint(0, 4), 1 + rng.randint(0, 4), 1 + rng.randint(0, 3)];
  const sc = scene(rng, H, W, C);
  const train = images(rng, N, sc);
  const val = images(rng, 1 + rng.randint(0, 4), map(sc, (v) => v + 2));
  const testSet = images(rng, 1 + rng.randint(0, 4), sc, 3);
  return { train, val, testSet };
}

const variants: Check[] = [
  {
    group: 'variants',
    fn: 'meanImage',
    id: 'variant-mean-image',
    description: 'the mean image of your personal images',
    run: (mod, seed) => {
      const { train } = personal(seed);
      expect(mod.meanImage(train)).toBeAllClose(reference.meanImage(train), { ...TOL, what: 'meanImage' });
    },
  },
  {
    group: 'variants',
    fn: 'channelMean',
    id: 'variant-channel-mean',
    description: 'the channel mean of your personal images',
    run: (mod, seed) => {
      const { train } = personal(seed);
      expect(mod.channelMean(train)).toBeAllClose(reference.channelMean(train), { ...TOL, what: 'channelMean' });
    },
  },
  {
    group: 'variants',
    fn: 'subtractMean',
    id: 'variant-subtract',
    description: 'your personal images minus a mean image and minus a channel mean',
    run: (mod, seed) => {
      const { train, val, testSet } = personal(seed);
      const m = reference.meanImage(val);
      const c = reference.channelMean(testSet);
      expect(mod.subtractMean(train, m)).toBeAllClose(reference.subtractMean(train, m), { ...TOL, what: 'x − mean image' });
      expect(mod.subtractMean(train, c)).toBeAllClose(reference.subtractMean(train, c), { ...TOL, what: 'x − channel mean' });
    },
  },
  ...(
    [
      ['image', 'none'],
      ['image', 'std'],
      ['channel', 'none'],
      ['channel', 'std'],
    ] as const
  ).map(
    ([center, scale]): Check => ({
      group: 'variants',
      fn: 'preprocess',
      id: `variant-${center}-${scale}`,
      description: 'your personal splits with this center and scale',
      run: (mod, seed) => {
        const { train, val, testSet } = personal(seed);
        const options: PreprocessOptions = { center, scale };
        expectPreprocessedClose(mod.preprocess({ train, val, test: testSet }, options), reference.preprocess({ train, val, test: testSet }, options));
      },
    }),
  ),
];

export const variantChecks: Check[] = [...shapes, ...properties, ...variants];
