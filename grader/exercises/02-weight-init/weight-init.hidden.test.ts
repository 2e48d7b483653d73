/**
 * Hidden suite for exercise 02 — weight initialization. Never shipped to students.
 * Titles are `fn › case-id: description`; the grader reports hidden failures by id and kind only.
 *
 * Initializers always receive a fresh `createRng(seed)`. A correct initializer reproduces the
 * reference draw for draw, so the statistical checks use fixed seeds: they pass or fail the same
 * way for every student. `activationStatistics` is graded on its own: its weights here are built
 * from lib's `randn`, never from the student's initializers.
 */
import { describe, expect, test } from 'vitest';
import { clone, createRng, map, mean, randn, variance, type Tensor } from '../../../lib/index.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { casesFor, loadFixture, titled } from '../../../lib/testing/fixtures.ts';
import { activationStatistics, heInit, smallRandomInit, xavierInit, type Activation, type LayerStatistics } from '../../../exercises/02-weight-init/weight-init.ts';
import * as reference from '../../../solutions/02-weight-init/weight-init.ts';
import { variantRng } from '../variants.ts';

const fixture = loadFixture('02-weight-init', 'hidden');
/** Same tolerance as the public suite: float64 reordering costs ~1e-15; real mistakes cost ≥ 1e-5. */
const TOL = { rtol: 1e-7, atol: 1e-10 };

const INITS = { xavierInit, heInit, smallRandomInit } as const;
type InitName = keyof typeof INITS;
const KEBAB: Record<InitName, string> = { xavierInit: 'xavier', heInit: 'he', smallRandomInit: 'small' };

function asTensors(stats: readonly LayerStatistics[]): { mean: Tensor; std: Tensor } {
  const L = stats.length;
  return { mean: { shape: [L], data: Float64Array.from(stats, (s) => s.mean) }, std: { shape: [L], data: Float64Array.from(stats, (s) => s.std) } };
}

function expectSameStatistics(got: readonly LayerStatistics[], want: readonly LayerStatistics[]): void {
  const g = asTensors(got);
  const w = asTensors(want);
  expect(g.mean).toBeAllClose(w.mean, { ...TOL, what: 'mean per layer' });
  expect(g.std).toBeAllClose(w.std, { ...TOL, what: 'std per layer' });
}

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
        expect(INITS[name](fanIn, fanOut, createRng('02-weight-init/hidden-shapes')).shape).toEqual([fanIn, fanOut]);
      }
    },
  );

  test('activationStatistics › stats-one-per-layer: five layers give five entries, one layer gives one', () => {
    const rng = variantRng('02-weight-init/stats-length');
    const weights = [3, 4, 2, 5, 1].map((d, l) => randn([[2, 3, 4, 2, 5][l]!, d], rng));
    expect(activationStatistics(randn([4, 2], rng), weights, 'relu')).toHaveLength(5);
    expect(activationStatistics(randn([4, 2], rng), weights.slice(0, 1), 'tanh')).toHaveLength(1);
  });
});

describe('values', () => {
  type InitArgs = { fanIn: number; fanOut: number; seed: string; scale?: number };
  const initCases = (Object.keys(INITS) as InitName[]).flatMap((n) => casesFor<InitArgs, { W: Tensor }>(fixture, n));
  test.for(titled(initCases))('%s', ([, { fn, args, expected }]) => {
    const rng = createRng(args.seed);
    const W =
      fn === 'smallRandomInit' && args.scale !== undefined
        ? smallRandomInit(args.fanIn, args.fanOut, rng, args.scale)
        : INITS[fn as InitName](args.fanIn, args.fanOut, rng);
    expect(W).toBeAllClose(expected.W, { ...TOL, what: 'W' });
  });

  type StatsArgs = { x: Tensor; weights: Tensor[]; activation: Activation };
  test.for(titled(casesFor<StatsArgs, { mean: Tensor; std: Tensor }>(fixture, 'activationStatistics')))('%s', ([, { args, expected }]) => {
    const got = asTensors(activationStatistics(args.x, args.weights, args.activation));
    expect(got.mean).toBeAllClose(expected.mean, { ...TOL, what: 'mean per layer' });
    expect(got.std).toBeAllClose(expected.std, { ...TOL, what: 'std per layer' });
  });
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

  test.for((Object.keys(INITS) as InitName[]).map((n) => [n, KEBAB[n], n] as const))(
    '%s › %s-row-major-draws: weight [i, j] is draw number i · fanOut + j of the generator',
    ([, , name]) => {
      const seed = `${variantRng('02-weight-init/row-major').seed}/${name}`;
      const draws = createRng(seed);
      const z = Float64Array.from({ length: 12 }, () => draws.randn());
      const scale = name === 'xavierInit' ? 1 / Math.sqrt(3) : name === 'heInit' ? Math.sqrt(2 / 3) : 0.01;
      expect(INITS[name](3, 4, createRng(seed))).toBeAllClose({ shape: [3, 4], data: z.map((v) => v * scale) }, { ...TOL, what: 'W' });
    },
  );

  test('activationStatistics › stats-inputs-untouched: neither x nor any weight matrix is mutated', () => {
    const rng = variantRng('02-weight-init/untouched');
    const x = randn([5, 4], rng);
    const weights = [randn([4, 6], rng), randn([6, 3], rng)];
    const before = [x, ...weights].map(clone);
    activationStatistics(x, weights, 'tanh');
    [x, ...weights].forEach((t, i) => expect(t.data).toEqual(before[i]!.data));
  });

  /**
   * The lecture's experiment on your personal data: 50 examples through 10 layers of 64 units.
   * One set of standard normal matrices, scaled four ways, so only activationStatistics is graded.
   * Each test compares with the reference first, then checks the lecture's fact; the bounds have
   * ≥ 6 standard deviations of margin for any seed (checked over many seeds).
   */
  const lecture = (() => {
    const rng = variantRng('02-weight-init/lecture');
    const D = 64;
    const x = randn([50, D], rng);
    const base = Array.from({ length: 10 }, () => randn([D, D], rng));
    const scaled = (s: number): Tensor[] => base.map((w) => map(w, (v) => v * s));
    return { x, small: scaled(0.01), unit: base, xavier: scaled(1 / Math.sqrt(D)), he: scaled(Math.sqrt(2 / D)) };
  })();
  const runLecture = (weights: Tensor[], activation: Activation): number[] => {
    const got = activationStatistics(lecture.x, weights, activation);
    expectSameStatistics(got, reference.activationStatistics(lecture.x, weights, activation));
    return got.map((s) => s.std);
  };
  const varianceRatio = (std: number[]): number => (std[9]! / std[0]!) ** (2 / 9);

  test('activationStatistics › stats-lecture-small-weights: 0.01 · randn with tanh collapses to std < 1e-6 by layer 10', () => {
    const std = runLecture(lecture.small, 'tanh');
    expect(std[9]).toBeLessThan(1e-6);
  });

  test('activationStatistics › stats-lecture-unit-weights: randn with tanh saturates every layer (std > 0.9)', () => {
    runLecture(lecture.unit, 'tanh').forEach((s, l) => expect(s, `std of layer ${l + 1}`).toBeGreaterThan(0.9));
  });

  test('activationStatistics › stats-lecture-xavier-tanh: Xavier with tanh keeps every layer’s std between 0.1 and 0.9', () => {
    runLecture(lecture.xavier, 'tanh').forEach((s, l) => {
      expect(s, `std of layer ${l + 1}`).toBeGreaterThan(0.1);
      expect(s, `std of layer ${l + 1}`).toBeLessThan(0.9);
    });
  });

  test('activationStatistics › stats-lecture-xavier-relu: Xavier with relu halves the variance per layer', () => {
    const ratio = varianceRatio(runLecture(lecture.xavier, 'relu'));
    expect(ratio).toBeGreaterThan(0.35);
    expect(ratio).toBeLessThan(0.7);
  });

  test('activationStatistics › stats-lecture-he-relu: He with relu keeps the variance per layer', () => {
    const ratio = varianceRatio(runLecture(lecture.he, 'relu'));
    expect(ratio).toBeGreaterThan(0.75);
    expect(ratio).toBeLessThan(1.33);
  });
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
  const rng = variantRng('02-weight-init');
  const fanIn = 1 + rng.randint(0, 30);
  const fanOut = 1 + rng.randint(0, 30);
  const seed = `${rng.seed}/weights`;
  const scale = 0.001 + 2 * rng.uniform();

  test.for((Object.keys(INITS) as InitName[]).map((n) => [n, KEBAB[n], n] as const))('%s › %s-variant: your personal fans and seed', ([, , name]) => {
    const want = reference[name](fanIn, fanOut, createRng(seed));
    expect(INITS[name](fanIn, fanOut, createRng(seed))).toBeAllClose(want, { ...TOL, what: 'W' });
  });

  test('smallRandomInit › small-variant-scale: your personal fans, seed and scale', () => {
    const want = reference.smallRandomInit(fanIn, fanOut, createRng(seed), scale);
    expect(smallRandomInit(fanIn, fanOut, createRng(seed), scale)).toBeAllClose(want, { ...TOL, what: 'W' });
  });

  test.for(['tanh', 'relu'] as const)('activationStatistics › stats-variant-%s: your personal network', (activation) => {
    const r = variantRng(`02-weight-init/variant-${activation}`);
    const widths = Array.from({ length: 2 + r.randint(0, 4) }, () => 1 + r.randint(0, 12));
    const x = map(randn([1 + r.randint(0, 10), widths[0]!], r), (v) => 2 * v + r.uniform() - 0.5);
    const weights = widths.slice(1).map((d, l) => map(randn([widths[l]!, d], r), (v) => v / Math.sqrt(widths[l]!) * (0.5 + r.uniform())));
    expectSameStatistics(activationStatistics(x, weights, activation), reference.activationStatistics(x, weights, activation));
  });
});
