// Your work goes here: replace each `throw new NotImplementedError(...)` with your implementation.
// Run this exercise's tests with `npm test <this folder>`; the README next to this file is the brief.
/**
 * Exercise 01 — activation functions and their local gradients.
 *
 * Every function here acts elementwise on a tensor of any shape: `x`, `out`, `dout` and `dx` all
 * share one shape. A forward pass returns `{ out, cache }`; its backward pass turns the upstream
 * gradient `dout = ∂L/∂out` into `dx = ∂L/∂x = dout ⊙ f′(x)`, reading only what the cache holds.
 *
 * At exactly x = 0, where ReLU and leaky ReLU have a kink, the gradient takes the x ≤ 0 side
 * (CS231n: `dx = dout * (x > 0)`).
 */
import { assertShape, assertTensor, map, map2, NotImplementedError, type Tensor } from '../../lib/index.ts';

/** What every forward pass returns. */
export interface ActivationResult<Cache> {
  /** f(x), the shape of `x`. */
  out: Tensor;
  /** What the matching backward pass needs. */
  cache: Cache;
}

// Each cache is yours to design: store exactly what your backward pass reads.

export interface SigmoidCache {
  // TODO: what sigmoidBackward reads.
  [name: string]: unknown;
}

export interface TanhCache {
  // TODO: what tanhBackward reads.
  [name: string]: unknown;
}

export interface ReluCache {
  // TODO: what reluBackward reads.
  [name: string]: unknown;
}

export interface LeakyReluCache {
  // TODO: what leakyReluBackward reads (alpha is not always the default).
  [name: string]: unknown;
}

export interface EluCache {
  // TODO: what eluBackward reads (alpha is not always the default).
  [name: string]: unknown;
}

/**
 * Sigmoid, forward: `σ(x) = 1 / (1 + e^(−x))`, output in (0, 1).
 *
 * NOTE: `e^x / (1 + e^x)` is Infinity / Infinity = NaN above x ≈ 709 (`1 / (1 + e^(−x))` stays
 * finite: at x = −1000 it is 1 / Infinity = 0). Computing each sign with the form that only
 * exponentiates a non-positive number is safe by construction.
 *
 * @param x any shape.
 * @returns `{ out: σ(x), cache }`, `out` the shape of `x`.
 * @throws TypeError when `x` is not a tensor.
 */
export function sigmoidForward(x: Tensor): ActivationResult<SigmoidCache> {
  // TODO: check that 'x' is a tensor (assertTensor from lib), then compute σ elementwise (map from lib).
  // TODO: for each sign of x, pick a form of σ that never exponentiates a large positive number.
  throw new NotImplementedError('sigmoidForward', 'exercises/01-activations/activations.ts');
}

/**
 * Sigmoid, backward: `dx = dout ⊙ σ(x) ⊙ (1 − σ(x))`.
 *
 * σ′ peaks at 1/4 for x = 0 and vanishes when the neuron saturates: σ′(±10) ≈ 4.5e-5.
 * NOTE: σ′ is a function of σ(x), the forward output, not of x: σ′(x) ≠ x(1 − x).
 *
 * @param dout upstream gradient, the shape of the forward pass's `x`.
 * @param cache what `sigmoidForward` returned.
 * @returns `dx`, the shape of `dout`.
 * @throws RangeError when `dout` does not have the shape of `x`.
 */
export function sigmoidBackward(dout: Tensor, cache: SigmoidCache): Tensor {
  // TODO: check that 'dout' has the shape of the forward input (assertShape from lib).
  throw new NotImplementedError('sigmoidBackward', 'exercises/01-activations/activations.ts');
}

/**
 * Hyperbolic tangent, forward: `tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x)) = 2σ(2x) − 1`, output
 * in (−1, 1), zero-centred.
 *
 * NOTE: the quotient of exponentials is Infinity / Infinity = NaN for |x| above about 710;
 * `Math.tanh` is stable.
 *
 * @param x any shape.
 * @returns `{ out: tanh(x), cache }`, `out` the shape of `x`.
 * @throws TypeError when `x` is not a tensor.
 */
export function tanhForward(x: Tensor): ActivationResult<TanhCache> {
  throw new NotImplementedError('tanhForward', 'exercises/01-activations/activations.ts');
}

/**
 * Hyperbolic tangent, backward: `dx = dout ⊙ (1 − tanh²(x))`.
 *
 * NOTE: the square is of the output tanh(x), not of x.
 *
 * @param dout upstream gradient, the shape of the forward pass's `x`.
 * @param cache what `tanhForward` returned.
 * @returns `dx`, the shape of `dout`.
 * @throws RangeError when `dout` does not have the shape of `x`.
 */
export function tanhBackward(dout: Tensor, cache: TanhCache): Tensor {
  throw new NotImplementedError('tanhBackward', 'exercises/01-activations/activations.ts');
}

/**
 * Rectified linear unit, forward: `relu(x) = max(0, x)`.
 *
 * @param x any shape.
 * @returns `{ out: max(0, x), cache }`, `out` the shape of `x`.
 * @throws TypeError when `x` is not a tensor.
 */
export function reluForward(x: Tensor): ActivationResult<ReluCache> {
  throw new NotImplementedError('reluForward', 'exercises/01-activations/activations.ts');
}

/**
 * Rectified linear unit, backward: `dx = dout ⊙ [x > 0]` — the gradient passes where the unit
 * was active and is 0 elsewhere. A unit whose input is negative for every example never passes
 * a gradient: a "dead ReLU".
 *
 * NOTE: at exactly x = 0 the gradient is 0 (CS231n: `dout * (x > 0)`).
 *
 * @param dout upstream gradient, the shape of the forward pass's `x`.
 * @param cache what `reluForward` returned.
 * @returns `dx`, the shape of `dout`.
 * @throws RangeError when `dout` does not have the shape of `x`.
 */
export function reluBackward(dout: Tensor, cache: ReluCache): Tensor {
  throw new NotImplementedError('reluBackward', 'exercises/01-activations/activations.ts');
}

/**
 * Leaky ReLU, forward: `f(x) = x` for x > 0, `α·x` otherwise. A small slope for negative inputs
 * keeps the gradient from dying.
 *
 * @param x any shape.
 * @param alpha the slope for x ≤ 0, a finite number. Default 0.01.
 * @returns `{ out, cache }`, `out` the shape of `x`.
 * @throws TypeError when `x` is not a tensor or `alpha` not a number; RangeError when `alpha` is not finite.
 */
export function leakyReluForward(x: Tensor, alpha = 0.01): ActivationResult<LeakyReluCache> {
  throw new NotImplementedError('leakyReluForward', 'exercises/01-activations/activations.ts');
}

/**
 * Leaky ReLU, backward: `dx = dout` where x > 0, `α·dout` where x ≤ 0.
 *
 * NOTE: α scales the negative side only, and it is the α of the forward pass, not the default.
 *
 * @param dout upstream gradient, the shape of the forward pass's `x`.
 * @param cache what `leakyReluForward` returned.
 * @returns `dx`, the shape of `dout`.
 * @throws RangeError when `dout` does not have the shape of `x`.
 */
export function leakyReluBackward(dout: Tensor, cache: LeakyReluCache): Tensor {
  throw new NotImplementedError('leakyReluBackward', 'exercises/01-activations/activations.ts');
}

/**
 * Exponential linear unit (Clevert et al., 2015), forward: `f(x) = x` for x > 0,
 * `α·(e^x − 1)` otherwise. Smooth, saturates to −α for very negative inputs, and its outputs
 * average closer to zero than ReLU's.
 *
 * @param x any shape.
 * @param alpha the negative saturation value is −α, a finite number. Default 1.
 * @returns `{ out, cache }`, `out` the shape of `x`.
 * @throws TypeError when `x` is not a tensor or `alpha` not a number; RangeError when `alpha` is not finite.
 */
export function eluForward(x: Tensor, alpha = 1): ActivationResult<EluCache> {
  throw new NotImplementedError('eluForward', 'exercises/01-activations/activations.ts');
}

/**
 * Exponential linear unit, backward: `dx = dout` where x > 0, `dout ⊙ α·e^x` where x ≤ 0.
 *
 * NOTE: for x ≤ 0 the derivative is α·e^x, which equals `out + α`, not `out` itself.
 *
 * @param dout upstream gradient, the shape of the forward pass's `x`.
 * @param cache what `eluForward` returned.
 * @returns `dx`, the shape of `dout`.
 * @throws RangeError when `dout` does not have the shape of `x`.
 */
export function eluBackward(dout: Tensor, cache: EluCache): Tensor {
  throw new NotImplementedError('eluBackward', 'exercises/01-activations/activations.ts');
}
