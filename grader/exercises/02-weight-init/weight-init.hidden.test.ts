/**
 * Hidden suite for exercise 02 — weight initialization. Never shipped to students.
 * Titles are `fn › case-id: description`; the grader reports hidden failures by id and kind only.
 *
 * Initializers always receive a fresh `createRng(seed)`. A correct initializer reproduces the
 * reference draw for draw, so the statistical checks use fixed seeds: they pass or fail the same
 * way for every student. `activationStatistics` is graded on its own: its weights here are built
 * from lib's `randn`, never from the student's initializers. Checks drawn from the student's seed
 * live in ./variants.ts; tolerances and the fixture-driven value tests are the public suite's
 * (lib/testing/checks/02-weight-init.ts).
 */
import { describe, expect, test } from 'vitest';
import { createRng, mean, randn, variance, type Tensor } from '../../../lib/index.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { loadFixture } from '../../../lib/testing/fixtures.ts';
import { valueTests, type InitName, type WeightInitModule } from '../../../lib/testing/checks/02-weight-init.ts';
import * as student from '../../../exercises/02-weight-init/weight-init.ts';
import { activationStatistics, heInit, smallRandomInit, xavierInit, type Activation } from '../../../exercises/02-weight-init/weight-init.ts';
import { variantTests } from '../variants.ts';
import { variantChecks } from './variants.ts';

const fixture = loadFixture('02-weight-init', 'hidden');
const STUDENT = student as unknown as WeightInitModule;
const INITS = { xavierInit, heInit, smallRandomInit } as const;
const KEBAB: Record<InitName, string> = { xavierInit: 'xavier', heInit: 'he', smallRandomInit: 'small' };

/**
 * n draws with standard deviation σ: mean within 4 standard errors (σ/√n) of 0 and std within 4
 * standard errors (σ/√(2n)) of σ. The seeds are fixed, so a correct initializer (which reproduces
 * the reference draw for draw) passes deterministically; the reference does.
 */
function expectNormal(W: Tensor, sigma: number, what: string): void {
  const n = W.data.length;
  const m = mean(W).data[0]!;
  const std = Math.sqrt(variance(W).data[0]!);
  expect(Math.abs(m), `|mean| of ${what}`).toBeLessThan((4 * sigma) / Math.sqrt(n));
  expect(Math.abs(std - sigma), `|std − σ| of ${what}`).toBeLessThan((4 * sigma) / Math.sqrt(2 * n));
}

describe('shapes', () => {
  test.for((Object.keys(INITS) as InitName[]).map((n) => [n, KEBAB[n], n] as const))(
    '%s › %s-shapes-odd: [1, 1], [1, 9] and [9, 1] matrices have shape [fanIn, fanOut]',
    ([, , name]) => {
      for (const [fanIn, fanOut] of [[1, 1], [1, 9], [9, 1]] as const) {
        expect(INITS[name](fanIn, fanOut, createRng('02-weight-init/hidden-shapes'))).toHaveShape([fanIn, fanOut], 'W');
      }
    },
  );

  variantTests(variantChecks, 'shapes', STUDENT);
});

describe('values', () => {
  valueTests(fixture, STUDENT);
});

describe('properties', () => {
  test('xavierInit › xavier-large-draw-stats: a 1000 × 10 draw has mean 0 and std 1/√1000 within 4 standard errors', () => {
    expectNormal(xavierInit(1000, 10, createRng('02-weight-init/hidden-xavier-stats')), 1 / Math.sqrt(1000), 'xavierInit(1000, 10)');
  });

  test('xavierInit › xavier-column-stats: each of the 3 output units of a 2000 × 3 draw has weights of std 1/√2000', () => {
    const W = xavierInit(2000, 3, createRng('02-weight-init/hidden-xavier-columns'));
    for (let j = 0; j < 3; j++) {
      const column: Tensor = { shape: [2000], data: Float64Array.from({ length: 2000 }, (_, i) => W.data[i * 3 + j]!) };
      expectNormal(column, 1 / Math.sqrt(2000), `column ${j}`);
    }
  });

  test('heInit › he-large-draw-stats: a 50 × 200 draw has mean 0 and std √(2/50) = 0.2 within 4 standard errors', () => {
    expectNormal(heInit(50, 200, createRng('02-weight-init/hidden-he-stats')), 0.2, 'heInit(50, 200)');
  });

  test('smallRandomInit › small-large-draw-stats: a 100 × 60 draw has std 0.01, and 0.003 with scale = 0.003', () => {
    expectNormal(smallRandomInit(100, 60, createRng('02-weight-init/hidden-small-stats')), 0.01, 'smallRandomInit(100, 60)');
    expectNormal(smallRandomInit(100, 60, createRng('02-weight-init/hidden-small-stats-2'), 0.003), 0.003, 'smallRandomInit(100, 60, rng, 0.003)');
  });

  variantTests(variantChecks, 'properties', STUDENT);
});

describe('bad input', () => {
  const rng = () => createRng('02-weight-init/hidden-bad-input');
  const fans: [InitName, string, string, number, number, 'fanIn' | 'fanOut'][] = [
    ['xavierInit', 'xavier-rejects-zero-fan-out', "a 'fanOut' of 0", 4, 0, 'fanOut'],
    ['xavierInit', 'xavier-rejects-nan-fan-in', "a 'fanIn' of NaN", Number.NaN, 3, 'fanIn'],
    ['heInit', 'he-rejects-fractional-fan-in', "a 'fanIn' of 1.5", 1.5, 3, 'fanIn'],
    ['heInit', 'he-rejects-infinite-fan-out', "a 'fanOut' of Infinity", 3, Number.POSITIVE_INFINITY, 'fanOut'],
    ['smallRandomInit', 'small-rejects-negative-fan-in', "a 'fanIn' of −1", -1, 3, 'fanIn'],
    ['smallRandomInit', 'small-rejects-fractional-fan-out', "a 'fanOut' of 0.5", 3, 0.5, 'fanOut'],
  ];
  test.for(fans)('%s › %s: %s is a RangeError', ([fn, , , fanIn, fanOut, arg]) => {
    expectInputError(() => INITS[fn](fanIn, fanOut, rng()), { fn, arg });
  });

  test("activationStatistics › stats-rejects-chain-break-at-layer-2: a 'weights[2]' of [5, 4] after a [3, 6] layer is a RangeError naming both shapes", () => {
    const r = rng();
    const weights = [randn([2, 3], r), randn([3, 6], r), randn([5, 4], r)];
    expectInputError(() => activationStatistics(randn([4, 2], r), weights, 'relu'), { fn: 'activationStatistics', arg: 'weights[2]', shapes: [[6, 4], [5, 4]] });
  });

  test("activationStatistics › stats-rejects-transposed-first-layer: a [5, 3] 'weights[0]' for an x of [4, 3] is a RangeError naming both shapes", () => {
    const r = rng();
    expectInputError(() => activationStatistics(randn([4, 3], r), [randn([5, 3], r)], 'tanh'), { fn: 'activationStatistics', arg: 'weights[0]', shapes: [[3, 3], [5, 3]] });
  });

  test("activationStatistics › stats-rejects-flat-x: an 'x' of shape [6] is a RangeError", () => {
    const r = rng();
    expectInputError(() => activationStatistics(randn([6], r), [randn([6, 2], r)], 'tanh'), { fn: 'activationStatistics', arg: 'x', shapes: [[6]] });
  });

  test("activationStatistics › stats-rejects-capitalized-activation: an 'activation' of 'ReLU' is a RangeError", () => {
    const r = rng();
    const activation = 'ReLU' as unknown as Activation;
    expectInputError(() => activationStatistics(randn([2, 2], r), [randn([2, 2], r)], activation), { fn: 'activationStatistics', arg: 'activation' });
  });
});

describe('variants', () => {
  variantTests(variantChecks, 'variants', STUDENT);
});
