/**
 * Exercise 04's hidden checks whose inputs are drawn from the student's seed (see ../variants.ts):
 * pure functions of (implementation, seed), so `npm run fairness` can run them for many seeds.
 * Expected values come from the reference; numerical gradients from the reference forward pass, so
 * a forward mistake is not counted twice. Also the generators of gradient-check cases, which the
 * fixture spec uses for the public ones.
 */
import { expect } from 'vitest';
import { clone, map, mean, ones, randn, reshape, sqrt, variance, zeros, type Rng, type Tensor } from '../../../lib/index.ts';
import { toleranceFor, TOL } from '../../../lib/testing/checks/common.ts';
import {
  expectGradientsClose,
  expectGroupnormGradients,
  expectLayernormGradients,
  GRAD_MAX_REL_ERROR,
  groupnormBounds,
  layernormBounds,
  runGroupnormBackward,
  runLayernormBackward,
  type GroupnormArgs,
  type GroupnormModule,
  type LayernormArgs,
} from '../../../lib/testing/checks/04-groupnorm.ts';
import { extrapolatedGradientOf, EXTRAPOLATION_STEP } from '../../../lib/testing/gradcheck.ts';
import * as reference from '../../../solutions/04-groupnorm/groupnorm.ts';
import { drawConditioned, largestGroupSum, predictedRelativeError } from '../gradient-cases.ts';
import { perSeed, rngFor, type VariantCheck } from '../variants.ts';

const REFERENCE = reference as unknown as GroupnormModule;
type LnCase = LayernormArgs & { dout: Tensor };
type GnCase = GroupnormArgs & { dout: Tensor };

/**
 * Worst-case relative error of a correct backward pass against extrapolated numerical gradients
 * of a forward pass (see ../gradient-cases.ts): δ is one implementation's forward bound (a quarter
 * of the bounds' 4×) times the largest Σ|dout| over the outputs one input moves (its row or
 * (sample, group) for x, its feature or channel for γ and β); T is measured from the estimate at h/2.
 */
function predicted(grads: { dx: Tensor; dgamma: Tensor; dbeta: Tensor }, delta: number, numerical: (wrt: 0 | 1 | 2, h: number) => Tensor): number {
  const h = EXTRAPOLATION_STEP;
  return Math.max(
    ...([[0, grads.dx], [1, grads.dgamma], [2, grads.dbeta]] as const).map(([wrt, g]) => predictedRelativeError(g, numerical(wrt, h), numerical(wrt, h / 2), delta, h)),
  );
}

export function predictedLayernormError(c: LnCase): number {
  const inputs: Parameters<typeof reference.layernormForward> = [c.x, c.gamma, c.beta];
  const D = c.x.shape[1]!;
  const moved = Math.max(largestGroupSum(c.dout, (k) => Math.floor(k / D)), largestGroupSum(c.dout, (k) => k % D));
  return predicted(runLayernormBackward(REFERENCE, c), (layernormBounds(c).out / 4) * moved, (wrt, h) =>
    extrapolatedGradientOf(reference.layernormForward, inputs, { wrt, output: ['out'], dout: c.dout, h }),
  );
}

export function predictedGroupnormError(c: GnCase): number {
  const inputs: Parameters<typeof reference.groupnormForward> = [c.x, c.gamma, c.beta, c.G];
  const [, C, H, W] = c.x.shape as [number, number, number, number];
  const channel = (k: number): number => Math.floor(k / (H * W)) % C;
  const group = (k: number): number => Math.floor(k / (C * H * W)) * c.G + Math.floor(channel(k) / (C / c.G));
  const moved = Math.max(largestGroupSum(c.dout, group), largestGroupSum(c.dout, channel));
  return predicted(runGroupnormBackward(REFERENCE, c), (groupnormBounds(c).out / 4) * moved, (wrt, h) =>
    extrapolatedGradientOf(reference.groupnormForward, inputs, { wrt, output: ['out'], dout: c.dout, h }),
  );
}

/** Spreads 2 to 6 and offsets within twice the spread, one of each per row (layer norm) or channel (group norm). */
function spreadAndOffset(rng: Rng, count: number): { spread: number[]; offset: number[] } {
  const spread = Array.from({ length: count }, () => 2 + 4 * rng.uniform());
  return { spread, offset: spread.map((s) => s * (4 * rng.uniform() - 2)) };
}

/** A layer norm gradient-check case of N × D, redrawn until a correct backward pass is predicted below a tenth of the bound. */
export function layernormGradientCase(rng: Rng, N: number, D: number): LnCase {
  return drawConditioned(rng, (r) => drawLayernormCase(r, N, D), predictedLayernormError, GRAD_MAX_REL_ERROR / 10, `layer norm ${N} × ${D} gradient`);
}

/** One draw of `layernormGradientCase`, before conditioning. */
export function drawLayernormCase(r: Rng, N: number, D: number): LnCase {
  const { spread, offset } = spreadAndOffset(r, N);
  const x = map(randn([N, D], r), (v, k) => spread[Math.floor(k / D)]! * v + offset[Math.floor(k / D)]!);
  return { x, gamma: randn([D], r), beta: randn([D], r), dout: randn([N, D], r) };
}

/** A group norm gradient-check case of [N, C, H, W] with G groups, redrawn likewise. */
export function groupnormGradientCase(rng: Rng, shape: readonly [number, number, number, number], G: number): GnCase {
  return drawConditioned(rng, (r) => drawGroupnormCase(r, shape, G), predictedGroupnormError, GRAD_MAX_REL_ERROR / 10, `group norm ${shape.join(' × ')} G = ${G} gradient`);
}

/** One draw of `groupnormGradientCase`, before conditioning. */
export function drawGroupnormCase(r: Rng, shape: readonly [number, number, number, number], G: number): GnCase {
  const [, C, H, W] = shape;
  const { spread, offset } = spreadAndOffset(r, C);
  const channel = (k: number): number => Math.floor(k / (H * W)) % C;
  const x = map(randn(shape, r), (v, k) => spread[channel(k)]! * v + offset[channel(k)]!);
  return { x, gamma: randn([C], r), beta: randn([C], r), G, dout: randn(shape, r) };
}

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

type Check = VariantCheck<GroupnormModule>;

const shapes: Check[] = [
  ...(
    [
      [1, 5],
      [7, 1],
      [3, 11],
    ] as const
  ).map(
    ([N, D]): Check => ({
      group: 'shapes',
      fn: 'layernormForward',
      id: `ln-shape-${N}-by-${D}`,
      description: 'out keeps the shape [N, D] of x',
      run: (mod, seed) => {
        const rng = rngFor(seed, '04-groupnorm/shapes');
        expect(mod.layernormForward(randn([N, D], rng), ones([D]), zeros([D])).out).toHaveShape([N, D], 'out');
      },
    }),
  ),
  {
    group: 'shapes',
    fn: 'layernormBackward',
    id: 'ln-shape-grads',
    description: 'dx is [N, D], dgamma and dbeta are [D]',
    run: (mod, seed) => {
      const rng = rngFor(seed, '04-groupnorm/shapes-ln-backward');
      const { cache } = mod.layernormForward(randn([3, 4], rng), ones([4]), zeros([4]));
      const grads = mod.layernormBackward(randn([3, 4], rng), cache);
      expect(grads.dx).toHaveShape([3, 4], 'dx');
      expect(grads.dgamma).toHaveShape([4], 'dgamma');
      expect(grads.dbeta).toHaveShape([4], 'dbeta');
    },
  },
  ...(
    [
      [1, 4, 3, 5, 2],
      [3, 6, 1, 1, 3],
      [2, 1, 2, 2, 1],
    ] as const
  ).map(
    ([N, C, H, W, G]): Check => ({
      group: 'shapes',
      fn: 'groupnormForward',
      id: `gn-shape-${N}x${C}x${H}x${W}-g${G}`,
      description: 'out keeps the shape [N, C, H, W] of x',
      run: (mod, seed) => {
        const rng = rngFor(seed, '04-groupnorm/shapes');
        expect(mod.groupnormForward(randn([N, C, H, W], rng), ones([C]), zeros([C]), G).out).toHaveShape([N, C, H, W], 'out');
      },
    }),
  ),
  {
    group: 'shapes',
    fn: 'groupnormBackward',
    id: 'gn-shape-grads',
    description: 'dx is [N, C, H, W], dgamma and dbeta are [C]',
    run: (mod, seed) => {
      const rng = rngFor(seed, '04-groupnorm/shapes-gn-backward');
      const { cache } = mod.groupnormForward(randn([2, 6, 3, 1], rng), ones([6]), zeros([6]), 3);
      const grads = mod.groupnormBackward(randn([2, 6, 3, 1], rng), cache);
      expect(grads.dx).toHaveShape([2, 6, 3, 1], 'dx');
      expect(grads.dgamma).toHaveShape([6], 'dgamma');
      expect(grads.dbeta).toHaveShape([6], 'dbeta');
    },
  },
];

const properties: Check[] = [
  {
    group: 'properties',
    fn: 'layernormForward',
    id: 'ln-row-stats-large',
    description: 'with gamma = 1 and beta = 0, each of 8 rows of 512 features has mean 0 and std 1',
    run: (mod, seed) => {
      const x = rows(rngFor(seed, '04-groupnorm/row-stats'), 8, 512);
      const { out } = mod.layernormForward(x, ones([512]), zeros([512]));
      // The mean of a row of x̂ is its μ's error over σ: ≤ 513·u·max|x|/σ ≈ 2.3e-13 in any order
      // (max|x|/σ ≲ 4 here). √(σ² / (σ² + ε)) with σ² ≳ 9: within 1e-6 of 1; D − 1 gives 1e-3.
      expect(mean(out, 1)).toBeAllClose(zeros([8]), { rtol: 0, atol: 1e-12, what: 'per-row mean' });
      expect(sqrt(variance(out, 1))).toBeAllClose(ones([8]), { rtol: 2e-6, atol: 0, what: 'per-row std' });
    },
  },
  {
    group: 'properties',
    fn: 'layernormForward',
    id: 'ln-rows-independent',
    description: 'changing one row leaves the output of every other row unchanged',
    run: (mod, seed) => {
      const rng = rngFor(seed, '04-groupnorm/rows-independent');
      const [N, D] = [5, 6];
      const x = rows(rng, N, D);
      const gamma = randn([D], rng);
      const beta = randn([D], rng);
      const before = mod.layernormForward(x, gamma, beta).out;
      const after = mod.layernormForward(map(x, (v, k) => (Math.floor(k / D) === 3 ? 50 * v + 100 : v)), gamma, beta).out;
      // The same code on the same rows: equal but for how a row's sums might be split, far inside TOL.
      expect(slice(after, 0, 3 * D)).toBeAllClose(slice(before, 0, 3 * D), { ...TOL, what: 'rows 0–2' });
      expect(slice(after, 4 * D, 5 * D)).toBeAllClose(slice(before, 4 * D, 5 * D), { ...TOL, what: 'row 4' });
    },
  },
  {
    group: 'properties',
    fn: 'layernormForward',
    id: 'ln-single-row-batch',
    description: 'a batch of one row gives that row the same output as inside a larger batch',
    run: (mod, seed) => {
      const rng = rngFor(seed, '04-groupnorm/single-row');
      const [N, D] = [4, 7];
      const x = rows(rng, N, D);
      const gamma = randn([D], rng);
      const beta = randn([D], rng);
      const all = mod.layernormForward(x, gamma, beta).out;
      const alone = mod.layernormForward({ shape: [1, D], data: x.data.slice(2 * D, 3 * D) }, gamma, beta).out;
      expect(alone).toBeAllClose({ shape: [1, D], data: all.data.slice(2 * D, 3 * D) }, { ...TOL, what: 'row 2 on its own' });
    },
  },
  {
    group: 'properties',
    fn: 'layernormForward',
    id: 'ln-one-feature-is-beta',
    description: 'with D = 1 every x̂ is 0, so out equals beta and stays finite',
    run: (mod, seed) => {
      const rng = rngFor(seed, '04-groupnorm/one-feature');
      const beta = randn([1], rng);
      const { out } = mod.layernormForward(map(randn([6, 1], rng), (v) => 100 * v), randn([1], rng), beta);
      // μ = x exactly for one feature, so x − μ = 0 and out = β exactly, in any order of operations.
      expect(out).toBeAllClose(map(zeros([6, 1]), () => beta.data[0]!), { rtol: 0, atol: 1e-12, what: 'out' });
    },
  },
  {
    group: 'properties',
    fn: 'groupnormForward',
    id: 'gn-group-stats-large',
    description: '[4, 12, 6, 5] with G = 3 and gamma = 1, beta = 0: each (sample, group) has mean 0 and std 1',
    run: (mod, seed) => {
      const [N, C, H, W, G] = [4, 12, 6, 5, 3];
      const { out } = mod.groupnormForward(images(rngFor(seed, '04-groupnorm/group-stats'), N, C, H, W), ones([C]), zeros([C]), G);
      const perGroup = reshape(out, [N * G, (C / G) * H * W]);
      // As for layer norm: ≤ 121·u·max|x|/σ ≈ 2e-13 for the mean of a group of 120 values.
      expect(mean(perGroup, 1)).toBeAllClose(zeros([N * G]), { rtol: 0, atol: 1e-12, what: 'mean of each (sample, group)' });
      expect(sqrt(variance(perGroup, 1))).toBeAllClose(ones([N * G]), { rtol: 2e-6, atol: 0, what: 'std of each (sample, group)' });
    },
  },
  {
    group: 'properties',
    fn: 'groupnormForward',
    id: 'gn-identity-g1-is-layernorm',
    description: 'with G = 1 it equals layer norm of x reshaped to [N, C·H·W], gamma and beta repeated per pixel',
    run: (mod, seed) => {
      const rng = rngFor(seed, '04-groupnorm/identity-g1');
      const [N, C, H, W] = [3, 5, 2, 3];
      const x = images(rng, N, C, H, W);
      const gamma = randn([C], rng);
      const beta = randn([C], rng);
      const perElement = (t: Tensor): Tensor => map(zeros([C * H * W]), (_, k) => t.data[Math.floor(k / (H * W))]!);
      const want = reference.layernormForward(reshape(x, [N, C * H * W]), perElement(gamma), perElement(beta)).out;
      const tolerance = toleranceFor(groupnormBounds({ x, gamma, beta, G: 1 }).out);
      expect(mod.groupnormForward(x, gamma, beta, 1).out).toBeAllClose(reshape(want, [N, C, H, W]), { ...tolerance, what: 'group norm with G = 1' });
    },
  },
  {
    group: 'properties',
    fn: 'groupnormForward',
    id: 'gn-identity-gc-is-instance-norm',
    description: 'with G = C it equals each (sample, channel) plane normalized over H·W',
    run: (mod, seed) => {
      const rng = rngFor(seed, '04-groupnorm/identity-gc');
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
      const tolerance = toleranceFor(groupnormBounds({ x, gamma, beta, G: C }).out);
      expect(mod.groupnormForward(x, gamma, beta, C).out).toBeAllClose({ shape: [N, C, H, W], data: want }, { ...tolerance, what: 'group norm with G = C' });
    },
  },
  {
    group: 'properties',
    fn: 'groupnormForward',
    id: 'gn-samples-independent',
    description: 'changing one sample leaves the output of the others unchanged',
    run: (mod, seed) => {
      const rng = rngFor(seed, '04-groupnorm/samples-independent');
      const [N, C, H, W, G] = [3, 4, 2, 2, 2];
      const size = C * H * W;
      const x = images(rng, N, C, H, W);
      const gamma = randn([C], rng);
      const beta = randn([C], rng);
      const before = mod.groupnormForward(x, gamma, beta, G).out;
      const after = mod.groupnormForward(map(x, (v, k) => (Math.floor(k / size) === 1 ? 20 * v - 50 : v)), gamma, beta, G).out;
      expect(slice(after, 0, size)).toBeAllClose(slice(before, 0, size), { ...TOL, what: 'sample 0' });
      expect(slice(after, 2 * size, 3 * size)).toBeAllClose(slice(before, 2 * size, 3 * size), { ...TOL, what: 'sample 2' });
    },
  },
  {
    group: 'properties',
    fn: 'groupnormForward',
    id: 'gn-groups-independent',
    description: 'changing the channels of one group leaves the other groups unchanged',
    run: (mod, seed) => {
      const rng = rngFor(seed, '04-groupnorm/groups-independent');
      const [N, C, H, W, G] = [2, 6, 2, 3, 3];
      const HW = H * W;
      const x = images(rng, N, C, H, W);
      const gamma = randn([C], rng);
      const beta = randn([C], rng);
      const before = mod.groupnormForward(x, gamma, beta, G).out;
      // Group 1 is channels 2 and 3 of every sample.
      const inGroup1 = (k: number): boolean => Math.floor((Math.floor(k / HW) % C) / (C / G)) === 1;
      const after = mod.groupnormForward(map(x, (v, k) => (inGroup1(k) ? 10 * v + 30 : v)), gamma, beta, G).out;
      const others = (t: Tensor): Tensor => {
        const kept = Array.from(t.data).filter((_, k) => !inGroup1(k));
        return { shape: [kept.length], data: Float64Array.from(kept) };
      };
      expect(others(after)).toBeAllClose(others(before), { ...TOL, what: 'groups 0 and 2' });
    },
  },
  {
    group: 'properties',
    fn: 'layernormForward',
    id: 'ln-inputs-untouched',
    description: 'x, gamma and beta are never mutated',
    run: (mod, seed) => {
      const rng = rngFor(seed, '04-groupnorm/ln-mutation');
      const args = [rows(rng, 3, 4), randn([4], rng), randn([4], rng)] as const;
      const before = args.map(clone);
      mod.layernormForward(args[0], args[1], args[2]);
      args.forEach((t, i) => expect(t.data).toEqual(before[i]!.data));
    },
  },
  {
    group: 'properties',
    fn: 'groupnormForward',
    id: 'gn-inputs-untouched',
    description: 'x, gamma and beta are never mutated',
    run: (mod, seed) => {
      const rng = rngFor(seed, '04-groupnorm/gn-mutation');
      const args = [images(rng, 2, 4, 3, 2), randn([4], rng), randn([4], rng)] as const;
      const before = args.map(clone);
      mod.groupnormForward(args[0], args[1], args[2], 2);
      args.forEach((t, i) => expect(t.data).toEqual(before[i]!.data));
    },
  },
  {
    group: 'properties',
    fn: 'groupnormBackward',
    id: 'gn-dout-untouched',
    description: 'dout is never mutated',
    run: (mod, seed) => {
      const rng = rngFor(seed, '04-groupnorm/dout-mutation');
      const { cache } = mod.groupnormForward(images(rng, 2, 4, 3, 2), randn([4], rng), randn([4], rng), 2);
      const dout = randn([2, 4, 3, 2], rng);
      const before = clone(dout);
      mod.groupnormBackward(dout, cache);
      expect(dout.data).toEqual(before.data);
    },
  },
];

const gradients: Check[] = [
  ...(
    [
      [4, 6],
      [1, 5],
    ] as const
  ).map(
    ([N, D]): Check => ({
      group: 'gradients',
      fn: 'layernormBackward',
      id: `ln-numerical-gradient-${N}x${D}`,
      description: 'dx, dgamma and dbeta match numerical gradients of the forward pass',
      run: (mod, seed) => {
        const stream = `04-groupnorm/grad-ln-${N}x${D}`;
        expectLayernormGradients(mod, perSeed(seed, stream, () => layernormGradientCase(rngFor(seed, stream), N, D)), REFERENCE);
      },
    }),
  ),
  ...(
    [
      [2, 4, 3, 2, 2],
      [1, 3, 2, 3, 1],
      [2, 3, 2, 2, 3],
      // NOTE: groups of three numbers, not two: two values always normalize to ±1, so dx is ~1e-7 and its relative error is noise.
      [3, 6, 1, 1, 2],
    ] as const
  ).map(
    ([N, C, H, W, G]): Check => ({
      group: 'gradients',
      fn: 'groupnormBackward',
      id: `gn-numerical-gradient-${N}x${C}x${H}x${W}-g${G}`,
      description: 'dx, dgamma and dbeta match numerical gradients of the forward pass',
      run: (mod, seed) => {
        const stream = `04-groupnorm/grad-gn-${N}x${C}x${H}x${W}-g${G}`;
        expectGroupnormGradients(mod, perSeed(seed, stream, () => groupnormGradientCase(rngFor(seed, stream), [N, C, H, W], G)), REFERENCE);
      },
    }),
  ),
];

/** The student's personal batches: a layer norm [N, D] and group norm images with a G of their own. */
function personal(seed: string): { ln: LnCase; gn: GnCase } {
  const rng = rngFor(seed, '04-groupnorm');
  const lnN = 2 + rng.randint(0, 5);
  const lnD = 3 + rng.randint(0, 8);
  const lnX = map(randn([lnN, lnD], rng), (v, k) => (1 + (k % 3)) * v + rng.randint(-5, 6));
  const ln = { x: lnX, gamma: randn([lnD], rng), beta: randn([lnD], rng), dout: randn([lnN, lnD], rng) };
  // A G with 1 < G < C that divides C (C is never prime).
  const C = [4, 6, 8, 9, 12][rng.randint(0, 5)]!;
  const divisors = Array.from({ length: C }, (_, i) => i + 1).filter((g) => C % g === 0 && g > 1 && g < C);
  const G = divisors[rng.randint(0, divisors.length)]!;
  const [N, H, W] = [1 + rng.randint(0, 3), 2 + rng.randint(0, 3), 1 + rng.randint(0, 4)];
  const x = map(randn([N, C, H, W], rng), (v, k) => {
    const c = Math.floor(k / (H * W)) % C;
    return (1 + c) * v + 2 * c - 5;
  });
  const gn = { x, gamma: randn([C], rng), beta: randn([C], rng), G, dout: randn([N, C, H, W], rng) };
  return { ln, gn };
}

const variants: Check[] = [
  {
    group: 'variants',
    fn: 'layernormForward',
    id: 'ln-variant-forward',
    description: 'layer norm of your personal batch',
    run: (mod, seed) => {
      const { ln } = personal(seed);
      const want = reference.layernormForward(ln.x, ln.gamma, ln.beta).out;
      expect(mod.layernormForward(ln.x, ln.gamma, ln.beta).out).toBeAllClose(want, { ...toleranceFor(layernormBounds(ln).out), what: 'out' });
    },
  },
  {
    group: 'variants',
    fn: 'layernormBackward',
    id: 'ln-variant-backward',
    description: 'gradients on your personal batch',
    run: (mod, seed) => {
      const { ln } = personal(seed);
      expectGradientsClose(runLayernormBackward(mod, ln), runLayernormBackward(REFERENCE, ln), layernormBounds(ln));
    },
  },
  {
    group: 'variants',
    fn: 'groupnormForward',
    id: 'gn-variant-forward',
    description: 'group norm of your personal images with your G',
    run: (mod, seed) => {
      const { gn } = personal(seed);
      const want = reference.groupnormForward(gn.x, gn.gamma, gn.beta, gn.G).out;
      expect(mod.groupnormForward(gn.x, gn.gamma, gn.beta, gn.G).out).toBeAllClose(want, { ...toleranceFor(groupnormBounds(gn).out), what: 'out' });
    },
  },
  ...(
    [
      ['gn-variant-g1', 'one group of all channels'],
      ['gn-variant-gc', 'one channel per group'],
    ] as const
  ).map(
    ([id, what]): Check => ({
      group: 'variants',
      fn: 'groupnormForward',
      id,
      description: `group norm of your personal images with ${what}`,
      run: (mod, seed) => {
        const { gn } = personal(seed);
        const G = id === 'gn-variant-g1' ? 1 : gn.x.shape[1]!;
        const want = reference.groupnormForward(gn.x, gn.gamma, gn.beta, G).out;
        expect(mod.groupnormForward(gn.x, gn.gamma, gn.beta, G).out).toBeAllClose(want, { ...toleranceFor(groupnormBounds({ ...gn, G }).out), what: 'out' });
      },
    }),
  ),
  {
    group: 'variants',
    fn: 'groupnormBackward',
    id: 'gn-variant-backward',
    description: 'gradients on your personal images with your G',
    run: (mod, seed) => {
      const { gn } = personal(seed);
      expectGradientsClose(runGroupnormBackward(mod, gn), runGroupnormBackward(REFERENCE, gn), groupnormBounds(gn));
    },
  },
];

export const variantChecks: Check[] = [...shapes, ...properties, ...gradients, ...variants];

/**
 * The public suite's gradient checks (your backward passes against numerical gradients of your own
 * forward passes) on cases drawn per seed by the generators of the public fixture's: not part of
 * the hidden suite; `npm run fairness` runs them to show that the public bound holds for any draw.
 */
export const sweepChecks: Check[] = [
  {
    group: 'gradients',
    fn: 'layernormBackward',
    id: 'public-ln-gradient-check',
    description: 'the public gradient check on a fresh draw',
    run: (mod, seed) => {
      const stream = '04-groupnorm/public-grad-ln';
      expectLayernormGradients(mod, perSeed(seed, stream, () => layernormGradientCase(rngFor(seed, stream), 4, 5)));
    },
  },
  ...[2, 3].map(
    (G): Check => ({
      group: 'gradients',
      fn: 'groupnormBackward',
      id: `public-gn-gradient-check-g${G}`,
      description: 'the public gradient check on a fresh draw',
      run: (mod, seed) => {
        const stream = `04-groupnorm/public-grad-gn-g${G}`;
        expectGroupnormGradients(mod, perSeed(seed, stream, () => groupnormGradientCase(rngFor(seed, stream), [2, 6, 2, 3], G)));
      },
    }),
  ),
];
