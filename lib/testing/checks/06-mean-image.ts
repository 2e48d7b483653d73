/**
 * Exercise 06's checks, shared by the public suite and the grader's hidden one: the tolerance and
 * why a correct implementation cannot miss it, and the fixture-driven value tests (each suite
 * passes its own fixture). Nothing here names a hidden case.
 */
import { expect, test } from 'vitest';
import type { Tensor } from '../../index.ts';
import { casesFor, titled, type Fixture } from '../fixtures.ts';
import { TOL } from './common.ts';
import type * as MeanImage from '../../../exercises/06-mean-image/mean-image.ts';
import type { PreprocessOptions, Preprocessed } from '../../../exercises/06-mean-image/mean-image.ts';

export { TOL };

/** An implementation of exercise 06: the student's module, the reference, a port. */
export type MeanImageModule = typeof MeanImage;

/**
 * Value checks use `TOL` (|got − expected| ≤ 1e-10 + 1e-7·|expected|). A mean over n values errs by
 * at most (n + 1)·u·max|x| in any summation order (n ≤ 1000 here, |x| ≲ 500: ≤ 6e-11, and ≤ 1e-13
 * relative for the all-positive pixel values of these cases); x − mean adds that absolute error
 * and one rounding; the std of the same n values (two-pass, one-pass over x − μ, Welford's updates)
 * is within (n + 4)·u relative, and (x − mean) / std within the sum of both. The worst case is a
 * centred value near 0, which only the atol has to cover: ≤ 6e-11 < 1e-10. A constant feature has
 * an exact mean (its values are equal, and the cases use 2ᵏ of them or exactly representable sums)
 * and so a std of exactly 0 in any order. The typical mistakes are off by 1e-2 relative or more
 * (N − 1 in the std: 1/2N; statistics of the wrong split or axis: O(1)).
 */
export const VALUE_TOLERANCE = TOL;

type PreprocessArgs = { train: Tensor; val: Tensor; test: Tensor; options: PreprocessOptions };

/** Every part of a preprocess result against the expected one, within VALUE_TOLERANCE. */
export function expectPreprocessedClose(got: Preprocessed, want: Preprocessed, scope = ''): void {
  const of = scope === '' ? '' : ` ${scope}`;
  expect(got.mean).toBeAllClose(want.mean, { ...VALUE_TOLERANCE, what: `mean${of}` });
  if (want.std) expect(got.std).toBeAllClose(want.std, { ...VALUE_TOLERANCE, what: `std${of}` });
  expect(got.train).toBeAllClose(want.train, { ...VALUE_TOLERANCE, what: 'train' });
  expect(got.val).toBeAllClose(want.val, { ...VALUE_TOLERANCE, what: 'val' });
  expect(got.test).toBeAllClose(want.test, { ...VALUE_TOLERANCE, what: 'test' });
}

/** The fixture-driven value tests: the two statistics, subtractMean, then preprocess. */
export function valueTests(fixture: Fixture, mod: MeanImageModule): void {
  const statistics = [...casesFor<{ x: Tensor }, { mean: Tensor }>(fixture, 'meanImage'), ...casesFor<{ x: Tensor }, { mean: Tensor }>(fixture, 'channelMean')];
  test.for(titled(statistics))('%s', ([, { fn, args, expected }]) => {
    const statistic = fn === 'meanImage' ? mod.meanImage : mod.channelMean;
    expect(statistic(args.x)).toBeAllClose(expected.mean, { ...VALUE_TOLERANCE, what: fn });
  });

  test.for(titled(casesFor<{ x: Tensor; mean: Tensor }, { out: Tensor }>(fixture, 'subtractMean')))('%s', ([, { args, expected }]) => {
    expect(mod.subtractMean(args.x, args.mean)).toBeAllClose(expected.out, { ...VALUE_TOLERANCE, what: 'out' });
  });

  test.for(titled(casesFor<PreprocessArgs, Preprocessed>(fixture, 'preprocess')))('%s', ([, { args, expected }]) => {
    expectPreprocessedClose(mod.preprocess({ train: args.train, val: args.val, test: args.test }, args.options), expected, '(of the training split)');
  });
}
