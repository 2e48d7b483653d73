/**
 * First-order update rules, with CS231n's defaults and semantics (`optim.py`). Each rule takes a
 * parameter `w`, its gradient `dw` and a config holding the hyperparameters and the rule's state
 * (velocity, moments, step count), and returns the next `w` and the next config. Nothing is
 * mutated: the state lives in the returned config, which the caller passes to the next step.
 */
import { assertShape, assertTensor, type Tensor } from '../lib/index.ts';

/** The rules by name, as the solver and the CLI spell them. */
export const OPTIMIZERS = ['sgd', 'sgdMomentum', 'nesterov', 'rmsprop', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Hyperparameters and state of any rule; each rule reads the fields it knows. */
export interface OptimConfig {
  learningRate: number;
  /** sgdMomentum, nesterov: μ. */
  momentum?: number;
  /** sgdMomentum, nesterov: the velocity v, shape of w (zeros at first). */
  velocity?: Tensor;
  /** rmsprop: the decay of the squared-gradient average. */
  decayRate?: number;
  /** rmsprop: the running average of dw² (zeros at first). */
  cache?: Tensor;
  /** rmsprop, adam: added to the denominator. */
  epsilon?: number;
  /** adam: first- and second-moment decay. */
  beta1?: number;
  beta2?: number;
  /** adam: first and second moments (zeros at first). */
  m?: Tensor;
  v?: Tensor;
  /** adam: steps taken so far. */
  t?: number;
}

/** CS231n's default hyperparameters per rule (`optim.py`), learning rate included. */
export const OPTIMIZER_DEFAULTS: Record<OptimizerName, Readonly<OptimConfig>> = {
  sgd: { learningRate: 1e-2 },
  sgdMomentum: { learningRate: 1e-2, momentum: 0.9 },
  nesterov: { learningRate: 1e-2, momentum: 0.9 },
  rmsprop: { learningRate: 1e-2, decayRate: 0.99, epsilon: 1e-8 },
  adam: { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, t: 0 },
};

export interface UpdateResult {
  /** The updated parameter, shape of `w`. */
  w: Tensor;
  /** The config to pass to the next step (hyperparameters plus updated state). */
  config: OptimConfig;
}

function check(fn: string, w: Tensor, dw: Tensor, config: OptimConfig): void {
  assertTensor(fn, 'w', w);
  assertShape(fn, 'dw', dw, w.shape);
  if (!(config.learningRate >= 0) || !Number.isFinite(config.learningRate)) {
    throw new RangeError(`${fn}: 'learningRate' must be a finite non-negative number, got ${String(config.learningRate)}`);
  }
  for (const key of ['velocity', 'cache', 'm', 'v'] as const) {
    const state = config[key];
    if (state !== undefined) assertShape(fn, `config.${key}`, state, w.shape);
  }
}

const zerosLike = (w: Tensor): Float64Array => new Float64Array(w.data.length);

/**
 * Vanilla stochastic gradient descent: `w ← w − lr · dw`.
 * @param w any shape; @param dw shape of w; @param config `{ learningRate = 1e-2 }`.
 */
export function sgd(w: Tensor, dw: Tensor, config: Partial<OptimConfig> = {}): UpdateResult {
  const c: OptimConfig = { ...OPTIMIZER_DEFAULTS.sgd, ...config };
  check('sgd', w, dw, c);
  const lr = c.learningRate;
  const next = new Float64Array(w.data.length);
  for (let i = 0; i < next.length; i++) next[i] = w.data[i]! - lr * dw.data[i]!;
  return { w: { shape: [...w.shape], data: next }, config: c };
}

/**
 * SGD with momentum: `v ← μ·v − lr·dw;  w ← w + v`.
 * @param config `{ learningRate = 1e-2, momentum = 0.9, velocity = 0 }`.
 */
export function sgdMomentum(w: Tensor, dw: Tensor, config: Partial<OptimConfig> = {}): UpdateResult {
  const c: OptimConfig = { ...OPTIMIZER_DEFAULTS.sgdMomentum, ...config };
  check('sgdMomentum', w, dw, c);
  const { learningRate: lr, momentum: mu = 0.9 } = c;
  const v = c.velocity?.data.slice() ?? zerosLike(w);
  const next = new Float64Array(w.data.length);
  for (let i = 0; i < next.length; i++) {
    v[i] = mu * v[i]! - lr * dw.data[i]!;
    next[i] = w.data[i]! + v[i]!;
  }
  return { w: { shape: [...w.shape], data: next }, config: { ...c, velocity: { shape: [...w.shape], data: v } } };
}

/**
 * Nesterov momentum in the lecture's form (the look-ahead folded into the update, CS231n notes):
 *
 *   v_prev = v;  v ← μ·v − lr·dw;  w ← w − μ·v_prev + (1 + μ)·v
 *
 * @param config `{ learningRate = 1e-2, momentum = 0.9, velocity = 0 }`.
 */
export function nesterov(w: Tensor, dw: Tensor, config: Partial<OptimConfig> = {}): UpdateResult {
  const c: OptimConfig = { ...OPTIMIZER_DEFAULTS.nesterov, ...config };
  check('nesterov', w, dw, c);
  const { learningRate: lr, momentum: mu = 0.9 } = c;
  const v = c.velocity?.data.slice() ?? zerosLike(w);
  const next = new Float64Array(w.data.length);
  for (let i = 0; i < next.length; i++) {
    const vPrev = v[i]!;
    v[i] = mu * vPrev - lr * dw.data[i]!;
    next[i] = w.data[i]! - mu * vPrev + (1 + mu) * v[i]!;
  }
  return { w: { shape: [...w.shape], data: next }, config: { ...c, velocity: { shape: [...w.shape], data: v } } };
}

/**
 * RMSProp (Hinton): a per-parameter step scaled by a running average of squared gradients.
 *
 *   cache ← ρ·cache + (1 − ρ)·dw²;  w ← w − lr · dw / (√cache + ε)
 *
 * @param config `{ learningRate = 1e-2, decayRate ρ = 0.99, epsilon = 1e-8, cache = 0 }`.
 */
export function rmsprop(w: Tensor, dw: Tensor, config: Partial<OptimConfig> = {}): UpdateResult {
  const c: OptimConfig = { ...OPTIMIZER_DEFAULTS.rmsprop, ...config };
  check('rmsprop', w, dw, c);
  const { learningRate: lr, decayRate: rho = 0.99, epsilon: eps = 1e-8 } = c;
  const cache = c.cache?.data.slice() ?? zerosLike(w);
  const next = new Float64Array(w.data.length);
  for (let i = 0; i < next.length; i++) {
    const g = dw.data[i]!;
    cache[i] = rho * cache[i]! + (1 - rho) * g * g;
    next[i] = w.data[i]! - (lr * g) / (Math.sqrt(cache[i]!) + eps);
  }
  return { w: { shape: [...w.shape], data: next }, config: { ...c, cache: { shape: [...w.shape], data: cache } } };
}

/**
 * Adam (Kingma & Ba, 2015): momentum on the gradient plus RMSProp's scaling, both bias-corrected.
 *
 *   t ← t + 1
 *   m ← β₁·m + (1 − β₁)·dw;   v ← β₂·v + (1 − β₂)·dw²
 *   m̂ = m / (1 − β₁ᵗ);   v̂ = v / (1 − β₂ᵗ);   w ← w − lr · m̂ / (√v̂ + ε)
 *
 * NOTE: t is incremented before it is used, so the first step divides by 1 − β₁ (not by 0).
 *
 * @param config `{ learningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, m = 0, v = 0, t = 0 }`.
 */
export function adam(w: Tensor, dw: Tensor, config: Partial<OptimConfig> = {}): UpdateResult {
  const c: OptimConfig = { ...OPTIMIZER_DEFAULTS.adam, ...config };
  check('adam', w, dw, c);
  const { learningRate: lr, beta1: b1 = 0.9, beta2: b2 = 0.999, epsilon: eps = 1e-8 } = c;
  const t = (c.t ?? 0) + 1;
  const m = c.m?.data.slice() ?? zerosLike(w);
  const v = c.v?.data.slice() ?? zerosLike(w);
  const correct1 = 1 - b1 ** t;
  const correct2 = 1 - b2 ** t;
  const next = new Float64Array(w.data.length);
  for (let i = 0; i < next.length; i++) {
    const g = dw.data[i]!;
    m[i] = b1 * m[i]! + (1 - b1) * g;
    v[i] = b2 * v[i]! + (1 - b2) * g * g;
    next[i] = w.data[i]! - (lr * (m[i]! / correct1)) / (Math.sqrt(v[i]! / correct2) + eps);
  }
  return {
    w: { shape: [...w.shape], data: next },
    config: { ...c, t, m: { shape: [...w.shape], data: m }, v: { shape: [...w.shape], data: v } },
  };
}

/** The update rule called `name`. */
export const UPDATE_RULES: Record<OptimizerName, (w: Tensor, dw: Tensor, config?: Partial<OptimConfig>) => UpdateResult> = {
  sgd,
  sgdMomentum,
  nesterov,
  rmsprop,
  adam,
};
