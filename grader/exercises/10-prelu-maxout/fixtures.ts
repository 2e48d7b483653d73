/**
 * Fixture cases for exercise 10 (PReLU and maxout). Inputs that a case does not mean to put on a
 * kink stay at least 0.05 away from it (|x| ≥ 0.05 for PReLU; a margin of 0.05 between the best and
 * the second-best piece for maxout); the tie cases build exact ties on purpose.
 */
import { map, randn, type Rng, type Tensor } from '../../../lib/index.ts';
import { maxoutBackward, maxoutForward, preluBackward, preluForward } from '../../../solutions/10-prelu-maxout/prelu-maxout.ts';
import type { CaseSpec, FixtureSpec } from '../../fixtures/generate.ts';

/** A tensor of the given shape holding `values`, row-major. */
export const fill = (shape: number[], values: readonly number[]): Tensor => ({ shape, data: Float64Array.from(values) });

/** Normal draws scaled by 2, moved at least 0.05 away from 0, so no centred difference crosses the kink. */
export function awayFromZero(rng: Rng, shape: number[]): Tensor {
  return map(randn(shape, rng), (v) => 2 * v + (v >= 0 ? 0.05 : -0.05));
}

/**
 * x [N, D], W [k, D, M], b [k, M] whose best piece beats the second best by at least 0.05 for every
 * output, so a step of 1e-5 in any input cannot change the winner (redrawn until it holds).
 */
export function clearWinners(rng: Rng, N: number, D: number, M: number, k: number): [Tensor, Tensor, Tensor] {
  for (;;) {
    const x = randn([N, D], rng);
    const W = randn([k, D, M], rng);
    const b = randn([k, M], rng);
    let margin = Infinity;
    for (let n = 0; n < N; n++) {
      for (let m = 0; m < M; m++) {
        const pieces = Array.from({ length: k }, (_, j) => {
          let s = b.data[j * M + m]!;
          for (let d = 0; d < D; d++) s += x.data[n * D + d]! * W.data[(j * D + d) * M + m]!;
          return s;
        }).sort((a, c) => c - a);
        if (k > 1) margin = Math.min(margin, pieces[0]! - pieces[1]!);
      }
    }
    if (margin >= 0.05) return [x, W, b];
  }
}

function preluCases(id: string, description: string, x: Tensor, alpha: Tensor, dout: Tensor): CaseSpec[] {
  const { out, cache } = preluForward(x, alpha);
  const { dx, dalpha } = preluBackward(dout, cache);
  return [
    { id: `${id}-forward`, fn: 'preluForward', description, args: { x, alpha }, expected: { out } },
    { id: `${id}-backward`, fn: 'preluBackward', description, args: { x, alpha, dout }, expected: { dx, dalpha } },
  ];
}

function maxoutCases(id: string, description: string, x: Tensor, W: Tensor, b: Tensor, dout: Tensor): CaseSpec[] {
  const { out, cache } = maxoutForward(x, W, b);
  const { dx, dW, db } = maxoutBackward(dout, cache);
  return [
    { id: `${id}-forward`, fn: 'maxoutForward', description, args: { x, W, b }, expected: { out } },
    { id: `${id}-backward`, fn: 'maxoutBackward', description, args: { x, W, b, dout }, expected: { dx, dW, db } },
  ];
}

function publicCases(rng: Rng): CaseSpec[] {
  const x24 = awayFromZero(rng, [2, 4]);
  const img = awayFromZero(rng, [2, 3, 2, 2]);
  const atZero = fill([2, 3], [-1.5, 0, 2, 0, -0.5, 3]);
  const [xm, Wm, bm] = clearWinners(rng, 3, 4, 2, 3);
  const tieX = randn([3, 4], rng);
  const piece = randn([1, 4, 2], rng);
  const tieW = fill([3, 4, 2], [...piece.data, ...piece.data, ...map(piece, (v) => v - 1).data]);
  const tieB = fill([3, 2], [0.5, -0.2, 0.5, -0.2, -99.5, -100.2]);
  return [
    ...preluCases('prelu-features', 'x [2, 4] with one slope per feature', x24, fill([4], [0.25, 0, 0.1, -0.5]), randn([2, 4], rng)),
    ...preluCases('prelu-channels', 'x [2, 3, 2, 2] with one slope per channel, shared by every pixel of the channel', img, fill([3], [0.25, 0.5, 0.05]), randn([2, 3, 2, 2], rng)),
    ...preluCases('prelu-at-zero', 'elements exactly 0: forward 0, backward takes the x ≤ 0 side (slope alpha)', atZero, fill([3], [0.3, 0.2, 0.1]), fill([2, 3], [1, 2, 3, 4, 5, 6])),
    ...maxoutCases('maxout-three-pieces', 'x [3, 4], 3 pieces of [4, 2]', xm, Wm, bm, randn([3, 2], rng)),
    ...maxoutCases('maxout-ties', 'pieces 0 and 1 are identical (piece 2 far below): piece 0 wins every tie and takes the whole gradient', tieX, tieW, tieB, randn([3, 2], rng)),
  ];
}

function hiddenCases(rng: Rng): CaseSpec[] {
  const [x1, W1, b1] = clearWinners(rng, 5, 3, 2, 4);
  const [x2, W2, b2] = clearWinners(rng, 1, 6, 3, 1);
  const zeroRows = fill([2, 3], [0, 0, 0, 1, -1, 2]);
  const zW = randn([2, 3, 2], rng);
  // Equal biases with many digits (see the note in 07's fixtures): the zero row outputs them as they are.
  const zB = fill([2, 2], [Math.SQRT1_2, -1 / Math.PI, Math.SQRT1_2, Math.SQRT2 - 1]);
  const bigK = clearWinners(rng, 4, 5, 3, 6);
  return [
    ...preluCases('prelu-single-feature', 'x [6, 1], one slope', awayFromZero(rng, [6, 1]), fill([1], [0.2]), randn([6, 1], rng)),
    ...preluCases('prelu-big-image', 'x [3, 2, 3, 4]', awayFromZero(rng, [3, 2, 3, 4]), fill([2], [0.25, -0.1]), randn([3, 2, 3, 4], rng)),
    ...preluCases('prelu-all-negative', 'every element negative: out = alpha · x everywhere', map(awayFromZero(rng, [4, 3]), (v) => -Math.abs(v)), fill([3], [0.25, 1, 2]), randn([4, 3], rng)),
    ...preluCases('prelu-one-channel-image', 'x [2, 1, 3, 3], one channel', awayFromZero(rng, [2, 1, 3, 3]), fill([1], [0.4]), randn([2, 1, 3, 3], rng)),
    ...maxoutCases('maxout-four-pieces', 'x [5, 3], 4 pieces of [3, 2]', x1, W1, b1, randn([5, 2], rng)),
    ...maxoutCases('maxout-one-piece', 'k = 1: an affine layer', x2, W2, b2, randn([1, 3], rng)),
    ...maxoutCases('maxout-zero-row-tie', 'a zero row ties the pieces whose biases are equal: the first wins', zeroRows, zW, zB, randn([2, 2], rng)),
    ...maxoutCases('maxout-six-pieces', 'x [4, 5], 6 pieces of [5, 3]', bigK[0], bigK[1], bigK[2], randn([4, 3], rng)),
  ];
}

export const spec: FixtureSpec = { exercise: '10-prelu-maxout', public: publicCases, hidden: hiddenCases };
