/**
 * Exercise 03's hidden checks whose inputs are drawn from the student's seed (see ../variants.ts):
 * pure functions of (implementation, seed), so `npm run fairness` can run them for many seeds.
 * Expected values come from the reference; numerical gradients from the reference forward pass, so
 * a forward mistake is not counted twice. Also the generator of gradient-check cases, which the
 * fixture spec uses for the public ones.
 */
import { expect } from 'vitest';
import { clone, map, mean, ones, randn, sqrt, variance, zeros, type Rng, type Tensor } from '../../../lib/index.ts';
import {
  bounds,
  expectForwardClose,
  expectGradientsClose,
  expectGradientsMatchNumerical,
  GRAD_MAX_REL_ERROR,
  runBackward,
  type BackwardArgs,
  type BackwardName,
  type BatchnormModule,
} from '../../../lib/testing/checks/03-batchnorm.ts';
import { extrapolatedGradientOf, EXTRAPOLATION_STEP } from '../../../lib/testing/gradcheck.ts';
import * as reference from '../../../solutions/03-batchnorm/batchnorm.ts';
import type { BatchnormParams } from '../../../solutions/03-batchnorm/batchnorm.ts';
import { drawConditioned, largestGroupSum, predictedRelativeError } from '../gradient-cases.ts';
import { perSeed, rngFor, type VariantCheck } from '../variants.ts';

const REFERENCE = reference as unknown as BatchnormModule;

/**
 * The worst-case relative error a correct backward pass can show on `c` against the extrapolated
 * numerical gradients of a forward pass (see ../gradient-cases.ts). δ: perturbing one input moves
 * the outputs of one feature (x_id, γ_d, β_d), each rounded by at most the forward bound of one
 * implementation (a quarter of `bounds(c).out`, which is 4 times it), weighted by |dout|.
 */
export function predictedGradientError(c: BackwardArgs): number {
  const D = c.x.shape[1]!;
  const delta = (bounds(c).out / 4) * largestGroupSum(c.dout, (k) => k % D);
  const grads = runBackward(REFERENCE, 'batchnormBackward', c);
  const inputs: Parameters<typeof reference.batchnormForward> = [c.x, c.gamma, c.beta, c.params];
  const numerical = (wrt: 0 | 1 | 2, h: number): Tensor => extrapolatedGradientOf(reference.batchnormForward, inputs, { wrt, output: ['out'], dout: c.dout, h });
  const h = EXTRAPOLATION_STEP;
  return Math.max(
    ...([[0, grads.dx], [1, grads.dgamma], [2, grads.dbeta]] as const).map(([wrt, g]) => predictedRelativeError(g, numerical(wrt, h), numerical(wrt, h / 2), delta, h)),
  );
}

/**
 * A gradient-check case: N × D inputs whose features have spreads 2 to 6 and offsets within
 * twice their spread, random γ, β and dout (running statistics for test mode), redrawn until a
 * correct backward pass is predicted to stay below a tenth of GRAD_MAX_REL_ERROR.
 */
export function gradientCase(rng: Rng, N: number, D: number, mode: 'train' | 'test'): BackwardArgs {
  return drawConditioned(rng, (r) => drawGradientCase(r, N, D, mode), predictedGradientError,
GRAD_MAX_REL_ERROR / 10, `batch norm ${N} × ${D} ${mode}-mode gradient`);
}

/** One draw of `gradientCase`, before conditioning. */
export function drawGradientCase(r: Rng, N: number, D: number, mode: 'train' | 'test'): BackwardArgs {
  const spread = Array.from({ length: D }, () => 2 + 4 * r.uniform());
  const offset = Array.from({ length: D }, (_, d) => spread[d]! * (4 * r.uniform() - 2));
  const x = map(randn([N, D], r), (v, k) => spread[k % D]! * v + offset[k % D]!);
  const gamma = randn([D], r);
  const beta = randn([D], r);
  const params: BatchnormParams =
    mode === 'train' ? { mode } : { mode, runningMean: map(randn([D], r), (v) => 2 * v), runningVar: map(randn([D], r), (v) => 1 + 4 * v * v) };
  return { x, gamma, beta, params, dout: randn([N, D], r) };
}

const shapes: VariantCheck<BatchnormModule>[] = (
  [
    [1, 5],
    [9, 1],
    [3, 11],
  ] as const
).map(([N, D]) => ({
  group: 'shapes',
  fn: 'batchnormForward',
  id: `shape-${N}-by-${D}`,
  description: 'out and running statistics keep [N, D] and [D]',
  run: (mod, seed) => {
    const rng = rngFor(seed, '03-batchnorm/shapes');
    const result = mod.batchnormForward(randn([N, D], rng), ones([D]), zeros([D]), { mode: 'train' });
    expect(result.out).toHaveShape([N, D], 'out');
    expect(result.runningMean).toHaveShape([D], 'runningMean');
    expect(result.runningVar).toHaveShape([D], 'runningVar');
  },
}));

const properties: VariantCheck<BatchnormModule>[] = [
  {
    group: 'properties',
    fn: 'batchnormForward',
    id: 'extreme-scale-normalizes',
    description: 'features spread over 1e-3 … 1e4 all come out with mean 0 and std 1',
    run: (mod, seed) => {
      const rng = rngFor(seed, '03-batchnorm/extreme');
      const scales = [1e-3, 1, 1e4];
      const x = map(randn([500, 3], rng), (v, k) => v * scales[k % 3]! + 3 * scales[k % 3]!);
      const { out } = mod.batchnormForward(x, ones([3]), zeros([3]), { mode: 'train', eps: 0 });
      // Each feature's offset is 3 spreads, so max|x| / σ ≲ 7: x̂ errs by ≤ 501·u·7 ≈ 4e-13 in any
      // order, its mean by about as much and its std by ≤ 500·u ≈ 6e-14 relative; N − 1 gives 1e-3.
      expect(mean(out, 0)).toBeAllClose(zeros([3]), { rtol: 0, atol: 1e-10, what: 'per-feature mean' });
      expect(sqrt(variance(out, 0))).toBeAllClose(ones([3]), { rtol: 1e-9, atol: 0, what: 'per-feature std' });
    },
  },
  {
    group: 'properties',
    fn: 'batchnormForward',
    id: 'single-row-train-is-beta',
    description: 'with N = 1 every x̂ is 0, so out equals beta and stays finite',
    run: (mod, seed) => {
      const rng = rngFor(seed, '03-batchnorm/single-row');
      const beta = randn([4], rng);
      const { out } = mod.batchnormForward(randn([1, 4], rng), randn([4], rng), beta, { mode: 'train' });
      // μ = x exactly, so x − μ = 0 and out = γ·0 + β = β exactly, in any order of operations.
      expect(out).toBeAllClose({ shape: [1, 4], data: beta.data }, { rtol: 0, atol: 1e-12, what: 'out' });
    },
  },
  {
    group: 'properties',
    fn: 'batchnormForward',
    id: 'inputs-untouched-in-test-mode',
    description: 'test mode never mutates x, gamma, beta or the running statistics',
    run: (mod, seed) => {
      const rng = rngFor(seed, '03-batchnorm/mutation');
      const args = [randn([5, 3], rng), randn([3], rng), randn([3], rng), randn([3], rng), map(randn([3], rng), (v) => 1 + v * v)] as const;
      const before = args.map(clone);
      mod.batchnormForward(args[0], args[1], args[2], { mode: 'test', runningMean: args[3], runningVar: args[4] });
      args.forEach((t, i) => expect(t.data).toEqual(before[i]!.data));
    },
  },
];

const gradients: VariantCheck<BatchnormModule>[] = (
  [
    ['batchnormBackward', 8, 6],
    ['batchnormBackwardAlt', 8, 6],
    // NOTE: not N = 2: two rows always normalize to ±1, so dx is ~1e-7 and its relative error is noise.
    ['batchnormBackward', 3, 2],
    ['batchnormBackwardAlt', 3, 2],
  ] as const
).map(([fn, N, D]) => ({
  group: 'gradients',
  fn,
  id: `numerical-gradient-${N}x${D}`,
  description: 'dx, dgamma and dbeta match numerical gradients of the forward pass',
  run: (mod, seed) => {
    const stream = `03-batchnorm/grad-${fn}-${N}x${D}`;
    const c = perSeed(seed, stream, () => gradientCase(rngFor(seed, stream), N, D, 'train'));
    expectGradientsMatchNumerical(mod, fn, c, REFERENCE);
  },
}));

/** The student's personal batch: N from 5 to 10, D from 2 to 6, running statistics of their own. */
function personal(seed: string): BackwardArgs & { runningMean: Tensor; runningVar: Tensor } {
  const rng = rngFor(seed, '03-batchnorm');
  const N = 5 + rng.randint(0, 6);
  const D = 2 + rng.randint(0, 5);
  const x = map(randn([N, D], rng), (v, k) => (2 + (k % D)) * v + rng.randint(-5, 6));
  const gamma = randn([D], rng);
  const beta = randn([D], rng);
  const runningMean = randn([D], rng);
  const runningVar = map(randn([D], rng), (v) => 0.5 + v * v);
  const dout = randn([N, D], rng);
  return { x, gamma, beta, params: { mode: 'train' }, dout, runningMean, runningVar };
}

const variants: VariantCheck<BatchnormModule>[] = [
  {
    group: 'variants',
    fn: 'batchnormForward',
    id: 'variant-train',
    description: 'train mode on your personal batch',
    run: (mod, seed) => {
      const { x, gamma, beta, runningMean, runningVar } = personal(seed);
      const args = { x, gamma, beta, params: { mode: 'train' as const, runningMean, runningVar } };
      expectForwardClose(mod.batchnormForward(x, gamma, beta, args.params), reference.batchnormForward(x, gamma, beta, args.params), args);
    },
  },
  {
    group: 'variants',
    fn: 'batchnormForward',
    id: 'variant-test',
    description: 'test mode on your personal batch',
    run: (mod, seed) => {
      const { x, gamma, beta, runningMean, runningVar } = personal(seed);
      const args = { x, gamma, beta, params: { mode: 'test' as const, runningMean, runningVar } };
      expectForwardClose(mod.batchnormForward(x, gamma, beta, args.params), reference.batchnormForward(x, gamma, beta, args.params), args);
    },
  },
  ...(['batchnormBackward', 'batchnormBackwardAlt'] as const).map(
    (fn: BackwardName): VariantCheck<BatchnormModule> => ({
      group: 'variants',
      fn,
      id: 'variant-backward',
      description: 'gradients on your personal batch',
      run: (mod, seed) => {
        const c = personal(seed);
        expectGradientsClose(runBackward(mod, fn, c), runBackward(REFERENCE, 'batchnormBackward', c), c);
      },
    }),
  ),
];

export const variantChecks: VariantCheck<BatchnormModule>[] = [...shapes, ...properties, ...gradients, ...variants];

/**
 * The public suite's gradient checks (your backward passes against numerical gradients of your own
 * forward pass) on cases drawn per seed by the generator of the public fixture's: not part of the
 * hidden suite; `npm run fairness` runs them to show that the public bound holds for any such draw.
 */
export const sweepChecks: VariantCheck<BatchnormModule>[] = (['train', 'test'] as const).flatMap((mode) =>
  (['batchnormBackward', 'batchnormBackwardAlt'] as const).map(
    (fn): VariantCheck<BatchnormModule> => ({
      group: 'gradients',
      fn,
      id: `public-gradient-check-${mode}`,
      description: 'the public gradient check on a fresh draw',
      run: (mod, seed) => {
        const stream = `03-batchnorm/public-grad-${mode}`;
        expectGradientsMatchNumerical(mod, fn, perSeed(seed, stream, () => gradientCase(rngFor(seed, stream), 4, 5, mode)));
      },
    }),
  ),
);
