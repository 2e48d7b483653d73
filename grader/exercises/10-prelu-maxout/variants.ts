/**
 * Exercise 10's hidden checks whose inputs are drawn from the student's seed (see ../variants.ts):
 * pure functions of (implementation, seed), so `npm run fairness` can run them for many seeds.
 * Backward passes get the cache of the implementation's own forward pass (its contents are the
 * student's design); numerical gradients and expected values come from the reference, so a
 * forward bug is not counted twice.
 */
import { expect } from 'vitest';
import { map, randn, zeros, type Tensor } from '../../../lib/index.ts';
import { numericalGradientOf, relError } from '../../../lib/testing/gradcheck.ts';
import * as reference from '../../../solutions/10-prelu-maxout/prelu-maxout.ts';
import { rngFor, type VariantCheck } from '../variants.ts';
import { awayFromZero, clearWinners } from './fixtures.ts';
import { TOL } from '../../../lib/testing/checks/10-prelu-maxout.ts';

export type PreluMaxoutModule = typeof reference;
type Check = VariantCheck<PreluMaxoutModule>;

/**
 * Inputs stay ≥ 0.1 from every kink (awayFromZero, clearWinners), so a centred difference with
 * h = 1e-5 never steps across one and is exact up to rounding (~1e-11 relative): a correct
 * backward pass lands near 1e-10. A slope or a winner taken wrong is off by 1e-2 or more.
 */
const GRAD_MAX_REL_ERROR = 1e-7;

const shapes: Check[] = [
  {
    group: 'shapes',
    fn: 'preluForward',
    id: 'prelu-single-element-shapes',
    description: 'x [1, 1] and x [1, 1, 1, 1] keep their shapes',
    run: (mod, seed) => {
      const rng = rngFor(seed, '10-prelu-maxout/shapes');
      expect(mod.preluForward(randn([1, 1], rng), randn([1], rng)).out).toHaveShape([1, 1], 'out');
      expect(mod.preluForward(randn([1, 1, 1, 1], rng), randn([1], rng)).out).toHaveShape([1, 1, 1, 1], 'out');
    },
  },
  {
    group: 'shapes',
    fn: 'maxoutForward',
    id: 'maxout-wide-shapes',
    description: 'x [2, 7] with 5 pieces of [7, 1] gives [2, 1]',
    run: (mod, seed) => {
      const rng = rngFor(seed, '10-prelu-maxout/maxout-shapes');
      expect(mod.maxoutForward(randn([2, 7], rng), randn([5, 7, 1], rng), randn([5, 1], rng)).out).toHaveShape([2, 1], 'out');
    },
  },
];

const properties: Check[] = [
  {
    group: 'properties',
    fn: 'preluForward',
    id: 'leaky-relu-special-case',
    description: 'alpha = 0.01 everywhere is leaky ReLU',
    run: (mod, seed) => {
      const x = randn([4, 6], rngFor(seed, '10-prelu-maxout/leaky'));
      // One multiplication per element, the same in every order: exact.
      expect(mod.preluForward(x, map(zeros([6]), () => 0.01)).out).toBeAllClose(map(x, (v) => (v > 0 ? v : 0.01 * v)), { rtol: 0, atol: 0, what: 'out' });
    },
  },
  {
    group: 'properties',
    fn: 'preluBackward',
    id: 'dalpha-zero-for-positive-input',
    description: 'an all-positive x gives dalpha = 0 and dx = dout',
    run: (mod, seed) => {
      const rng = rngFor(seed, '10-prelu-maxout/positive');
      const x = map(randn([3, 2, 2, 2], rng), (v) => Math.abs(v) + 0.1);
      const dout = randn([3, 2, 2, 2], rng);
      const { dx, dalpha } = mod.preluBackward(dout, mod.preluForward(x, randn([2], rng)).cache);
      expect(dalpha).toBeAllClose([0, 0], { rtol: 0, atol: 0, what: 'dalpha' });
      expect(dx).toBeAllClose(dout, { rtol: 0, atol: 0, what: 'dx' });
    },
  },
  {
    group: 'properties',
    fn: 'maxoutForward',
    id: 'one-piece-is-affine',
    description: 'k = 1 is x W + b, and all its gradient goes to that piece',
    run: (mod, seed) => {
      const rng = rngFor(seed, '10-prelu-maxout/one-piece');
      const x = randn([3, 4], rng);
      const W = randn([1, 4, 2], rng);
      const b = randn([1, 2], rng);
      const dout = randn([3, 2], rng);
      const g = mod.maxoutBackward(dout, mod.maxoutForward(x, W, b).cache);
      expect(g.db).toBeAllClose([[dout.data[0]! + dout.data[2]! + dout.data[4]!, dout.data[1]! + dout.data[3]! + dout.data[5]!]], { ...TOL, what: 'db' });
    },
  },
  {
    group: 'properties',
    fn: 'maxoutBackward',
    id: 'three-way-tie',
    description: 'three identical pieces, the first takes every gradient',
    run: (mod, seed) => {
      const rng = rngFor(seed, '10-prelu-maxout/three-way');
      const one = randn([1, 3, 2], rng);
      const W = { shape: [3, 3, 2], data: Float64Array.from([...one.data, ...one.data, ...one.data]) };
      const b = { shape: [3, 2], data: Float64Array.of(0.3, -0.1, 0.3, -0.1, 0.3, -0.1) };
      const dout = randn([4, 2], rng);
      const g = mod.maxoutBackward(dout, mod.maxoutForward(randn([4, 3], rng), W, b).cache);
      expect(Array.from(g.db.data.slice(2)), 'db of pieces 1 and 2').toEqual([0, 0, 0, 0]);
      expect(Array.from(g.dW.data.slice(6)).every((v) => v === 0), 'dW of pieces 1 and 2 is zero').toBe(true);
    },
  },
];

const gradients: Check[] = [
  ...(
    [
      ['features', [4, 3]],
      ['channels', [2, 2, 3, 2]],
    ] as const
  ).map(
    ([what, shape]): Check => ({
      group: 'gradients',
      fn: 'preluBackward',
      id: `numerical-gradient-${what}`,
      description: 'dx and dalpha match numerical gradients (x [N, D], or [N, C, H, W] with a slope per channel)',
      run: (mod, seed) => {
        const rng = rngFor(seed, `10-prelu-maxout/grad-${shape.length}`);
        const x = awayFromZero(rng, [...shape]);
        const alpha = map(randn([shape[1]], rng), (v) => 0.2 + 0.1 * v);
        const dout = randn([...shape], rng);
        const { dx, dalpha } = mod.preluBackward(dout, mod.preluForward(x, alpha).cache);
        expect(relError(dx, numericalGradientOf(reference.preluForward, [x, alpha], { wrt: 0, output: ['out'], dout })), 'relative error of dx').toBeLessThan(GRAD_MAX_REL_ERROR);
        expect(relError(dalpha, numericalGradientOf(reference.preluForward, [x, alpha], { wrt: 1, output: ['out'], dout })), 'relative error of dalpha').toBeLessThan(GRAD_MAX_REL_ERROR);
      },
    }),
  ),
  {
    group: 'gradients',
    fn: 'maxoutBackward',
    id: 'numerical-gradient-four-pieces',
    description: 'dx, dW and db match numerical gradients',
    run: (mod, seed) => {
      const rng = rngFor(seed, '10-prelu-maxout/grad-maxout');
      const [x, W, b] = clearWinners(rng, 4, 3, 2, 4);
      const dout = randn([4, 2], rng);
      const g = mod.maxoutBackward(dout, mod.maxoutForward(x, W, b).cache);
      const args: [Tensor, Tensor, Tensor] = [x, W, b];
      expect(relError(g.dx, numericalGradientOf(reference.maxoutForward, args, { wrt: 0, output: ['out'], dout })), 'relative error of dx').toBeLessThan(GRAD_MAX_REL_ERROR);
      expect(relError(g.dW, numericalGradientOf(reference.maxoutForward, args, { wrt: 1, output: ['out'], dout })), 'relative error of dW').toBeLessThan(GRAD_MAX_REL_ERROR);
      expect(relError(g.db, numericalGradientOf(reference.maxoutForward, args, { wrt: 2, output: ['out'], dout })), 'relative error of db').toBeLessThan(GRAD_MAX_REL_ERROR);
    },
  },
];

/** The student's personal images for PReLU and layer for maxout. */
function personal(seed: string) {
  const rng = rngFor(seed, '10-prelu-maxout');
  const N = 2 + rng.randint(0, 4);
  const C = 1 + rng.randint(0, 4);
  const x = awayFromZero(rng, [N, C, 2, 1 + rng.randint(0, 3)]);
  const alpha = map(randn([C], rng), (v) => 0.25 * v);
  const dout = randn(x.shape as number[], rng);
  const [xm, Wm, bm] = clearWinners(rng, 2 + rng.randint(0, 3), 2 + rng.randint(0, 3), 1 + rng.randint(0, 3), 2 + rng.randint(0, 3));
  const doutM = randn([xm.shape[0]!, Wm.shape[2]!], rng);
  return { x, alpha, dout, xm, Wm, bm, doutM };
}

const variants: Check[] = [
  {
    group: 'variants',
    fn: 'preluForward',
    id: 'variant-prelu',
    description: 'PReLU of your personal images',
    run: (mod, seed) => {
      const { x, alpha, dout } = personal(seed);
      expect(mod.preluForward(x, alpha).out).toBeAllClose(reference.preluForward(x, alpha).out, { ...TOL, what: 'out' });
      const want = reference.preluBackward(dout, reference.preluForward(x, alpha).cache);
      const got = mod.preluBackward(dout, mod.preluForward(x, alpha).cache);
      expect(got.dx).toBeAllClose(want.dx, { ...TOL, what: 'dx' });
      expect(got.dalpha).toBeAllClose(want.dalpha, { ...TOL, what: 'dalpha' });
    },
  },
  {
    group: 'variants',
    fn: 'maxoutForward',
    id: 'variant-maxout',
    description: 'maxout of your personal layer',
    run: (mod, seed) => {
      const { xm, Wm, bm, doutM } = personal(seed);
      expect(mod.maxoutForward(xm, Wm, bm).out).toBeAllClose(reference.maxoutForward(xm, Wm, bm).out, { ...TOL, what: 'out' });
      const want = reference.maxoutBackward(doutM, reference.maxoutForward(xm, Wm, bm).cache);
      const got = mod.maxoutBackward(doutM, mod.maxoutForward(xm, Wm, bm).cache);
      expect(got.dx).toBeAllClose(want.dx, { ...TOL, what: 'dx' });
      expect(got.dW).toBeAllClose(want.dW, { ...TOL, what: 'dW' });
      expect(got.db).toBeAllClose(want.db, { ...TOL, what: 'db' });
    },
  },
];

export const variantChecks: Check[] = [...shapes, ...properties, ...gradients, ...variants];
