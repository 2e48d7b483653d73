// Your work goes here: replace each `throw new NotImplementedError(...)` with your implementation.
// Run this exercise's tests with `npm test <this folder>`; the README next to this file is the brief.
/**
 * Exercise 02 — weight initialization, and the lecture's experiment that shows why it matters.
 *
 * A fully connected layer maps `fanIn` inputs to `fanOut` outputs with a weight matrix
 * `W [fanIn, fanOut]`, applied as `h · W` to a batch `h [N, fanIn]`.
 *
 * Draw order (so results are reproducible and compare exactly with the reference): every
 * initializer draws exactly `fanIn · fanOut` standard normals with `rng.randn()`, one per weight,
 * in row-major order — W[0, 0], W[0, 1], …, W[fanIn − 1, fanOut − 1] — and scales each one.
 * `randn([fanIn, fanOut], rng)` from lib draws exactly that way. Never use `Math.random`.
 */
import { assertShape, describe, map, matmul, mean, NotImplementedError, randn, type Rng, type Tensor, variance } from '../../lib/index.ts';

/** The nonlinearity between layers in `activationStatistics`. */
export type Activation = 'tanh' | 'relu';

/** Summary of one layer's activations: every value of `h [N, D]` taken together. */
export interface LayerStatistics {
  /** (1 / (N·D)) Σ h. */
  mean: number;
  /** √((1 / (N·D)) Σ (h − mean)²), the population standard deviation. */
  std: number;
}

/**
 * Xavier initialization as in the lecture: `W = randn(fanIn, fanOut) / √fanIn`, so each weight
 * has variance 1 / fanIn.
 *
 * Why: a unit sums fanIn terms w·h. With zero-mean, independent weights and inputs,
 * Var(Σ w·h) = fanIn · Var(w) · Var(h), so Var(w) = 1 / fanIn keeps the variance of the
 * pre-activations equal to that of the inputs, layer after layer (for a unit that is linear near
 * 0, such as tanh). Glorot & Bengio (2010) also balance the backward pass, whose sums run over
 * fanOut, and settle on Var(w) = 2 / (fanIn + fanOut); this kit uses the lecture's 1 / fanIn.
 *
 * NOTE: scale by 1 / √fanIn — the standard deviation, not the variance — and by fanIn, not fanOut.
 *
 * @param fanIn number of inputs of the layer, a positive integer.
 * @param fanOut number of outputs of the layer, a positive integer.
 * @param rng the generator: exactly fanIn · fanOut `rng.randn()` draws, row-major (see the file header).
 * @returns `W [fanIn, fanOut]`.
 * @throws RangeError when a fan is not a positive integer; TypeError when it is not a number or `rng` is not a generator.
 */
export function xavierInit(fanIn: number, fanOut: number, rng: Rng): Tensor {
  // TODO: check fanIn, fanOut (positive integers, RangeError) and rng first.
  throw new NotImplementedError('xavierInit', 'exercises/02-weight-init/weight-init.ts');
}

/**
 * He initialization (He et al., 2015): `W = randn(fanIn, fanOut) · √(2 / fanIn)`, variance
 * 2 / fanIn.
 *
 * Why: ReLU zeroes about half of its inputs, which halves the second moment passed on to the next
 * layer; doubling the weight variance makes up for it. With Xavier weights, ReLU activations
 * shrink by a factor √2 in standard deviation at every layer.
 *
 * NOTE: the factor 2 sits inside the square root.
 *
 * @param fanIn number of inputs of the layer, a positive integer.
 * @param fanOut number of outputs of the layer, a positive integer.
 * @param rng the generator: exactly fanIn · fanOut `rng.randn()` draws, row-major (see the file header).
 * @returns `W [fanIn, fanOut]`.
 * @throws RangeError when a fan is not a positive integer; TypeError when it is not a number or `rng` is not a generator.
 */
export function heInit(fanIn: number, fanOut: number, rng: Rng): Tensor {
  throw new NotImplementedError('heInit', 'exercises/02-weight-init/weight-init.ts');
}

/**
 * Small random numbers: `W = scale · randn(fanIn, fanOut)`, by default `0.01 · randn`.
 *
 * Breaks the symmetry that W = 0 leaves (identical units get identical gradients and stay
 * identical), and works for small networks; in a deep one the activations shrink towards 0 layer
 * after layer. `scale = 1` makes them saturate instead.
 *
 * @param fanIn number of inputs of the layer, a positive integer.
 * @param fanOut number of outputs of the layer, a positive integer.
 * @param rng the generator: exactly fanIn · fanOut `rng.randn()` draws, row-major (see the file header).
 * @param scale the standard deviation of every weight, a finite number ≥ 0. Default 0.01.
 * @returns `W [fanIn, fanOut]`.
 * @throws RangeError when a fan is not a positive integer or `scale` is negative or not finite; TypeError for non-numbers or a missing `rng`.
 */
export function smallRandomInit(fanIn: number, fanOut: number, rng: Rng, scale = 0.01): Tensor {
  throw new NotImplementedError('smallRandomInit', 'exercises/02-weight-init/weight-init.ts');
}

/**
 * The lecture's experiment: push a batch through a deep network and watch each layer's
 * activations. With `h_0 = x`, for l = 1 … L:
 *   h_l = act(h_{l−1} · W_l),   act = tanh or relu (elementwise),   h_l [N, D_l]
 * and layer l's statistics are the mean and the population standard deviation of all N·D_l
 * values of h_l (after the nonlinearity).
 *
 * NOTE: population std — divide by N·D_l, not N·D_l − 1 — of the activations, not of the
 * pre-activations h_{l−1} · W_l.
 *
 * @param x `[N, D_0]` input batch, N ≥ 1.
 * @param weights `W_l [D_{l−1}, D_l]` for l = 1 … L; each D_l ≥ 1. May be empty.
 * @param activation `'tanh'` or `'relu'`.
 * @returns one `{ mean, std }` per weight matrix, in order (length L).
 * @throws RangeError when x is not `[N, D_0]` or has no rows, when `weights[l]` does not chain
 * (`activationStatistics: 'weights[1]' must have shape [100, 50], got [80, 50]`), or for an unknown activation.
 */
export function activationStatistics(x: Tensor, weights: readonly Tensor[], activation: Activation): LayerStatistics[] {
  // TODO: check x, every weights[l] (each must start where the previous one ends) and the activation first.
  throw new NotImplementedError('activationStatistics', 'exercises/02-weight-init/weight-init.ts');
}
