/**
 * Hidden suite for exercise 06 — mean image and per-channel mean. Never shipped to students.
 * Titles are `fn › case-id: description`; the grader reports hidden failures by id and kind only.
 * Expected statistics come from lib's `mean` / `variance` or from the reference, never from the
 * submission's own functions. Checks drawn from the student's seed live in ./variants.ts; the
 * tolerance and the fixture-driven value tests are the public suite's
 * (lib/testing/checks/06-mean-image.ts).
 */
import { describe, expect, test } from 'vitest';
import { createRng, ones, randn, zeros } from '../../../lib/index.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { loadFixture } from '../../../lib/testing/fixtures.ts';
import { valueTests, type MeanImageModule } from '../../../lib/testing/checks/06-mean-image.ts';
import * as student from '../../../exercises/06-mean-image/mean-image.ts';
import { meanImage, preprocess, subtractMean, type PreprocessOptions } from '../../../exercises/06-mean-image/mean-image.ts';
import { variantTests } from '../variants.ts';
import { variantChecks } from './variants.ts';

const fixture = loadFixture('06-mean-image', 'hidden');
const STUDENT = student as unknown as MeanImageModule;

describe('shapes', () => {
  test('subtractMean › shape-empty-batch: an empty batch [0, 3, 2, 2] stays [0, 3, 2, 2]', () => {
    expect(subtractMean({ shape: [0, 3, 2, 2], data: new Float64Array(0) }, ones([2]))).toHaveShape([0, 3, 2, 2], 'out');
  });

  variantTests(variantChecks, 'shapes', STUDENT);
});

describe('values', () => {
  valueTests(fixture, STUDENT);
});

describe('properties', () => {
  variantTests(variantChecks, 'properties', STUDENT);
});

describe('bad input', () => {
  // Rejections do not depend on the values: fixed ones, the same for every student.
  const x = randn([2, 4, 5, 3], createRng('06-mean-image/hidden-bad-input'));

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
  variantTests(variantChecks, 'variants', STUDENT);
});
