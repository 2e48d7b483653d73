/**
 * Hidden suite for exercise 04 — layer normalization and group normalization. Never shipped to
 * students. Titles are `fn › case-id: description`; the grader reports hidden failures by id and
 * kind only. Checks drawn from the student's seed live in ./variants.ts; tolerances and the
 * fixture-driven value tests are the public suite's (lib/testing/checks/04-groupnorm.ts).
 */
import { describe, expect, test } from 'vitest';
import { map, ones, zeros } from '../../../lib/index.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { loadFixture } from '../../../lib/testing/fixtures.ts';
import { valueTests, type GroupnormModule } from '../../../lib/testing/checks/04-groupnorm.ts';
import * as student from '../../../exercises/04-groupnorm/groupnorm.ts';
import { variantTests } from '../variants.ts';
import { variantChecks } from './variants.ts';

const { groupnormBackward, groupnormForward, layernormBackward, layernormForward } = student;
const STUDENT = student as unknown as GroupnormModule;
const fixture = loadFixture('04-groupnorm', 'hidden');

describe('shapes', () => {
  variantTests(variantChecks, 'shapes', STUDENT);
});

describe('values', () => {
  valueTests(fixture, STUDENT);
});

describe('properties', () => {
  variantTests(variantChecks, 'properties', STUDENT);
});

describe('gradients', () => {
  variantTests(variantChecks, 'gradients', STUDENT);
});

describe('bad input', () => {
  const img = map(zeros([2, 6, 2, 3]), (_, k) => k % 7);
  const fn = 'groupnormForward';

  test("groupnormForward › gn-rejects-g-not-dividing-c: G = 4 with C = 6 is a RangeError naming 'G' and C", () => {
    const run = (): unknown => groupnormForward(img, ones([6]), zeros([6]), 4);
    expectInputError(run, { fn, arg: 'G' });
    let message = '';
    try {
      run();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message, 'the error message should give the number of channels, C = 6').toMatch(/\b6\b/);
  });

  test("groupnormForward › gn-rejects-g-above-c: G = 12 with C = 6 is a RangeError naming 'G'", () => {
    expectInputError(() => groupnormForward(img, ones([6]), zeros([6]), 12), { fn, arg: 'G' });
  });

  test.for([
    ['zero', 0],
    ['negative', -3],
    ['fractional', 1.5],
    ['nan', Number.NaN],
  ] as const)("groupnormForward › gn-rejects-g-%s: G = %s is a RangeError naming 'G'", ([, G]) => {
    expectInputError(() => groupnormForward(img, ones([6]), zeros([6]), G), { fn, arg: 'G' });
  });

  test("groupnormForward › gn-rejects-gamma-per-group: a 'gamma' of shape [G] instead of [C] is a RangeError naming both shapes", () => {
    expectInputError(() => groupnormForward(img, ones([3]), zeros([6]), 3), { fn, arg: 'gamma', shapes: [[6], [3]] });
  });

  test("groupnormForward › gn-rejects-gamma-as-image: a 'gamma' of shape [1, C, 1, 1] is a RangeError naming both shapes", () => {
    expectInputError(() => groupnormForward(img, ones([1, 6, 1, 1]), zeros([6]), 2), { fn, arg: 'gamma', shapes: [[6], [1, 6, 1, 1]] });
  });

  test("groupnormForward › gn-rejects-beta-wrong-length: a 'beta' of the wrong length is a RangeError naming both shapes", () => {
    expectInputError(() => groupnormForward(img, ones([6]), zeros([5]), 2), { fn, arg: 'beta', shapes: [[6], [5]] });
  });

  test("groupnormForward › gn-rejects-2d-x: an 'x' of shape [6, 6] is a RangeError", () => {
    expectInputError(() => groupnormForward(zeros([6, 6]), ones([6]), zeros([6]), 2), { fn, arg: 'x', shapes: [[6, 6]] });
  });

  test("groupnormBackward › gn-rejects-wrong-dout: a 'dout' of the wrong shape is a RangeError", () => {
    const { cache } = groupnormForward(img, ones([6]), zeros([6]), 3);
    expectInputError(() => groupnormBackward(zeros([2, 6, 3, 2]), cache), {
      fn: 'groupnormBackward',
      arg: 'dout',
      shapes: [[2, 6, 2, 3], [2, 6, 3, 2]],
    });
  });

  test("layernormForward › ln-rejects-1d-x: an 'x' of shape [5] is a RangeError", () => {
    expectInputError(() => layernormForward(zeros([5]), ones([5]), zeros([5])), { fn: 'layernormForward', arg: 'x', shapes: [[5]] });
  });

  test("layernormForward › ln-rejects-gamma-per-row: a 'gamma' of shape [N] instead of [D] is a RangeError naming both shapes", () => {
    expectInputError(() => layernormForward(zeros([3, 5]), ones([3]), zeros([5])), { fn: 'layernormForward', arg: 'gamma', shapes: [[5], [3]] });
  });

  test("layernormBackward › ln-rejects-wrong-dout: a 'dout' of the wrong shape is a RangeError", () => {
    const { cache } = layernormForward(map(zeros([3, 5]), (_, k) => k % 4), ones([5]), zeros([5]));
    expectInputError(() => layernormBackward(zeros([3, 4]), cache), { fn: 'layernormBackward', arg: 'dout', shapes: [[3, 5], [3, 4]] });
  });
});

describe('variants', () => {
  variantTests(variantChecks, 'variants', STUDENT);
});
