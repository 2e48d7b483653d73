/**
 * Exercise 05's hidden checks whose inputs are drawn from the student's seed (see ../variants.ts):
 * pure functions of (implementation, seed), so `npm run fairness` can run them for many seeds.
 * The functions f come from the shared tables of lib/testing/functions.ts; the problems checked
 * against closed-form gradients are drawn well-conditioned (lib/testing/checks/05-gradient-check.ts).
 */
import { expect } from 'vitest';
import { clone, createRng, map, matmul, randn, transpose, type Rng, type Tensor } from '../../../lib/index.ts';
import { U } from '../../../lib/testing/checks/common.ts';
import {
  arrayGradientTolerance,
  expectSparseChecksClose,
  predictedCentredError,
  scalarGradientTolerance,
  softmaxProblem,
  TOL,
  type GradientCheckModule,
} from '../../../lib/testing/checks/05-gradient-check.ts';
import { arrayFunctions, quadraticGradient, recorded, scalarFunctions, softmaxLossGradient, sumCubes } from '../../../lib/testing/functions.ts';
import { relError } from '../../../lib/testing/gradcheck.ts';
import * as reference from '../../../solutions/05-gradient-check/gradient-check.ts';
import { drawConditioned } from '../gradient-cases.ts';
import { perSeed, rngFor, type VariantCheck } from '../variants.ts';

type Check = VariantCheck<GradientCheckModule>;
const at = (index: readonly number[]): string => `[${index.join(', ')}]`;

/**
 * x [6, 4], W [4, 3] and dout [6, 3] for f(W) = tanh(x W), drawn until a correct centred difference
 * is predicted within `bound` / 10 of dW = xᵀ (dout ⊙ (1 − tanh²(x W))) (no entry of dW near 0).
 */
function tanhLayerProblem(rng: Rng, bound: number): { x: Tensor; W: Tensor; dout: Tensor; dW: Tensor } {
  return drawConditioned(
    rng,
    (r) => {
      const x = randn([6, 4], r);
      const W = map(randn([4, 3], r), (v) => 0.5 * v);
      const dout = randn([6, 3], r);
      const z = matmul(x, W);
      const dW = matmul(transpose(x), map(z, (v, k) => dout.data[k]! * (1 - Math.tanh(v) ** 2)));
      return { x, W, dout, dW };
    },
    ({ x, W, dout, dW }) =>
      predictedCentredError(
        (w) => map(matmul(x, w), Math.tanh),
        (w) => map(matmul(map(x, Math.abs), map(w, Math.abs)), (v) => 6 * U * v + 2 * U),
        W,
        dW,
        dout,
      ),
    bound / 10,
    'tanh layer',
  );
}

const shapes: Check[] = [
  {
    group: 'shapes',
    fn: 'numericalGradientArray',
    id: 'shape-rank-change',
    description: 'f from [2, 3, 2] to [5] gives dx [2, 3, 2]',
    run: (mod, seed) => {
      const rng = rngFor(seed, '05-gradient-check/shape-rank-change');
      const f = arrayFunctions['flatProduct']!({ W: randn([12, 5], rng) });
      expect(mod.numericalGradientArray(f, randn([2, 3, 2], rng), randn([5], rng))).toHaveShape([2, 3, 2], 'dx');
    },
  },
  {
    group: 'shapes',
    fn: 'gradCheckSparse',
    id: 'shape-rank-4',
    description: 'every index of an [2, 1, 3, 2] x has 4 in-range coordinates',
    run: (mod, seed) => {
      const x = randn([2, 1, 3, 2], rngFor(seed, '05-gradient-check/shape-rank-4'));
      const checks = mod.gradCheckSparse(sumCubes, x, map(x, (v) => 3 * v * v), 9, createRng('rank-4'));
      expect(checks).toHaveLength(9);
      for (const c of checks) {
        expect(c.index).toHaveLength(4);
        c.index.forEach((i, k) => expect(Number.isInteger(i) && i >= 0 && i < x.shape[k]!, `coordinate ${k} of ${at(c.index)}`).toBe(true));
      }
    },
  },
];

const properties: Check[] = [
  {
    group: 'properties',
    fn: 'numericalGradient',
    id: 'evaluation-points-rank-3',
    description: 'f only ever sees x with at most one element moved by ±h, and both sides of every element',
    run: (mod, seed) => {
      const x = randn([2, 2, 3], rngFor(seed, '05-gradient-check/evaluation-points'));
      const h = 1e-4;
      const original = clone(x);
      const f = recorded(scalarFunctions['weightedSquares']!({}));
      mod.numericalGradient(f, x, h);
      const calls = f.calls;
      const sides = new Set<string>();
      for (const call of calls) {
        expect(call).toHaveShape([2, 2, 3], 'the tensor f was called with');
        const moved = [...call.data.keys()].filter((i) => call.data[i] !== original.data[i]);
        expect(moved.length, 'elements moved from x in one evaluation').toBeLessThanOrEqual(1);
        if (moved.length === 1) {
          const step = call.data[moved[0]!]! - original.data[moved[0]!]!;
          expect(Math.abs(Math.abs(step) - h), 'size of the step').toBeLessThan(1e-12);
          sides.add(`${moved[0]}${step > 0 ? '+' : '-'}`);
        }
      }
      expect(sides.size, 'distinct points x ± h·e_i evaluated (2 per element)').toBe(2 * x.data.length);
    },
  },
  {
    group: 'properties',
    fn: 'numericalGradient',
    id: 'x-unchanged-coupled',
    description: 'x is bit-for-bit unchanged after a 4 × 5 gradient of a coupled quadratic',
    run: (mod, seed) => {
      const rng = rngFor(seed, '05-gradient-check/x-unchanged');
      const x = randn([4, 5], rng);
      const before = clone(x);
      mod.numericalGradient(scalarFunctions['quadratic']!({ A: randn([20, 20], rng), b: randn([20], rng) }), x);
      expect(x).toHaveShape([4, 5], 'x after numericalGradient');
      expect(x.data).toEqual(before.data);
    },
  },
  {
    group: 'properties',
    fn: 'numericalGradientArray',
    id: 'identity-rank-3',
    description: "the identity's dx is dout, however f's output shares memory",
    run: (mod, seed) => {
      const rng = rngFor(seed, '05-gradient-check/identity');
      const dout = randn([2, 2, 3], rng);
      // ((x + h) − (x − h))·dout / 2h: the only rounding is that of x ± h, ≤ u·|x| / h ≈ 4e-11 relative.
      expect(mod.numericalGradientArray(arrayFunctions['identity']!({}), randn([2, 2, 3], rng), dout)).toBeAllClose(dout, { rtol: 1e-8, atol: 1e-10, what: 'dx' });
      // A view of the argument under another shape, as reshape-free code often returns.
      expect(mod.numericalGradientArray(arrayFunctions['flatView']!({}), randn([2, 2, 3], rng), { shape: [12], data: dout.data })).toBeAllClose(dout, { rtol: 1e-8, atol: 1e-10, what: 'dx of a flattening view' });
    },
  },
  {
    group: 'properties',
    fn: 'numericalGradientArray',
    id: 'dout-unchanged',
    description: 'dout is not modified',
    run: (mod, seed) => {
      const rng = rngFor(seed, '05-gradient-check/dout-unchanged');
      const dout = randn([3, 2], rng);
      const before = clone(dout);
      mod.numericalGradientArray(arrayFunctions['tanh']!({}), randn([3, 2], rng), dout);
      expect(dout.data).toEqual(before.data);
    },
  },
  {
    group: 'properties',
    fn: 'relError',
    id: 'symmetric-and-bounded',
    description: 'symmetric, between 0 and 1, and 1 for opposite signs',
    run: (mod, seed) => {
      const rng = rngFor(seed, '05-gradient-check/rel-error-bounds');
      const a = randn([10], rng);
      const b = randn([10], rng);
      const r = mod.relError(a, b);
      expect(mod.relError(b, a)).toBe(r);
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThanOrEqual(1);
      expect(mod.relError(a, map(a, (v) => -v))).toBeAllClose(1, { rtol: 1e-12, atol: 0, what: 'relError(a, −a)' });
    },
  },
  {
    group: 'properties',
    fn: 'gradCheckSparse',
    id: 'analytic-at-index',
    description: 'the analytic value is analyticGrad at the checked multi-index of a rank-3 x',
    run: (mod, seed) => {
      const x = randn([3, 4, 2], rngFor(seed, '05-gradient-check/analytic-at-index'));
      const analytic = map(x, (_, k) => k + 1); // every element distinct
      const exact = map(x, (v) => 3 * v * v);
      // The centred difference of Σ x³ is 3x² + h² up to Σ x³'s rounding over 2h (scalarGradientTolerance).
      const tolerance = scalarGradientTolerance('sumCubes', {}, x, exact);
      for (const c of mod.gradCheckSparse(sumCubes, x, analytic, 15, createRng('analytic-at-index'))) {
        const offset = (c.index[0]! * 4 + c.index[1]!) * 2 + c.index[2]!;
        expect(c.analytic, `analytic at ${at(c.index)}`).toBe(offset + 1);
        expect(c.numerical).toBeAllClose(exact.data[offset]!, { rtol: 1e-7, atol: tolerance.atol + 1e-10, what: `numerical at ${at(c.index)}` });
      }
    },
  },
];

const gradients: Check[] = [
  {
    group: 'gradients',
    fn: 'numericalGradient',
    id: 'softmax-analytic-larger',
    description: 'the softmax loss of W [5, 4] on 16 examples matches Xᵀ(P − Y)/N (relative error < 1e-6)',
    run: (mod, seed) => {
      const stream = '05-gradient-check/softmax-larger';
      const { X, y, W } = perSeed(seed, stream, () => softmaxProblem(rngFor(seed, stream), 16, 5, 4, 0.2, 1e-6));
      expect(relError(mod.numericalGradient(scalarFunctions['softmaxLoss']!({ X, y }), W), softmaxLossGradient(X, y, W)), 'relative error against Xᵀ(P − Y)/N').toBeLessThan(1e-6);
    },
  },
  {
    group: 'gradients',
    fn: 'numericalGradient',
    id: 'cubes-analytic-rank-3',
    description: 'Σ x³ on [2, 3, 2] with 0.5 ≤ |x| ≤ 1.5 gives 3x² to 1e-7 relative',
    run: (mod, seed) => {
      const rng = rngFor(seed, '05-gradient-check/cubes-rank-3');
      // Truncation h²/(2·3x²) ≤ 7e-11; rounding of Σ x³ (≤ 15u·Σ|x|³ ≤ 6.7e-14) over 2h, doubled for
      // points one ulp off: ≤ 1.3e-8 absolute, ≤ 9e-9 relative at 3x² ≥ 0.75. A forward difference: h/x ≥ 6.7e-6.
      const x = map(randn([2, 3, 2], rng), (v) => Math.sign(v || 1) * (0.5 + Math.min(1, Math.abs(v) / 2)));
      expect(relError(mod.numericalGradient(sumCubes, x), map(x, (v) => 3 * v * v)), 'relative error against 3x²').toBeLessThan(1e-7);
    },
  },
  {
    group: 'gradients',
    fn: 'numericalGradient',
    id: 'quadratic-analytic',
    description: 'a coupled quadratic in 10 variables gives ½(A + Aᵀ)x + b',
    run: (mod, seed) => {
      const rng = rngFor(seed, '05-gradient-check/quadratic');
      const params = { A: randn([10, 10], rng), b: randn([10], rng) };
      const x = randn([10], rng);
      const exact = quadraticGradient(params.A, params.b, x);
      // No truncation (the third derivative is 0): only the quadratic's rounding over 2h, which
      // scalarGradientTolerance bounds (~1e-7 here); a forward difference is off by h·|A_ii| ~ 1e-5.
      const tolerance = scalarGradientTolerance('quadratic', params, x, exact);
      expect(mod.numericalGradient(scalarFunctions['quadratic']!(params), x)).toBeAllClose(exact, { rtol: 1e-6, atol: tolerance.atol, what: 'gradient of the quadratic' });
    },
  },
  {
    group: 'gradients',
    fn: 'numericalGradientArray',
    id: 'tanh-layer-analytic',
    description: 'f(W) = tanh(x W) gives dW = xᵀ (dout ⊙ (1 − tanh²(x W)))',
    run: (mod, seed) => {
      const stream = '05-gradient-check/tanh-layer';
      const { x, W, dout, dW } = perSeed(seed, stream, () => tanhLayerProblem(rngFor(seed, stream), 1e-7));
      expect(relError(mod.numericalGradientArray(arrayFunctions['tanhOfProduct']!({ A: x }), W, dout), dW), 'relative error against the closed form').toBeLessThan(1e-7);
    },
  },
  {
    group: 'gradients',
    fn: 'gradCheckSparse',
    id: 'softmax-correct-all-pass',
    description: 'a correct softmax gradient passes 20 checks below 1e-6',
    run: (mod, seed) => {
      const stream = '05-gradient-check/sparse-softmax';
      const { X, y, W } = perSeed(seed, stream, () => softmaxProblem(rngFor(seed, stream), 10, 4, 3, 0.3, 1e-6));
      for (const c of mod.gradCheckSparse(scalarFunctions['softmaxLoss']!({ X, y }), W, softmaxLossGradient(X, y, W), 20, createRng('softmax'))) {
        expect(c.relError, `relError at ${at(c.index)}`).toBeLessThan(1e-6);
      }
    },
  },
];

/** The student's personal problems: a quadratic, a softmax loss and an affine layer of their own sizes. */
function personal(seed: string) {
  const rng = rngFor(seed, '05-gradient-check');
  const n = 3 + rng.randint(0, 6);
  const quadratic = { A: randn([n, n], rng), b: randn([n], rng) };
  const xq = randn([n], rng);
  const N = 4 + rng.randint(0, 5);
  const D = 2 + rng.randint(0, 3);
  const K = 2 + rng.randint(0, 3);
  const softmax = { X: randn([N, D], rng), y: { shape: [N], data: Float64Array.from({ length: N }, () => rng.randint(0, K)) } };
  const W = map(randn([D, K], rng), (v) => 0.5 * v);
  const affine = { W: randn([D, K], rng), b: randn([K], rng) };
  const xa = randn([N, D], rng);
  const dout = randn([N, K], rng);
  return { quadratic, xq, softmax, W, affine, xa, dout, sparseSeed: `${rng.seed}/sparse` };
}

const variants: Check[] = [
  {
    group: 'variants',
    fn: 'numericalGradient',
    id: 'variant-quadratic',
    description: 'the gradient of your personal quadratic',
    run: (mod, seed) => {
      const { quadratic, xq } = personal(seed);
      const f = scalarFunctions['quadratic']!(quadratic);
      const want = reference.numericalGradient(f, xq);
      expect(mod.numericalGradient(f, xq)).toBeAllClose(want, { ...scalarGradientTolerance('quadratic', quadratic, xq, want), what: 'gradient' });
    },
  },
  {
    group: 'variants',
    fn: 'numericalGradient',
    id: 'variant-softmax',
    description: 'the gradient of your personal softmax loss',
    run: (mod, seed) => {
      const { softmax, W } = personal(seed);
      const f = scalarFunctions['softmaxLoss']!(softmax);
      const want = reference.numericalGradient(f, W);
      expect(mod.numericalGradient(f, W)).toBeAllClose(want, { ...scalarGradientTolerance('softmaxLoss', softmax, W, want), what: 'gradient' });
    },
  },
  {
    group: 'variants',
    fn: 'numericalGradientArray',
    id: 'variant-affine',
    description: 'dx of your personal affine layer',
    run: (mod, seed) => {
      const { affine, xa, dout } = personal(seed);
      const f = arrayFunctions['affine']!(affine);
      const want = reference.numericalGradientArray(f, xa, dout);
      expect(mod.numericalGradientArray(f, xa, dout)).toBeAllClose(want, { ...arrayGradientTolerance('affine', affine, xa, dout, want), what: 'dx' });
    },
  },
  {
    group: 'variants',
    fn: 'relError',
    id: 'variant-tensors',
    description: 'the relative error of your personal pair of tensors',
    run: (mod, seed) => {
      const { xa } = personal(seed);
      const b = map(xa, (v, k) => v * (1 + 0.05 * Math.sin(k)));
      expect(mod.relError(xa, b)).toBeAllClose(reference.relError(xa, b), { ...TOL, what: 'relError' });
    },
  },
  {
    group: 'variants',
    fn: 'gradCheckSparse',
    id: 'variant-sparse',
    description: 'your personal seeded checks of a slightly wrong softmax gradient',
    run: (mod, seed) => {
      const { softmax, W, sparseSeed } = personal(seed);
      const f = scalarFunctions['softmaxLoss']!(softmax);
      const analytic = map(softmaxLossGradient(softmax.X, softmax.y, W), (v, k) => v * (1 + 0.01 * ((k % 3) + 1)));
      const want = reference.gradCheckSparse(f, W, analytic, 8, createRng(sparseSeed));
      expectSparseChecksClose(mod.gradCheckSparse(f, W, analytic, 8, createRng(sparseSeed)), want, { f: 'softmaxLoss', params: softmax, x: W });
    },
  },
];

export const variantChecks: Check[] = [...shapes, ...properties, ...gradients, ...variants];
