/**
 * Public tests for exercise 04 — layer normalization and group normalization.
 * Run: npm test exercises/04-groupnorm
 *
 * Order: shapes → values against fixtures → properties → gradient checks → bad input.
 */
import { describe, expect, test } from 'vitest';
import { clone, createRng, map, mean, ones, randn, reshape, sqrt, variance, zeros, type Tensor } from '../../lib/index.ts';
import { expectInputError } from '../../lib/testing/errors.ts';
import { loadFixture } from '../../lib/testing/fixtures.ts';
// The tolerances (and why a correct implementation cannot miss them), the fixture-driven value
// tests and the gradient checks live in lib/testing/checks/04-groupnorm.ts.
import {
  expectGroupnormGradients,
  expectLayernormGradients,
  gradientCheckCases,
  groupnormBounds,
  TOL,
  valueTests,
  type GroupnormArgs,
  type GroupnormModule,
  type LayernormArgs,
} from '../../lib/testing/checks/04-groupnorm.ts';
import { toleranceFor } from '../../lib/testing/checks/common.ts';
import * as groupnorm from './groupnorm.ts';
import { groupnormBackward, groupnormForward, layernormBackward, layernormForward } from './groupnorm.ts';

const fixture = loadFixture('04-groupnorm');
const mod = groupnorm as unknown as GroupnormModule;
const rng = createRng('04-groupnorm/public-tests');

/** A [N, D] batch whose rows have different means and spreads, so normalizing is visible. */
function batch(N: number, D: number): Tensor {
  const x = randn([N, D], rng);
  return map(x, (v, k) => 2 * (1 + Math.floor(k / D)) * v + 10 - 4 * Math.floor(k / D) + (k % D));
}

/** [N, C, H, W] images whose channels have different means and spreads (σ ≥ 4, so ε/σ² is negligible). */
function images(N: number, C: number, H: number, W: number): Tensor {
  const x = randn([N, C, H, W], rng);
  return map(x, (v, k) => {
    const c = Math.floor(k / (H * W)) % C;
    return (4 + 2 * c) * v + 6 - 3 * c;
  });
}

/** Channel c of every pixel of every sample: `[N, C, H, W]` offset k → c. */
const channelOf = (shape: readonly number[], k: number): number => Math.floor(k / (shape[2]! * shape[3]!)) % shape[1]!;

describe('shapes', () => {
  test('layernormForward › returns out [N, D]', () => {
    const { out } = layernormForward(batch(4, 3), ones([3]), zeros([3]));
    expect(out).toHaveShape([4, 3], 'out');
  });

  test('layernormBackward › returns dx [N, D], dgamma [D] and dbeta [D]', () => {
    const { cache } = layernormForward(batch(5, 2), ones([2]), zeros([2]));
    const grads = layernormBackward(randn([5, 2], rng), cache);
    expect(grads.dx).toHaveShape([5, 2], 'dx');
    expect(grads.dgamma).toHaveShape([2], 'dgamma');
    expect(grads.dbeta).toHaveShape([2], 'dbeta');
  });

  test('groupnormForward › returns out [N, C, H, W]', () => {
    const { out } = groupnormForward(images(2, 4, 3, 2), ones([4]), zeros([4]), 2);
    expect(out).toHaveShape([2, 4, 3, 2], 'out');
  });

  test('groupnormBackward › returns dx [N, C, H, W], dgamma [C] and dbeta [C]', () => {
    const { cache } = groupnormForward(images(2, 4, 3, 2), ones([4]), zeros([4]), 2);
    const grads = groupnormBackward(randn([2, 4, 3, 2], rng), cache);
    expect(grads.dx).toHaveShape([2, 4, 3, 2], 'dx');
    expect(grads.dgamma).toHaveShape([4], 'dgamma');
    expect(grads.dbeta).toHaveShape([4], 'dbeta');
  });
});

describe('values', () => {
  valueTests(fixture, mod);
});

describe('properties', () => {
  test('layernormForward › with gamma = 1 and beta = 0, every row has mean 0 and std 1', () => {
    const x = batch(3, 200);
    const { out } = layernormForward(x, ones([200]), zeros([200]));
    expect(mean(out, 1)).toBeAllClose(zeros([3]), { rtol: 0, atol: 1e-12, what: 'per-row mean of out' });
    // Biased std of out is √(σ² / (σ² + ε)): 1 to within 1e-6 for these variances (σ² ≥ 4).
    expect(sqrt(variance(out, 1))).toBeAllClose(ones([3]), { rtol: 1e-6, atol: 0, what: 'per-row std of out' });
  });

  test("layernormForward › a row's output does not depend on the other rows (unlike batch norm)", () => {
    const x = batch(3, 5);
    const gamma = randn([5], rng);
    const beta = randn([5], rng);
    const before = layernormForward(x, gamma, beta).out;
    // Change row 2 only: rows 0 and 1 must come out exactly as before.
    const changed = map(x, (v, k) => (Math.floor(k / 5) === 2 ? 100 * v - 40 : v));
    const after = layernormForward(changed, gamma, beta).out;
    const firstRows = (t: Tensor): Tensor => ({ shape: [2, 5], data: t.data.slice(0, 10) });
    expect(firstRows(after)).toBeAllClose(firstRows(before), { ...TOL, what: 'rows 0 and 1 after changing row 2' });
  });

  test('groupnormForward › with gamma = 1 and beta = 0, every (sample, group) has mean 0 and std 1', () => {
    const [N, C, H, W, G] = [2, 6, 5, 4, 3];
    const x = images(N, C, H, W);
    const { out } = groupnormForward(x, ones([C]), zeros([C]), G);
    // Group g is channels 2g and 2g + 1, contiguous in memory: a [N·G, (C/G)·H·W] view has one group per row.
    const perGroup = reshape(out, [N * G, (C / G) * H * W]);
    expect(mean(perGroup, 1)).toBeAllClose(zeros([N * G]), { rtol: 0, atol: 1e-12, what: 'mean of each (sample, group)' });
    expect(sqrt(variance(perGroup, 1))).toBeAllClose(ones([N * G]), { rtol: 1e-6, atol: 0, what: 'std of each (sample, group)' });
  });

  test.for([
    ['gamma and beta constant across channels', false],
    ['per-channel gamma and beta repeated over H·W', true],
  ] as const)(
    'groupnormForward › with G = 1 (one group of all channels) it is layer norm over (C, H, W): %s',
    ([, perChannel]) => {
      const [N, C, H, W] = [3, 4, 2, 3];
      const x = images(N, C, H, W);
      const gamma = perChannel ? randn([C], rng) : map(ones([C]), () => 1.5);
      const beta = perChannel ? randn([C], rng) : map(ones([C]), () => -0.5);
      const { out } = groupnormForward(x, gamma, beta, 1);
      // Layer norm on x reshaped to [N, C·H·W], with gamma and beta given per element.
      const D = C * H * W;
      const perElement = (t: Tensor): Tensor => map(zeros([D]), (_, k) => t.data[Math.floor(k / (H * W))]!);
      const expected = layernormForward(reshape(x, [N, D]), perElement(gamma), perElement(beta)).out;
      // Two implementations of one normalization: the derived bound (below 1e-12 here), or TOL.
      expect(out).toBeAllClose(reshape(expected, [N, C, H, W]), { ...toleranceFor(groupnormBounds({ x, gamma, beta, G: 1 }).out), what: 'group norm with G = 1' });
    },
  );

  test('groupnormForward › with G = C (one channel per group) it is instance norm over (H, W)', () => {
    const [N, C, H, W] = [2, 3, 3, 2];
    const x = images(N, C, H, W);
    const gamma = randn([C], rng);
    const beta = randn([C], rng);
    const { out } = groupnormForward(x, gamma, beta, C);
    // Instance norm, written out: each (n, c) plane normalized over its H·W values.
    const eps = 1e-5;
    const HW = H * W;
    const expected = new Float64Array(N * C * HW);
    for (let p = 0; p < N * C; p++) {
      const plane = x.data.subarray(p * HW, (p + 1) * HW);
      const mu = plane.reduce((s, v) => s + v, 0) / HW;
      const sigma2 = plane.reduce((s, v) => s + (v - mu) ** 2, 0) / HW;
      const c = p % C;
      plane.forEach((v, j) => (expected[p * HW + j] = (gamma.data[c]! * (v - mu)) / Math.sqrt(sigma2 + eps) + beta.data[c]!));
    }
    expect(out).toBeAllClose({ shape: [N, C, H, W], data: expected }, { ...toleranceFor(groupnormBounds({ x, gamma, beta, G: C }).out), what: 'group norm with G = C' });
  });

  test('groupnormForward › gamma and beta act per channel, after normalizing: out = gamma_c · x̂ + beta_c', () => {
    const [N, C, H, W, G] = [2, 4, 2, 3, 2];
    const x = images(N, C, H, W);
    const gamma = { shape: [C], data: Float64Array.of(2, -1, 0.5, 3) };
    const beta = { shape: [C], data: Float64Array.of(-2, 0.5, 3, 7) };
    const xhat = groupnormForward(x, ones([C]), zeros([C]), G).out;
    const { out } = groupnormForward(x, gamma, beta, G);
    const expected = map(xhat, (v, k) => gamma.data[channelOf(x.shape, k)]! * v + beta.data[channelOf(x.shape, k)]!);
    expect(out).toBeAllClose(expected, { ...TOL, what: 'out with per-channel gamma and beta' });
  });

  test('layernormForward and groupnormForward › never mutate their inputs', () => {
    const x = batch(4, 3);
    const gamma = randn([3], rng);
    const beta = randn([3], rng);
    const img = images(2, 4, 2, 2);
    const g4 = randn([4], rng);
    const b4 = randn([4], rng);
    const inputs = [x, gamma, beta, img, g4, b4];
    const before = inputs.map(clone);
    layernormForward(x, gamma, beta);
    groupnormForward(img, g4, b4, 2);
    inputs.forEach((t, i) => expect(t.data).toEqual(before[i]!.data));
  });

  test('layernormBackward and groupnormBackward › never mutate dout', () => {
    const ln = layernormForward(batch(4, 3), ones([3]), zeros([3]));
    const gn = groupnormForward(images(2, 4, 2, 2), ones([4]), zeros([4]), 2);
    const dout1 = randn([4, 3], rng);
    const dout2 = randn([2, 4, 2, 2], rng);
    const before = [dout1, dout2].map(clone);
    layernormBackward(dout1, ln.cache);
    groupnormBackward(dout2, gn.cache);
    expect(dout1.data).toEqual(before[0]!.data);
    expect(dout2.data).toEqual(before[1]!.data);
  });
});

describe('gradients', () => {
  // The inputs come from the fixture, drawn so that a correct backward pass stays far below the
  // bound (see GRAD_MAX_REL_ERROR in lib/testing/checks/04-groupnorm.ts).
  test.for(gradientCheckCases<LayernormArgs>(fixture, 'layernormBackward'))(
    'layernormBackward › dx, dgamma and dbeta match numerical gradients of layernormForward',
    (args) => {
      expectLayernormGradients(mod, args);
    },
  );

  test.for(gradientCheckCases<GroupnormArgs>(fixture, 'groupnormBackward').map((args) => [args.G, args] as const))(
    'groupnormBackward › with G = %i, dx, dgamma and dbeta of [2, 6, 2, 3] match numerical gradients of groupnormForward',
    ([, args]) => {
      expectGroupnormGradients(mod, args);
    },
  );
});

describe('bad input', () => {
  const x = batch(4, 5);
  const img = images(2, 6, 2, 3);

  test("layernormForward › a 'gamma' of the wrong length is a RangeError naming both shapes", () => {
    expectInputError(() => layernormForward(x, ones([4]), zeros([5])), { fn: 'layernormForward', arg: 'gamma', shapes: [[5], [4]] });
  });

  test("layernormForward › a 'beta' of the wrong length is a RangeError naming both shapes", () => {
    expectInputError(() => layernormForward(x, ones([5]), zeros([6])), { fn: 'layernormForward', arg: 'beta', shapes: [[5], [6]] });
  });

  test("layernormForward › an 'x' that is not [N, D] is a RangeError", () => {
    expectInputError(() => layernormForward(zeros([2, 2, 5]), ones([5]), zeros([5])), { fn: 'layernormForward', arg: 'x', shapes: [[2, 2, 5]] });
  });

  test("layernormBackward › a 'dout' of the wrong shape is a RangeError", () => {
    const { cache } = layernormForward(x, ones([5]), zeros([5]));
    expectInputError(() => layernormBackward(zeros([5, 4]), cache), { fn: 'layernormBackward', arg: 'dout', shapes: [[4, 5], [5, 4]] });
  });

  test("groupnormForward › a G that does not divide C is a RangeError naming 'G' and C", () => {
    const run = (): unknown => groupnormForward(img, ones([6]), zeros([6]), 4);
    expectInputError(run, { fn: 'groupnormForward', arg: 'G' });
    let message = '';
    try {
      run();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message, 'the error message should give the number of channels, C = 6').toMatch(/\b6\b/);
  });

  test.for([0, -2, 1.5])("groupnormForward › G = %s (not a positive integer) is a RangeError naming 'G'", (G) => {
    expectInputError(() => groupnormForward(img, ones([6]), zeros([6]), G), { fn: 'groupnormForward', arg: 'G' });
  });

  test("groupnormForward › a 'gamma' of one value per group instead of per channel is a RangeError naming both shapes", () => {
    expectInputError(() => groupnormForward(img, ones([2]), zeros([6]), 2), { fn: 'groupnormForward', arg: 'gamma', shapes: [[6], [2]] });
  });

  test("groupnormForward › a 'beta' of the wrong length is a RangeError naming both shapes", () => {
    expectInputError(() => groupnormForward(img, ones([6]), zeros([3]), 3), { fn: 'groupnormForward', arg: 'beta', shapes: [[6], [3]] });
  });

  test("groupnormForward › an 'x' that is not [N, C, H, W] is a RangeError", () => {
    expectInputError(() => groupnormForward(zeros([2, 6, 6]), ones([6]), zeros([6]), 2), { fn: 'groupnormForward', arg: 'x', shapes: [[2, 6, 6]] });
  });

  test("groupnormBackward › a 'dout' of the wrong shape is a RangeError", () => {
    const { cache } = groupnormForward(img, ones([6]), zeros([6]), 2);
    expectInputError(() => groupnormBackward(zeros([2, 6, 3, 2]), cache), {
      fn: 'groupnormBackward',
      arg: 'dout',
      shapes: [[2, 6, 2, 3], [2, 6, 3, 2]],
    });
  });
});
