/**
 * Exercise 05's checks, shared by the public suite and the grader's hidden one: the tolerances
 * and why a correct implementation cannot miss them, the fixture-driven value tests (each suite
 * passes its own fixture), and the generators of well-conditioned problems for the checks
 * against closed-form gradients. Nothing here names a hidden case.
 *
 * Here your code computes the numerical gradients, of functions the tests give it (the tables of
 * ../functions.ts). Two correct implementations evaluate f at the same points x ± h·e_i and then
 * agree to a few ulps; or at points one ulp apart (`x[i] += h; … x[i] -= 2 * h` lands on
 * (x_i + h) − 2h, not always x_i − h), and then each of their two evaluations of f may differ by
 * f's own rounding δ (bounded per function in ../functions.ts) plus the true change |∂f/∂x_i|·ulp.
 */
import { expect, test } from 'vitest';
import { createRng, map, matmul, randn, type Rng, type Tensor } from '../../index.ts';
import type { Tolerance } from '../../allclose.ts';
import { casesFor, titled, type Fixture } from '../fixtures.ts';
import { arrayFunctions, arrayRounding, scalarFunctions, scalarRounding, softmaxLoss, softmaxLossGradient, type Params } from '../functions.ts';
import { TOL, U } from './common.ts';
import type * as GradientCheck from '../../../exercises/05-gradient-check/gradient-check.ts';
import type { SparseCheck } from '../../../exercises/05-gradient-check/gradient-check.ts';

export { TOL };

/** An implementation of exercise 05: the student's module, the reference, a port. */
export type GradientCheckModule = typeof GradientCheck;

const DEFAULT_H = 1e-5;
const maxAbs = (t: Tensor): number => t.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/**
 * The tolerance of a numerical gradient against another correct one, for a scalar f with rounding
 * bound δ at x: the quotient of two evaluations each up to 2δ + |∂f/∂x_i|·2u·(|x_i| + h) apart,
 * over 2h, doubled for slack; `TOL` when that is smaller. A forward difference is off by h·|f″|/2,
 * ≥ 1e-6 on every case, a step of h instead of 2h by a factor of 2.
 */
export function scalarGradientTolerance(f: string, params: Params, x: Tensor, expected: Tensor, h = DEFAULT_H): Tolerance {
  const delta = scalarRounding[f]!(params)(x);
  const shift = 2 * U * (maxAbs(x) + h) * maxAbs(expected);
  return { rtol: TOL.rtol, atol: Math.max(TOL.atol, (2 * (2 * delta + shift)) / (2 * h)) };
}

/**
 * As `scalarGradientTolerance`, for Σ f(x) ⊙ dout: δ is Σ |dout_j|·δ_j over the outputs, plus
 * 2·(m + 1)·u·Σ |f(x)_j·dout_j| for an implementation that sums f(x + h)·dout and f(x − h)·dout
 * before subtracting (CS231n differences first, which is more precise, but both are correct).
 */
export function arrayGradientTolerance(f: string, params: Params, x: Tensor, dout: Tensor, expected: Tensor, h = DEFAULT_H): Tolerance {
  const out = arrayFunctions[f]!(params)(x);
  const rounding = arrayRounding[f]!(params)(x);
  let delta = 0;
  let magnitude = 0;
  for (let j = 0; j < dout.data.length; j++) {
    delta += Math.abs(dout.data[j]!) * rounding.data[j]!;
    magnitude += Math.abs(out.data[j]! * dout.data[j]!);
  }
  delta += (dout.data.length + 1) * U * magnitude;
  const shift = 2 * U * (maxAbs(x) + h) * maxAbs(expected);
  return { rtol: TOL.rtol, atol: Math.max(TOL.atol, (2 * (2 * delta + shift)) / (2 * h)) };
}

/**
 * One centred difference of a test function, on the trusted side, with a bound on its rounding:
 * `estimate` and, per entry, `rounding` ≥ how far any correct numerical gradient at step h can be
 * from the exact difference quotient (4δ/2h: both evaluations, possibly at points one ulp off).
 * For a tensor-valued f, δ counts only the outputs that x_i moves (the others are computed from
 * the same numbers twice, so their difference is exactly 0).
 */
export function centredDifference(
  f: (x: Tensor) => Tensor | number,
  rounding: (x: Tensor) => Tensor | number,
  x: Tensor,
  h: number,
  dout?: Tensor,
): { estimate: Tensor; rounding: Tensor } {
  const probe: Tensor = { shape: [...x.shape], data: x.data.slice() };
  const estimate = new Float64Array(x.data.length);
  const bound = new Float64Array(x.data.length);
  const weigh = (v: Tensor | number): Float64Array => (typeof v === 'number' ? Float64Array.of(v) : v.data);
  const w = dout?.data ?? Float64Array.of(1);
  for (let i = 0; i < estimate.length; i++) {
    const old = probe.data[i]!;
    probe.data[i] = old + h;
    const value = f(probe);
    const scalar = typeof value === 'number';
    const pos = weigh(value).slice();
    const rPos = weigh(rounding(probe)).slice();
    probe.data[i] = old - h;
    const neg = weigh(f(probe));
    probe.data[i] = old;
    let s = 0;
    let delta = 0;
    for (let j = 0; j < pos.length; j++) {
      s += (pos[j]! - neg[j]!) * w[j]!;
      // A scalar f always counts: at points one ulp off, even a symmetric f differs.
      if (scalar || pos[j] !== neg[j]) delta += Math.abs(w[j]!) * rPos[j]!;
    }
    estimate[i] = s / (2 * h);
    bound[i] = (4 * delta) / (2 * h);
  }
  return { estimate: { shape: [...x.shape], data: estimate }, rounding: { shape: [...x.shape], data: bound } };
}

/**
 * The worst CS231n relative error that a correct numerical gradient (step h) can show against the
 * exact gradient: per entry (truncation + rounding) / 2|exact|, the truncation c·h² measured as
 * |D(2h) − D(h)| / 3 (D(2h) carries 4c·h²), the rounding from `centredDifference`.
 */
export function predictedCentredError(
  f: (x: Tensor) => Tensor | number,
  rounding: (x: Tensor) => Tensor | number,
  x: Tensor,
  exact: Tensor,
  dout?: Tensor,
  h = DEFAULT_H,
): number {
  const near = centredDifference(f, rounding, x, h, dout);
  const far = centredDifference(f, rounding, x, 2 * h, dout);
  let worst = 0;
  for (let i = 0; i < exact.data.length; i++) {
    const error = Math.abs(far.estimate.data[i]! - near.estimate.data[i]!) / 3 + near.rounding.data[i]! + far.rounding.data[i]! / 3;
    worst = Math.max(worst, error / Math.max(1e-8, 2 * Math.abs(exact.data[i]!)));
  }
  return worst;
}

/** At most this many draws per problem: every acceptance rate here is above 1/5, so running out has odds below 1e-9. */
const ATTEMPTS = 100;

function conditioned<T>(rng: Rng, draw: (rng: Rng) => T, predict: (c: T) => number, limit: number, what: string): T {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const c = draw(rng);
    if (predict(c) <= limit) return c;
  }
  throw new Error(`no well-conditioned ${what} in ${ATTEMPTS} draws`);
}

export interface SoftmaxProblem {
  X: Tensor;
  y: Tensor;
  W: Tensor;
}

/**
 * A softmax-loss problem (X [N, D] standard normal, labels in 0 … K − 1, W = wScale · randn) on
 * which a correct centred difference with step h is predicted to stay within `bound` / 10 of the
 * closed-form gradient Xᵀ(P − Y)/N, by CS231n's relative error: redrawn while an entry of the
 * gradient is so close to 0 that rounding (~1e-10 absolute) would dominate it.
 */
export function softmaxProblem(rng: Rng, N: number, D: number, K: number, wScale: number, bound: number, h = DEFAULT_H): SoftmaxProblem {
  return conditioned(
    rng,
    (r) => {
      const X = randn([N, D], r);
      const y = { shape: [N], data: Float64Array.from({ length: N }, () => r.randint(0, K)) };
      return { X, y, W: map(randn([D, K], r), (v) => wScale * v) };
    },
    ({ X, y, W }) => predictedCentredError((w) => softmaxLoss(X, y, w), scalarRounding['softmaxLoss']!({ X, y }), W, softmaxLossGradient(X, y, W), undefined, h),
    bound / 10,
    `softmax problem ${N} × ${D} × ${K}`,
  );
}

export interface MatmulProblem {
  x: Tensor;
  W: Tensor;
  dout: Tensor;
}

/**
 * x [N, D], W [D, M] and dout [N, M], standard normal, on which correct centred differences of
 * x ↦ x W and of W ↦ x W are predicted within `bound` / 10 of dout Wᵀ and xᵀ dout: the function is
 * linear (no truncation), so only rounding counts, and draws with an entry of either gradient
 * near 0 are redrawn.
 */
export function matmulProblem(rng: Rng, N: number, D: number, M: number, bound: number): MatmulProblem {
  return conditioned(
    rng,
    (r) => ({ x: randn([N, D], r), W: randn([D, M], r), dout: randn([N, M], r) }),
    ({ x, W, dout }) => {
      const rounding = (a: Tensor, b: Tensor): Tensor => map(matmul(map(a, Math.abs), map(b, Math.abs)), (v) => (a.shape[1]! + 2) * U * v);
      const dx = matmul(dout, transposed(W));
      const dW = matmul(transposed(x), dout);
      return Math.max(
        predictedCentredError((v) => matmul(v, W), (v) => rounding(v, W), x, dx, dout),
        predictedCentredError((w) => matmul(x, w), (w) => rounding(x, w), W, dW, dout),
      );
    },
    bound / 10,
    `matrix product ${N} × ${D} × ${M}`,
  );
}

function transposed(t: Tensor): Tensor {
  const [R, C] = t.shape as [number, number];
  return { shape: [C, R], data: Float64Array.from({ length: R * C }, (_, k) => t.data[(k % R) * C + Math.floor(k / R)]!) };
}

export type GradientArgs = { f: string; params: Params; x: Tensor; h?: number };
export type ArrayArgs = GradientArgs & { dout: Tensor };
export type SparseArgs = GradientArgs & { analyticGrad: Tensor; numChecks: number; seed: string };

/** Checks gradCheckSparse's report against the expected one: indices exactly, numbers within what f's rounding allows. */
export function expectSparseChecksClose(got: SparseCheck[], want: SparseCheck[], args: GradientArgs): void {
  expect(got).toHaveLength(want.length);
  const h = args.h ?? DEFAULT_H;
  const delta = scalarRounding[args.f]!(args.params)(args.x);
  got.forEach((c, i) => {
    const w = want[i]!;
    expect(c.index, `index of check ${i} (one rng.randint(0, shape[k]) per axis, in axis order)`).toEqual(w.index);
    // As scalarGradientTolerance, for one entry.
    const numericalTol = Math.max(TOL.atol, (2 * (2 * delta + 2 * U * (maxAbs(args.x) + h) * Math.abs(w.numerical))) / (2 * h));
    expect(c.numerical).toBeAllClose(w.numerical, { rtol: TOL.rtol, atol: numericalTol, what: `numerical of check ${i}` });
    expect(c.analytic).toBeAllClose(w.analytic, { rtol: 0, atol: 0, what: `analytic of check ${i}` });
    // relError = |n − a| / max(1e-8, |n| + |a|) moves by at most 2·Δn over that denominator when n moves by Δn.
    const scale = Math.max(1e-8, Math.abs(w.numerical) + Math.abs(w.analytic));
    expect(c.relError).toBeAllClose(w.relError, { rtol: 1e-6, atol: Math.max(1e-9, (2 * (numericalTol + TOL.rtol * Math.abs(w.numerical))) / scale), what: `relError of check ${i}` });
  });
}

/** The fixture-driven value tests of all four functions. */
export function valueTests(fixture: Fixture, mod: GradientCheckModule): void {
  test.for(titled(casesFor<GradientArgs, { grad: Tensor }>(fixture, 'numericalGradient')))('%s', ([, { args, expected }]) => {
    const f = scalarFunctions[args.f]!(args.params);
    const tolerance = scalarGradientTolerance(args.f, args.params, args.x, expected.grad, args.h);
    expect(mod.numericalGradient(f, args.x, args.h)).toBeAllClose(expected.grad, { ...tolerance, what: 'gradient' });
  });

  test.for(titled(casesFor<ArrayArgs, { dx: Tensor }>(fixture, 'numericalGradientArray')))('%s', ([, { args, expected }]) => {
    const f = arrayFunctions[args.f]!(args.params);
    const tolerance = arrayGradientTolerance(args.f, args.params, args.x, args.dout, expected.dx, args.h);
    expect(mod.numericalGradientArray(f, args.x, args.dout, args.h)).toBeAllClose(expected.dx, { ...tolerance, what: 'dx' });
  });

  // relError is a handful of operations per element and a max: a few ulps apart between correct versions.
  test.for(titled(casesFor<{ a: Tensor | number; b: Tensor | number }, { relError: number }>(fixture, 'relError')))('%s', ([, { args, expected }]) => {
    expect(mod.relError(args.a, args.b)).toBeAllClose(expected.relError, { ...TOL, what: 'relError' });
  });

  test.for(titled(casesFor<SparseArgs, { checks: SparseCheck[] }>(fixture, 'gradCheckSparse')))('%s', ([, { args, expected }]) => {
    const f = scalarFunctions[args.f]!(args.params);
    expectSparseChecksClose(mod.gradCheckSparse(f, args.x, args.analyticGrad, args.numChecks, createRng(args.seed), args.h), expected.checks, args);
  });
}
