/** Typical mean-image mistakes, as edits of the reference solution (see ../mistake.ts). */
import type { Mistake } from '../mistake.ts';

export const mistakes: Mistake[] = [
  {
    id: 'mean-per-split',
    fn: 'preprocess',
    hint: 'val and test look centred with their own mean. Compute the mean once, on the training split, and subtract that same array from all three splits.',
    file: 'mean-image.ts',
    replace: [['const centred = subtractMean(x, mean);', 'const centred = subtractMean(x, statistic(x));']],
  },
  {
    id: 'mean-image-over-n-and-h',
    fn: 'meanImage',
    hint: 'The mean image looks averaged over the rows (H) as well as the images. Average over the N images only: every pixel keeps its own mean.',
    file: 'mean-image.ts',
    replace: [
      ['for (let p = 0; p < size; p++) sums[p]! += x.data[n * size + p]!;', 'for (let p = 0; p < size; p++) sums[p % (W * C)]! += x.data[n * size + p]! / H;'],
      ['return { shape: [H, W, C], data: sums.map((s) => s / N) };', 'return { shape: [H, W, C], data: sums.map((_, p) => sums[p % (W * C)]! / N) };'],
    ],
  },
  {
    id: 'channels-first',
    fn: 'channelMean',
    hint: 'The channel means look computed as if the layout were [N, C, H, W]. Here channels are the last axis: element k belongs to channel k mod C.',
    file: 'mean-image.ts',
    replace: [['sums[k % C]! += x.data[k]!;', 'sums[Math.floor(k / (H * W)) % C]! += x.data[k]!;']],
  },
  {
    id: 'channel-mean-of-one-image',
    fn: 'channelMean',
    hint: 'The channel mean looks like that of a single image. Average each channel over all N images and all H × W pixels.',
    file: 'mean-image.ts',
    replace: [
      ['for (let k = 0; k < x.data.length; k++) sums[k % C]!', 'for (let k = (N - 1) * H * W * C; k < x.data.length; k++) sums[k % C]!'],
      ['sums.map((s) => s / (N * H * W))', 'sums.map((s) => s / (H * W))'],
    ],
  },
  {
    id: 'image-mean-indexed-by-channel',
    fn: 'subtractMean',
    hint: 'A [H, W, C] mean seems to be read as if it were [C]: the mean image has one value per pixel and channel, repeating every H·W·C elements.',
    file: 'mean-image.ts',
    replace: [['data: x.data.map((v, k) => v - mean.data[k % F]!)', 'data: x.data.map((v, k) => v - mean.data[k % C]!)']],
  },
  {
    id: 'subtract-mutates-input',
    fn: 'subtractMean',
    hint: 'x has changed after the call. Write the result into a new tensor and leave the caller\'s images alone.',
    file: 'mean-image.ts',
    replace: [
      [
        'return { shape: [...x.shape], data: x.data.map((v, k) => v - mean.data[k % F]!) };',
        'x.data.forEach((v, k) => {\n    x.data[k] = v - mean.data[k % F]!;\n  });\n  return { shape: [...x.shape], data: x.data };',
      ],
    ],
  },
  {
    id: 'std-n-minus-1',
    fn: 'preprocess',
    hint: 'The std looks like the sample std (divided by count − 1). Use the population std: divide the sum of squares by the count.',
    file: 'mean-image.ts',
    replace: [['variance.map((v) => Math.sqrt(v / count))', 'variance.map((v) => Math.sqrt(v / (count - 1)))']],
  },
  {
    id: 'std-without-centring',
    fn: 'preprocess',
    hint: 'The std looks like √(mean of x²): subtract the training mean before squaring.',
    file: 'mean-image.ts',
    replace: [['const d = x.data[k]! - mean.data[k % F]!;', 'const d = x.data[k]!;']],
  },
  {
    id: 'divide-by-zero-std',
    fn: 'preprocess',
    hint: 'A feature that is constant in the training set comes out NaN (0 / 0): leave features whose training std is 0 unscaled.',
    file: 'mean-image.ts',
    replace: [['const safe = std.data.map((s) => (s > 0 ? s : 1));', 'const safe = std.data;']],
  },
  {
    id: 'std-per-channel-for-image',
    fn: 'preprocess',
    hint: "With center 'image' the std should have the granularity of the mean image: one std per pixel and channel, not one per channel.",
    file: 'mean-image.ts',
    replace: [['featureStd(train, mean)', 'featureStd(train, channelMean(train))']],
  },
];
