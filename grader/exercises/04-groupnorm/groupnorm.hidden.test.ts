/**
 * Hidden suite for exercise 04 — layer normalization and group normalization. Never shipped to
 * students. Titles are `fn › case-id: description`; the grader reports hidden failures by id and
 * kind only.
 */
import { describe, expect, test } from 'vitest';
import { clone, createRng, map, mean, ones, randn, reshape, sqrt, variance, zeros, type Rng, type Tensor } from '../../../lib/index.ts';
import { evalNumericalGradientArray, relError } from '../../../lib/testing/gradcheck.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { casesFor, loadFixture, titled } from '../../../lib/testing/fixtures.ts';
import { groupnormBackward, groupnormForward, layernormBackward, layernormForward } from '../../../exercises/04-groupnorm/groupnorm.ts';
import * as reference from '../../../solutions/04-groupnorm/groupnorm.ts';
import { variantRng } from '../variants.ts';

const fixture = loadFixture('04-groupnorm', 'hidden');
/** Same tolerances as the public suite: float64 reordering costs ~1e-15; real mistakes cost ≥ 1e-5. */
const TOL = { rtol: 1e-7, atol: 1e-10 };
const GRAD_MAX_REL_ERROR = 1e-6;

type LayernormArgs = { x: Tensor; gamma: Tensor; beta: Tensor; eps?: number };
type GroupnormArgs = LayernormArgs & { G: number };
type Gradients = { dx: Tensor; dgamma: Tensor; dbeta: Tensor };

/** `[N, D]` rows with their own offsets and spreads (σ ≥ 3). */
function rows(rng: Rng, N: number, D: number): Tensor {
  return map(randn([N, D], rng), (v, k) => (1 + Math.floor(k / D)) * 3 * v + 7 - 5 * Math.floor(k / D) + (k % D));
}

/** `[N, C, H, W]` images whose channels have their own offsets and spreads (σ ≥ 3). */
function images(rng: Rng, N: number, C: number, H: number, W: number): Tensor {
  return map(randn([N, C, H, W], rng), (v, k) => {
    const c = Math.floor(k / (H * W)) % C;
    return (3 + c) * v + 4 - 3 * c;
  });
}

/** Elements `[from, to)` of a tensor's flat data, as a flat tensor: one sample, one row, one group. */
const slice = (t: Tensor, from: number, to: number): Tensor => ({ shape: [to - from], data: t.data.slice(from, to) });

describe('shapes', () => {
  test.for([
    [1, 5],
    [7, 1],
    [3, 11],
  ] as const)('layernormForward › ln-shape-%i-by-%i: out keeps the shape [N, D] of x', ([N, D]) => {
    const rng = variantRng('04-groupnorm/shapes');
    const { out } = layernormForward(randn([N, D], rng), ones([D]), zeros([D]));
    expect(out.shape).toEqual([N, D]);
  });

  test('layernormBackward › ln-shape-grads: dx is [N, D], dgamma and dbeta are [D]', () => {
    const rng = variantRng('04-groupnorm/shapes-ln-backward');
    const { cache } = layernormForward(randn([3, 4], rng), ones([4]), zeros([4]));
    const grads = layernormBackward(randn([3, 4], rng), cache);
    expect(grads.dx.shape).toEqual([3, 4]);
    expect(grads.dgamma.shape).toEqual([4]);
    expect(grads.dbeta.shape).toEqual([4]);
  });

  test.for([
    [1, 4, 3, 5, 2],
    [3, 6, 1, 1, 3],
    [2, 1, 2, 2, 1],
  ] as const)('groupnormForward › gn-shape-%ix%ix%ix%i-g%i: out keeps the shape [N, C, H, W] of x', ([N, C, H, W, G]) => {
    const rng = variantRng('04-groupnorm/shapes');
    const { out } = groupnormForward(randn([N, C, H, W], rng), ones([C]), zeros([C]), G);
    expect(out.shape).toEqual([N, C, H, W]);
  });

  test('groupnormBackward › gn-shape-grads: dx is [N, C, H, W], dgamma and dbeta are [C]', () => {
    const rng = variantRng('04-groupnorm/shapes-gn-backward');
    const { cache } = groupnormForward(randn([2, 6, 3, 1], rng), ones([6]), zeros([6]), 3);
    const grads = groupnormBackward(randn([2, 6, 3, 1], rng), cache);
    expect(grads.dx.shape).toEqual([2, 6, 3, 1]);
    expect(grads.dgamma.shape).toEqual([6]);
    expect(grads.dbeta.shape).toEqual([6]);
  });
});

describe('values', () => {
  test.for(titled(casesFor<LayernormArgs, { out: Tensor }>(fixture, 'layernormForward')))('%s', ([, { args, expected, tolerance }]) => {
    const { out } = layernormForward(args.x, args.gamma, args.beta, args.eps);
    expect(out).toBeAllClose(expected.out, { ...(tolerance ?? TOL), what: 'out' });
  });

  test.for(titled(casesFor<LayernormArgs & { dout: Tensor }, Gradients>(fixture, 'layernormBackward')))('%s', ([, { args, expected }]) => {
    const { cache } = layernormForward(args.x, args.gamma, args.beta, args.eps);
    const grads = layernormBackward(args.dout, cache);
    expect(grads.dbeta).toBeAllClose(expected.dbeta, { ...TOL, what: 'dbeta' });
    expect(grads.dgamma).toBeAllClose(expected.dgamma, { ...TOL, what: 'dgamma' });
    expect(grads.dx).toBeAllClose(expected.dx, { ...TOL, what: 'dx' });
  });

  test.for(titled(casesFor<GroupnormArgs, { out: Tensor }>(fixture, 'groupnormForward')))('%s', ([, { args, expected, tolerance }]) => {
    const { out } = groupnormForward(args.x, args.gamma, args.beta, args.G, args.eps);
    expect(out).toBeAllClose(expected.out, { ...(tolerance ?? TOL), what: 'out' });
  });

  test.for(titled(casesFor<GroupnormArgs & { dout: Tensor }, Gradients>(fixture, 'groupnormBackward')))('%s', ([, { args, expected }]) => {
    const { cache } = groupnormForward(args.x, args.gamma, args.beta, args.G, args.eps);
    const grads = groupnormBackward(args.dout, cache);
    expect(grads.dbeta).toBeAllClose(expected.dbeta, { ...TOL, what: 'dbeta' });
    expect(grads.dgamma).toBeAllClose(expected.dgamma, { ...TOL, what: 'dgamma' });
    expect(grads.dx).toBeAllClose(expected.dx, { ...TOL, what: 'dx' });
  });
});

describe('properties', () => {
  test('layernormForward › ln-row-stats-large: with gamma = 1 and beta = 0, each of 8 rows of 512 features has mean 0 and std 1', () => {
    const rng = variantRng('04-groupnorm/row-stats');
    const x = rows(rng, 8, 512);
    const { out } = layernormForward(x, ones([512]), zeros([512]));
    expect(mean(out, 1)).toBeAllClose(zeros([8]), { rtol: 0, atol: 1e-12, what: 'per-row mean' });
    // √(σ² / (σ² + ε)) with σ² ≳ 9: within 1e-6 of 1; the unbiased variance would be off by 1e-3.
    expect(sqrt(variance(out, 1))).toBeAllClose(ones([8]), { rtol: 2e-6, atol: 0, what: 'per-row std' });
  });

  test('layernormForward › ln-rows-independent: changing one row leaves the output of every other row unchanged', () => {
    const rng = variantRng('04-groupnorm/rows-independent');
    const [N, D] = [5, 6];
    const x = rows(rng, N, D);
    const gamma = randn([D], rng);
    const beta = randn([D], rng);
    const before = layernormForward(x, gamma, beta).out;
    const after = layernormForward(map(x, (v, k) => (Math.floor(k / D) === 3 ? 50 * v + 100 : v)), gamma, beta).out;
    expect(slice(after, 0, 3 * D)).toBeAllClose(slice(before, 0, 3 * D), { ...TOL, what: 'rows 0–2' });
    expect(slice(after, 4 * D, 5 * D)).toBeAllClose(slice(before, 4 * D, 5 * D), { ...TOL, what: 'row 4' });
  });

  test('layernormForward › ln-single-row-batch: a batch of one row gives that row the same output as inside a larger batch', () => {
    const rng = variantRng('04-groupnorm/single-row');
    const [N, D] = [4, 7];
    const x = rows(rng, N, D);
    const gamma = randn([D], rng);
    const beta = randn([D], rng);
    const all = layernormForward(x, gamma, beta).out;
    const alone = layernormForward({ shape: [1, D], data: x.data.slice(2 * D, 3 * D) }, gamma, beta).out;
    expect(alone).toBeAllClose({ shape: [1, D], data: all.data.slice(2 * D, 3 * D) }, { ...TOL, what: 'row 2 on its own' });
  });

  test('layernormForward › ln-one-feature-is-beta: with D = 1 every x̂ is 0, so out equals beta and stays finite', () => {
    const rng = variantRng('04-groupnorm/one-feature');
    const beta = randn([1], rng);
    const { out } = layernormForward(map(randn([6, 1], rng), (v) => 100 * v), randn([1], rng), beta);
    expect(out).toBeAllClose(map(zeros([6, 1]), () => beta.data[0]!), { rtol: 0, atol: 1e-12, what: 'out' });
  });

  test('groupnormForward › gn-group-stats-large: [4, 12, 6, 5] with G = 3 and gamma = 1, beta = 0: each (sample, group) has mean 0 and std 1', () => {
    const rng = variantRng('04-groupnorm/group-stats');
    const [N, C, H, W, G] = [4, 12, 6, 5, 3];
    const { out } = groupnormForward(images(rng, N, C, H, W), ones([C]), zeros([C]), G);
    const perGroup = reshape(out, [N * G, (C / G) * H * W]);
    expect(mean(perGroup, 1)).toBeAllClose(zeros([N * G]), { rtol: 0, atol: 1e-12, what: 'mean of each (sample, group)' });
    expect(sqrt(variance(perGroup, 1))).toBeAllClose(ones([N * G]), { rtol: 2e-6, atol: 0, what: 'std of each (sample, group)' });
  });

  test('groupnormForward › gn-identity-g1-is-layernorm: with G = 1 it equals layer norm of x reshaped to [N, C·H·W], gamma and beta repeated per pixel', () => {
    const rng = variantRng('04-groupnorm/identity-g1');
    const [N, C, H, W] = [3, 5, 2, 3];
    const x = images(rng, N, C, H, W);
    const gamma = randn([C], rng);
    const beta = randn([C], rng);
    const perElement = (t: Tensor): Tensor => map(zeros([C * H * W]), (_, k) => t.data[Math.floor(k / (H * W))]!);
    const want = reference.layernormForward(reshape(x, [N, C * H * W]), perElement(gamma), perElement(beta)).out;
    expect(groupnormForward(x, gamma, beta, 1).out).toBeAllClose(reshape(want, [N, C, H, W]), { ...TOL, what: 'group norm with G = 1' });
  });

  test('groupnormForward › gn-identity-gc-is-instance-norm: with G = C it equals each (sample, channel) plane normalized over H·W', () => {
    const rng = variantRng('04-groupnorm/identity-gc');
    const [N, C, H, W] = [3, 5, 3, 2];
    const x = images(rng, N, C, H, W);
    const gamma = randn([C], rng);
    const beta = randn([C], rng);
    const HW = H * W;
    const want = new Float64Array(N * C * HW);
    for (let p = 0; p < N * C; p++) {
      const plane = x.data.subarray(p * HW, (p + 1) * HW);
      const mu = plane.reduce((s, v) => s + v, 0) / HW;
      const sigma2 = plane.reduce((s, v) => s + (v - mu) ** 2, 0) / HW;
      plane.forEach((v, j) => (want[p * HW + j] = (gamma.data[p % C]! * (v - mu)) / Math.sqrt(sigma2 + 1e-5) + beta.data[p % C]!));
    }
    expect(groupnormForward(x, gamma, beta, C).out).toBeAllClose({ shape: [N, C, H, W], data: want }, { ...TOL, what: 'group norm with G = C' });
  });

  test('groupnormForward › gn-samples-independent: changing one sample leaves the output of the others unchanged', () => {
    const rng = variantRng('04-groupnorm/samples-independent');
    const [N, C, H, W, G] = [3, 4, 2, 2, 2];
    const size = C * H * W;
    const x = images(rng, N, C, H, W);
    const gamma = randn([C], rng);
    const beta = randn([C], rng);
    const before = groupnormForward(x, gamma, beta, G).out;
    const after = groupnormForward(map(x, (v, k) => (Math.floor(k / size) === 1 ? 20 * v - 50 : v)), gamma, beta, G).out;
    expect(slice(after, 0, size)).toBeAllClose(slice(before, 0, size), { ...TOL, what: 'sample 0' });
    expect(slice(after, 2 * size, 3 * size)).toBeAllClose(slice(before, 2 * size, 3 * size), { ...TOL, what: 'sample 2' });
  });

  test('groupnormForward › gn-groups-independent: changing the channels of one group leaves the other groups unchanged', () => {
    const rng = variantRng('04-groupnorm/groups-independent');
    const [N, C, H, W, G] = [2, 6, 2, 3, 3];
    const HW = H * W;
    const x = images(rng, N, C, H, W);
    const gamma = randn([C], rng);
    const beta = randn([C], rng);
    const before = groupnormForward(x, gamma, beta, G).out;
    // Group 1 is channels 2 and 3 of every sample.
    const inGroup1 = (k: number): boolean => Math.floor((Math.floor(k / HW) % C) / (C / G)) === 1;
    const after = groupnormForward(map(x, (v, k) => (inGroup1(k) ? 10 * v + 30 : v)), gamma, beta, G).out;
    const others = (t: Tensor): Tensor => {
      const kept = Array.from(t.data).filter((_, k) => !inGroup1(k));
      return { shape: [kept.length], data: Float64Array.from(kept) };
    };
    expect(others(after)).toBeAllClose(others(before), { ...TOL, what: 'groups 0 and 2' });
  });

  test('layernormForward › ln-inputs-untouched: x, gamma and beta are never mutated', () => {
    const rng = variantRng('04-groupnorm/ln-mutation');
    const args = [rows(rng, 3, 4), randn([4], rng), randn([4], rng)] as const;
    const before = args.map(clone);
    layernormForward(args[0], args[1], args[2]);
    args.forEach((t, i) => expect(t.data).toEqual(before[i]!.data));
  });

  test('groupnormForward › gn-inputs-untouched: x, gamma and beta are never mutated', () => {
    const rng = variantRng('04-groupnorm/gn-mutation');
    const args = [images(rng, 2, 4, 3, 2), randn([4], rng), randn([4], rng)] as const;
    const before = args.map(clone);
    groupnormForward(args[0], args[1], args[2], 2);
    args.forEach((t, i) => expect(t.data).toEqual(before[i]!.data));
  });

  test('groupnormBackward › gn-dout-untouched: dout is never mutated', () => {
    const rng = variantRng('04-groupnorm/dout-mutation');
    const { cache } = groupnormForward(images(rng, 2, 4, 3, 2), randn([4], rng), randn([4], rng), 2);
    const dout = randn([2, 4, 3, 2], rng);
    const before = clone(dout);
    groupnormBackward(dout, cache);
    expect(dout.data).toEqual(before.data);
  });
});

describe('gradients', () => {
  // Numerical gradients of the reference forward pass: the student's backward is fed the student's
  // own cache, and must match the true gradient.
  // NOTE: fixed seeds, not per-student ones: the CS231n relative error is the worst elementwise ratio,
  // and an input that happens to put an entry of dx near 0 pushes a correct backward pass above 1e-6.
  test.for([
    [4, 6],
    [1, 5],
  ] as const)('layernormBackward › ln-numerical-gradient-%ix%i: dx, dgamma and dbeta match numerical gradients of the forward pass', ([N, D]) => {
    const rng = createRng(`04-groupnorm/hidden/grad-ln-${N}x${D}`);
    const x = rows(rng, N, D);
    const gamma = randn([D], rng);
    const beta = randn([D], rng);
    const dout = randn([N, D], rng);
    const { dx, dgamma, dbeta } = layernormBackward(dout, layernormForward(x, gamma, beta).cache);
    const forward = reference.layernormForward;
    expect(relError(dbeta, evalNumericalGradientArray((b) => forward(x, gamma, b).out, beta, dout)), 'relative error of dbeta').toBeLessThan(GRAD_MAX_REL_ERROR);
    expect(relError(dgamma, evalNumericalGradientArray((g) => forward(x, g, beta).out, gamma, dout)), 'relative error of dgamma').toBeLessThan(GRAD_MAX_REL_ERROR);
    expect(relError(dx, evalNumericalGradientArray((v) => forward(v, gamma, beta).out, x, dout)), 'relative error of dx').toBeLessThan(GRAD_MAX_REL_ERROR);
  });

  test.for([
    [2, 4, 3, 2, 2],
    [1, 3, 2, 3, 1],
    [2, 3, 2, 2, 3],
    // NOTE: groups of three numbers, not two: two values always normalize to ±1, so dx is ~1e-7 and its relative error is noise.
    [3, 6, 1, 1, 2],
  ] as const)(
    'groupnormBackward › gn-numerical-gradient-%ix%ix%ix%i-g%i: dx, dgamma and dbeta match numerical gradients of the forward pass',
    ([N, C, H, W, G]) => {
      const rng = createRng(`04-groupnorm/hidden/grad-gn-${N}x${C}x${H}x${W}-g${G}`);
      const x = images(rng, N, C, H, W);
      const gamma = randn([C], rng);
      const beta = randn([C], rng);
      const dout = randn([N, C, H, W], rng);
      const { dx, dgamma, dbeta } = groupnormBackward(dout, groupnormForward(x, gamma, beta, G).cache);
      const forward = reference.groupnormForward;
      expect(relError(dbeta, evalNumericalGradientArray((b) => forward(x, gamma, b, G).out, beta, dout)), 'relative error of dbeta').toBeLessThan(GRAD_MAX_REL_ERROR);
      expect(relError(dgamma, evalNumericalGradientArray((g) => forward(x, g, beta, G).out, gamma, dout)), 'relative error of dgamma').toBeLessThan(GRAD_MAX_REL_ERROR);
      expect(relError(dx, evalNumericalGradientArray((v) => forward(v, gamma, beta, G).out, x, dout)), 'relative error of dx').toBeLessThan(GRAD_MAX_REL_ERROR);
    },
  );
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
  const rng = variantRng('04-groupnorm');
  // Layer norm: a personal [N, D] batch.
  const lnN = 2 + rng.randint(0, 5);
  const lnD = 3 + rng.randint(0, 8);
  const lnX = map(randn([lnN, lnD], rng), (v, k) => (1 + (k % 3)) * v + rng.randint(-5, 6));
  const lnGamma = randn([lnD], rng);
  const lnBeta = randn([lnD], rng);
  const lnDout = randn([lnN, lnD], rng);
  // Group norm: a personal [N, C, H, W] batch and a G with 1 < G < C that divides C (C is never prime).
  const C = [4, 6, 8, 9, 12][rng.randint(0, 5)]!;
  const divisors = Array.from({ length: C }, (_, i) => i + 1).filter((g) => C % g === 0 && g > 1 && g < C);
  const G = divisors[rng.randint(0, divisors.length)]!;
  const [N, H, W] = [1 + rng.randint(0, 3), 2 + rng.randint(0, 3), 1 + rng.randint(0, 4)];
  const x = map(randn([N, C, H, W], rng), (v, k) => {
    const c = Math.floor(k / (H * W)) % C;
    return (1 + c) * v + 2 * c - 5;
  });
  const gamma = randn([C], rng);
  const beta = randn([C], rng);
  const dout = randn([N, C, H, W], rng);

  test('layernormForward › ln-variant-forward: layer norm of your personal batch', () => {
    const want = reference.layernormForward(lnX, lnGamma, lnBeta).out;
    expect(layernormForward(lnX, lnGamma, lnBeta).out).toBeAllClose(want, { ...TOL, what: 'out' });
  });

  test('layernormBackward › ln-variant-backward: gradients on your personal batch', () => {
    const want = reference.layernormBackward(lnDout, reference.layernormForward(lnX, lnGamma, lnBeta).cache);
    const got = layernormBackward(lnDout, layernormForward(lnX, lnGamma, lnBeta).cache);
    expect(got.dbeta).toBeAllClose(want.dbeta, { ...TOL, what: 'dbeta' });
    expect(got.dgamma).toBeAllClose(want.dgamma, { ...TOL, what: 'dgamma' });
    expect(got.dx).toBeAllClose(want.dx, { ...TOL, what: 'dx' });
  });

  test('groupnormForward › gn-variant-forward: group norm of your personal images with your G', () => {
    const want = reference.groupnormForward(x, gamma, beta, G).out;
    expect(groupnormForward(x, gamma, beta, G).out).toBeAllClose(want, { ...TOL, what: 'out' });
  });

  test.for([
    ['gn-variant-g1', 'one group of all channels'],
    ['gn-variant-gc', 'one channel per group'],
  ] as const)('groupnormForward › %s: group norm of your personal images with %s', ([id]) => {
    const groups = id === 'gn-variant-g1' ? 1 : C;
    const want = reference.groupnormForward(x, gamma, beta, groups).out;
    expect(groupnormForward(x, gamma, beta, groups).out).toBeAllClose(want, { ...TOL, what: 'out' });
  });

  test('groupnormBackward › gn-variant-backward: gradients on your personal images with your G', () => {
    const want = reference.groupnormBackward(dout, reference.groupnormForward(x, gamma, beta, G).cache);
    const got = groupnormBackward(dout, groupnormForward(x, gamma, beta, G).cache);
    expect(got.dbeta).toBeAllClose(want.dbeta, { ...TOL, what: 'dbeta' });
    expect(got.dgamma).toBeAllClose(want.dgamma, { ...TOL, what: 'dgamma' });
    expect(got.dx).toBeAllClose(want.dx, { ...TOL, what: 'dx' });
  });
});
