/**
 * Public tests for exercise 10 — PReLU and maxout.
 * Run: npm test exercises/10-prelu-maxout
 *
 * Order: shapes → values against fixtures → properties → gradient checks → bad input.
 */
import { describe, expect, test } from 'vitest';
import { clone, createRng, map, matmul, randn, zeros, type Rng, type Tensor } from '../../lib/index.ts';
import { expectInputError } from '../../lib/testing/errors.ts';
import { loadFixture } from '../../lib/testing/fixtures.ts';
import { TOL, valueTests, type PreluMaxoutModule } from '../../lib/testing/checks/10-prelu-maxout.ts';
import * as preluMaxout from './prelu-maxout.ts';
import { numericalGradientOf, relError } from '../../lib/testing/gradcheck.ts';
import { maxoutBackward, maxoutForward, preluBackward, preluForward } from './prelu-maxout.ts';

const fixture = loadFixture('10-prelu-maxout');

/** Float64 arithmetic in another order differs by ~1e-15; 1e-7 leaves room for that and nothing else. */
// The value tolerance (and why a correct implementation cannot miss it) and the fixture-driven
// value tests live in lib/testing/checks/10-prelu-maxout.ts.
/**
 * Gradient checks: both layers are piecewise linear, and no input here is within 0.05 of a kink
 * (x = 0 for PReLU, a tie for maxout), so a centred difference with h = 1e-5 is exact up to
 * rounding (~1e-10 relative). A missing term, a wrong axis or the gradient sent to the wrong
 * piece is off by 1e-1 or more.
 */
const GRAD_MAX_REL_ERROR = 1e-7;

const rng = createRng('10-prelu-maxout/public-tests');

/** Normal draws scaled by 2, at least 0.05 away from 0 (no centred difference crosses the kink). */
function awayFromZero(shape: number[], r: Rng = rng): Tensor {
  return map(randn(shape, r), (v) => 2 * v + (v >= 0 ? 0.05 : -0.05));
}

/** Maxout inputs whose best piece beats the second best by ≥ 0.05 everywhere (redrawn until so). */
function clearWinners(N: number, D: number, M: number, k: number): { x: Tensor; W: Tensor; b: Tensor } {
  for (;;) {
    const x = randn([N, D], rng);
    const W = randn([k, D, M], rng);
    const b = randn([k, M], rng);
    let margin = Infinity;
    for (let n = 0; n < N; n++) {
      for (let m = 0; m < M; m++) {
        const s = Array.from({ length: k }, (_, j) => b.data[j * M + m]! + Array.from({ length: D }, (_, d) => x.data[n * D + d]! * W.data[(j * D + d) * M + m]!).reduce((a, c) => a + c, 0));
        s.sort((a, c) => c - a);
        margin = Math.min(margin, s[0]! - s[1]!);
      }
    }
    if (margin >= 0.05) return { x, W, b };
  }
}

/** Piece j of W [k, D, M] as a [D, M] matrix. */
const piece = (W: Tensor, j: number): Tensor => ({ shape: W.shape.slice(1), data: W.data.slice(j * W.shape[1]! * W.shape[2]!, (j + 1) * W.shape[1]! * W.shape[2]!) });

describe('shapes', () => {
  test.for([
    [[4, 3], [3]],
    [[2, 3, 4, 5], [3]],
  ] as const)('preluForward, preluBackward › x %j with alpha %j: out and dx keep the shape of x, dalpha that of alpha', ([xShape, aShape]) => {
    const x = randn([...xShape], rng);
    const { out, cache } = preluForward(x, randn([...aShape], rng));
    expect(out).toHaveShape([...xShape], 'out');
    const { dx, dalpha } = preluBackward(randn([...xShape], rng), cache);
    expect(dx).toHaveShape([...xShape], 'dx');
    expect(dalpha).toHaveShape([...aShape], 'dalpha');
  });

  test('maxoutForward, maxoutBackward › x [N, D], W [k, D, M], b [k, M] give out [N, M] and gradients of their shapes', () => {
    const { out, cache } = maxoutForward(randn([5, 4], rng), randn([3, 4, 2], rng), randn([3, 2], rng));
    expect(out).toHaveShape([5, 2], 'out');
    const g = maxoutBackward(randn([5, 2], rng), cache);
    expect(g.dx).toHaveShape([5, 4], 'dx');
    expect(g.dW).toHaveShape([3, 4, 2], 'dW');
    expect(g.db).toHaveShape([3, 2], 'db');
  });
});

describe('values', () => {
  valueTests(fixture, preluMaxout as unknown as PreluMaxoutModule);
});

describe('properties', () => {
  test('preluForward › alpha = 0 is ReLU, alpha = 1 the identity', () => {
    const x = randn([3, 5], rng);
    expect(preluForward(x, zeros([5])).out).toBeAllClose(map(x, (v) => Math.max(0, v)), { rtol: 0, atol: 0, what: 'PReLU with alpha 0' });
    expect(preluForward(x, map(zeros([5]), () => 1)).out).toBeAllClose(x, { rtol: 0, atol: 0, what: 'PReLU with alpha 1' });
  });

  test('preluBackward › dalpha of a channel sums dout ⊙ x over its negative elements, in every sample and pixel', () => {
    const x = awayFromZero([2, 2, 3, 3]);
    const dout = randn([2, 2, 3, 3], rng);
    const { dalpha } = preluBackward(dout, preluForward(x, map(zeros([2]), () => 0.25)).cache);
    const want = [0, 0];
    for (let i = 0; i < x.data.length; i++) if (x.data[i]! < 0) want[Math.floor(i / 9) % 2]! += x.data[i]! * dout.data[i]!;
    expect(dalpha).toBeAllClose(want, { ...TOL, what: 'dalpha' });
  });

  test('maxoutForward › with k = 2, a zero piece and a second piece (W, b), maxout is ReLU(x W + b)', () => {
    const x = randn([4, 3], rng);
    const W = randn([3, 2], rng);
    const b = randn([2], rng);
    const pieces = { shape: [2, 3, 2], data: Float64Array.from([...new Float64Array(6), ...W.data]) };
    const biases = { shape: [2, 2], data: Float64Array.from([0, 0, ...b.data]) };
    const affine = map(matmul(x, W), (v, k) => v + b.data[k % 2]!);
    expect(maxoutForward(x, pieces, biases).out).toBeAllClose(map(affine, (v) => Math.max(0, v)), { ...TOL, what: 'maxout of a zero piece and x W + b' });
  });

  test('maxoutForward › the output is at least every piece, and equals one of them', () => {
    const { x, W, b } = clearWinners(3, 4, 2, 3);
    const { out } = maxoutForward(x, W, b);
    const pieces = [0, 1, 2].map((j) => map(matmul(x, piece(W, j)), (v, k) => v + b.data[j * 2 + (k % 2)]!));
    out.data.forEach((v, i) => {
      for (const p of pieces) expect(v, `out[${i}] against each piece`).toBeGreaterThanOrEqual(p.data[i]! - 1e-12);
      expect(Math.min(...pieces.map((p) => Math.abs(p.data[i]! - v))), `out[${i}] equals a piece`).toBeLessThan(1e-12);
    });
  });

  test('maxoutBackward › on a tie the piece with the smallest index takes the whole gradient', () => {
    const x = randn([2, 3], rng);
    const one = randn([1, 3, 2], rng);
    const W = { shape: [2, 3, 2], data: Float64Array.from([...one.data, ...one.data]) };
    const b = { shape: [2, 2], data: Float64Array.of(0.1, 0.2, 0.1, 0.2) };
    const dout = randn([2, 2], rng);
    const { dW, db } = maxoutBackward(dout, maxoutForward(x, W, b).cache);
    expect(Array.from(db.data.slice(2)), 'db of piece 1 (it never wins a tie)').toEqual([0, 0]);
    expect(Array.from(dW.data.slice(6)), 'dW of piece 1').toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(db.data.slice(0, 2))).toBeAllClose([dout.data[0]! + dout.data[2]!, dout.data[1]! + dout.data[3]!], { ...TOL, what: 'db of piece 0' });
  });

  test('preluForward, maxoutForward and their backward passes never mutate their inputs', () => {
    const x = randn([3, 4], rng);
    const alpha = randn([4], rng);
    const W = randn([2, 4, 3], rng);
    const b = randn([2, 3], rng);
    const d1 = randn([3, 4], rng);
    const d2 = randn([3, 3], rng);
    const before = [x, alpha, W, b, d1, d2].map(clone);
    preluBackward(d1, preluForward(x, alpha).cache);
    maxoutBackward(d2, maxoutForward(x, W, b).cache);
    [x, alpha, W, b, d1, d2].forEach((t, i) => expect(t.data).toEqual(before[i]!.data));
  });
});

describe('gradients', () => {
  test.for([
    ['[N, D]', [3, 4]],
    ['[N, C, H, W]', [2, 3, 2, 2]],
  ] as const)('preluBackward › %s: dx and dalpha match numerical gradients of preluForward', ([, shape]) => {
    const x = awayFromZero([...shape]);
    const alpha = map(randn([shape[1]], rng), (v) => 0.25 + 0.1 * v);
    const dout = randn([...shape], rng);
    const { dx, dalpha } = preluBackward(dout, preluForward(x, alpha).cache);
    const dxNum = numericalGradientOf(preluForward, [x, alpha], { wrt: 0, output: ['out'], dout });
    const dalphaNum = numericalGradientOf(preluForward, [x, alpha], { wrt: 1, output: ['out'], dout });
    expect(relError(dx, dxNum), 'relative error of dx').toBeLessThan(GRAD_MAX_REL_ERROR);
    expect(relError(dalpha, dalphaNum), 'relative error of dalpha').toBeLessThan(GRAD_MAX_REL_ERROR);
  });

  test('maxoutBackward › dx, dW and db match numerical gradients of maxoutForward', () => {
    const { x, W, b } = clearWinners(3, 4, 2, 3);
    const dout = randn([3, 2], rng);
    const g = maxoutBackward(dout, maxoutForward(x, W, b).cache);
    const args: [Tensor, Tensor, Tensor] = [x, W, b];
    expect(relError(g.dx, numericalGradientOf(maxoutForward, args, { wrt: 0, output: ['out'], dout })), 'relative error of dx').toBeLessThan(GRAD_MAX_REL_ERROR);
    expect(relError(g.dW, numericalGradientOf(maxoutForward, args, { wrt: 1, output: ['out'], dout })), 'relative error of dW').toBeLessThan(GRAD_MAX_REL_ERROR);
    expect(relError(g.db, numericalGradientOf(maxoutForward, args, { wrt: 2, output: ['out'], dout })), 'relative error of db').toBeLessThan(GRAD_MAX_REL_ERROR);
  });
});

describe('bad input', () => {
  test("preluForward › an 'alpha' of the wrong length is a RangeError naming both shapes", () => {
    expectInputError(() => preluForward(randn([2, 3, 4, 4], rng), randn([4], rng)), { fn: 'preluForward', arg: 'alpha', shapes: [[3], [4]] });
  });

  test("preluForward › an 'x' of rank 3 is a RangeError", () => {
    expectInputError(() => preluForward(randn([2, 3, 4], rng), randn([3], rng)), { fn: 'preluForward', arg: 'x', shapes: [[2, 3, 4]] });
  });

  test("maxoutForward › a 'W' whose D differs from x's is a RangeError naming both shapes", () => {
    expectInputError(() => maxoutForward(randn([2, 3], rng), randn([2, 4, 5], rng), randn([2, 5], rng)), { fn: 'maxoutForward', arg: 'W', shapes: [[2, 3, 5], [2, 4, 5]] });
  });

  test("maxoutForward › a 'b' that is not [k, M] is a RangeError naming both shapes", () => {
    expectInputError(() => maxoutForward(randn([2, 3], rng), randn([2, 3, 5], rng), randn([5], rng)), { fn: 'maxoutForward', arg: 'b', shapes: [[2, 5], [5]] });
  });

  test("maxoutBackward › a 'dout' of the wrong shape is a RangeError naming both shapes", () => {
    const { cache } = maxoutForward(randn([2, 3], rng), randn([2, 3, 4], rng), randn([2, 4], rng));
    expectInputError(() => maxoutBackward(randn([4, 2], rng), cache), { fn: 'maxoutBackward', arg: 'dout', shapes: [[2, 4], [4, 2]] });
  });
});
