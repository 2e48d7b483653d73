/**
 * Hidden suite for exercise 03 — batch normalization. Never shipped to students.
 * Titles are `fn › case-id: description`; the grader reports hidden failures by id and kind only.
 * Checks drawn from the student's seed live in ./variants.ts; tolerances and the fixture-driven
 * value tests are the public suite's (lib/testing/checks/03-batchnorm.ts).
 */
import { describe, expect, test } from 'vitest';
import { map, ones, zeros, type Tensor } from '../../../lib/index.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { casesFor, loadFixture, titled } from '../../../lib/testing/fixtures.ts';
import { TOL, valueTests, type BatchnormModule } from '../../../lib/testing/checks/03-batchnorm.ts';
import * as student from '../../../exercises/03-batchnorm/batchnorm.ts';
import { variantTests } from '../variants.ts';
import { variantChecks } from './variants.ts';

const { batchnormBackwardAlt, batchnormForward } = student;
const STUDENT = student as unknown as BatchnormModule;
const fixture = loadFixture('03-batchnorm', 'hidden');

type SequenceArgs = { batches: Tensor[]; xTest: Tensor; gamma: Tensor; beta: Tensor };
type SequenceExpected = { out: Tensor; runningMean: Tensor; runningVar: Tensor };

describe('shapes', () => {
  variantTests(variantChecks, 'shapes', STUDENT);
});

describe('values', () => {
  valueTests(fixture, STUDENT);
});

describe('properties', () => {
  const sequences = casesFor<SequenceArgs, SequenceExpected>(fixture, 'batchnormForward').filter((c) => c.group === 'sequence');
  test.for(titled(sequences))('%s', ([, { args, expected }]) => {
    let runningMean: Tensor | undefined;
    let runningVar: Tensor | undefined;
    for (const x of args.batches) {
      ({ runningMean, runningVar } = batchnormForward(x, args.gamma, args.beta, { mode: 'train', runningMean, runningVar }));
    }
    // A handful of operations per element and per step on well-conditioned batches (max|x| / σ ≲ 5,
    // N = 8): a few ulps apart in any order, far inside TOL.
    expect(runningMean).toBeAllClose(expected.runningMean, { ...TOL, what: 'runningMean after the training steps' });
    expect(runningVar).toBeAllClose(expected.runningVar, { ...TOL, what: 'runningVar after the training steps' });
    const { out } = batchnormForward(args.xTest, args.gamma, args.beta, { mode: 'test', runningMean, runningVar });
    expect(out).toBeAllClose(expected.out, { ...TOL, what: 'test-mode out' });
  });

  variantTests(variantChecks, 'properties', STUDENT);
});

describe('gradients', () => {
  variantTests(variantChecks, 'gradients', STUDENT);
});

describe('bad input', () => {
  const x = map(zeros([3, 4]), (_, k) => k);
  test("batchnormForward › rejects-3d-x: an 'x' of shape [2, 3, 4] is a RangeError", () => {
    expectInputError(() => batchnormForward(zeros([2, 3, 4]), ones([4]), zeros([4]), { mode: 'train' }), { fn: 'batchnormForward', arg: 'x', shapes: [[2, 3, 4]] });
  });
  test("batchnormForward › rejects-short-running-var: a 'runningVar' of the wrong length is a RangeError", () => {
    expectInputError(() => batchnormForward(x, ones([4]), zeros([4]), { mode: 'test', runningMean: zeros([4]), runningVar: ones([2]) }), {
      fn: 'batchnormForward',
      arg: 'runningVar',
      shapes: [[4], [2]],
    });
  });
  test("batchnormForward › rejects-gamma-as-matrix: a 'gamma' of shape [1, 4] is a RangeError", () => {
    expectInputError(() => batchnormForward(x, ones([1, 4]), zeros([4]), { mode: 'train' }), { fn: 'batchnormForward', arg: 'gamma', shapes: [[4], [1, 4]] });
  });
  test("batchnormBackwardAlt › rejects-wrong-dout: a 'dout' of the wrong shape is a RangeError", () => {
    const { cache } = batchnormForward(x, ones([4]), zeros([4]), { mode: 'train' });
    expectInputError(() => batchnormBackwardAlt(zeros([3, 5]), cache), { fn: 'batchnormBackwardAlt', arg: 'dout', shapes: [[3, 4], [3, 5]] });
  });
});

describe('variants', () => {
  variantTests(variantChecks, 'variants', STUDENT);
});
