/**
 * The fully connected network of CS231n's assignment 2 (`FullyConnectedNet`), built from the
 * exercises' functions:
 *
 *   {affine → [batch norm | layer norm] → activation → [dropout]} × (L − 1) → affine → softmax
 *
 * with L2 regularization `0.5 · reg · Σ_l ΣW_l²` on the weights (not on biases, γ or β).
 */
import { createRng, type Rng, type Tensor } from '../lib/index.ts';
import { affineBackward, affineForward, affineWeightGradients, type AffineCache } from './affine.ts';
import { ACTIVATIONS, INITIALIZERS, type ActivationName, type BuildingBlocks, type InitializerName } from './building-blocks.ts';
import { dropoutBackward, dropoutForward, type DropoutCache } from './dropout.ts';
import type { LossResult, Model, Params } from './model.ts';
import { softmaxLoss, type Labels } from './softmax-loss.ts';

export const NORMALIZATIONS = ['none', 'batchnorm', 'layernorm'] as const;
export type Normalization = (typeof NORMALIZATIONS)[number];

export interface FullyConnectedNetOptions {
  /** D: features per sample (784 for a flattened 28 × 28 digit). */
  inputDim: number;
  /** Sizes of the hidden layers, e.g. [256, 128]; [] is a softmax classifier. */
  hiddenDims: readonly number[];
  /** C. */
  numClasses: number;
  /** Default 'relu'. */
  activation?: ActivationName;
  /** Default 'none'. */
  normalization?: Normalization;
  /** Probability of keeping a hidden unit, in (0, 1]; 1 (the default) means no dropout. */
  dropoutKeepRatio?: number;
  /** 'xavier' (randn/√fanIn), 'he' (randn·√(2/fanIn), the default) or 'small' (randn · weightScale). */
  initializer?: InitializerName;
  /** The scale of the 'small' initializer. Default 1e-2. */
  weightScale?: number;
  /** L2 strength. Default 0. */
  reg?: number;
  /** Seeds the initial weights and the default dropout mask. Default 0. */
  seed?: string | number;
}

/** Per hidden layer, what its backward pass needs. */
interface HiddenCache {
  affine: AffineCache;
  norm: unknown;
  activation: unknown;
  dropout: DropoutCache | null;
}

function positiveInteger(fn: string, name: string, v: unknown): void {
  if (!Number.isInteger(v) || (v as number) < 1) throw new RangeError(`${fn}: '${name}' must be a positive integer, got ${String(v)}`);
}

/** Checks the options and fills in the defaults. */
export function resolveFcOptions(options: FullyConnectedNetOptions): Required<FullyConnectedNetOptions> {
  const fn = 'FullyConnectedNet';
  positiveInteger(fn, 'inputDim', options.inputDim);
  positiveInteger(fn, 'numClasses', options.numClasses);
  if (!Array.isArray(options.hiddenDims)) throw new TypeError(`${fn}: 'hiddenDims' must be an array of layer sizes`);
  options.hiddenDims.forEach((h, i) => positiveInteger(fn, `hiddenDims[${i}]`, h));
  const resolved = {
    inputDim: options.inputDim,
    hiddenDims: [...options.hiddenDims],
    numClasses: options.numClasses,
    activation: options.activation ?? 'relu',
    normalization: options.normalization ?? 'none',
    dropoutKeepRatio: options.dropoutKeepRatio ?? 1,
    initializer: options.initializer ?? 'he',
    weightScale: options.weightScale ?? 1e-2,
    reg: options.reg ?? 0,
    seed: options.seed ?? 0,
  };
  if (!ACTIVATIONS.includes(resolved.activation)) throw new RangeError(`${fn}: 'activation' must be one of ${ACTIVATIONS.join(', ')}, got ${String(resolved.activation)}`);
  if (!NORMALIZATIONS.includes(resolved.normalization)) throw new RangeError(`${fn}: 'normalization' must be one of ${NORMALIZATIONS.join(', ')}, got ${String(resolved.normalization)}`);
  if (!INITIALIZERS.includes(resolved.initializer)) throw new RangeError(`${fn}: 'initializer' must be one of ${INITIALIZERS.join(', ')}, got ${String(resolved.initializer)}`);
  if (!(resolved.dropoutKeepRatio > 0 && resolved.dropoutKeepRatio <= 1)) throw new RangeError(`${fn}: 'dropoutKeepRatio' must be in (0, 1], got ${resolved.dropoutKeepRatio}`);
  if (!(resolved.reg >= 0)) throw new RangeError(`${fn}: 'reg' must be ≥ 0, got ${resolved.reg}`);
  if (!(resolved.weightScale > 0)) throw new RangeError(`${fn}: 'weightScale' must be > 0, got ${resolved.weightScale}`);
  return resolved;
}

/** A weight matrix `[fanIn, fanOut]` from the chosen initializer. */
export function initWeights(blocks: BuildingBlocks, initializer: InitializerName, fanIn: number, fanOut: number, rng: Rng, weightScale: number): Tensor {
  if (initializer === 'xavier') return blocks.xavierInit(fanIn, fanOut, rng);
  if (initializer === 'he') return blocks.heInit(fanIn, fanOut, rng);
  return blocks.smallRandomInit(fanIn, fanOut, rng, weightScale);
}

/** Adds `0.5 · reg · ΣW²` for every weight named `W…` to the loss, and `reg · W` to its gradient. */
export function addL2(params: Params, grads: Params, reg: number): number {
  if (reg === 0) return 0;
  let penalty = 0;
  for (const [name, w] of Object.entries(params)) {
    if (!name.startsWith('W')) continue;
    const g = grads[name]!;
    for (let i = 0; i < w.data.length; i++) {
      penalty += w.data[i]! * w.data[i]!;
      g.data[i]! += reg * w.data[i]!;
    }
  }
  return 0.5 * reg * penalty;
}

/**
 * A hidden layer's normalization, forward: none, batch norm (with the running statistics of layer
 * `l`, updated in `state`) or layer norm, with `gamma<l>` and `beta<l>` from `params`.
 */
export function normForward(blocks: BuildingBlocks, normalization: Normalization, h: Tensor, params: Params, state: Params, l: number, mode: 'train' | 'test'): { out: Tensor; cache: unknown } {
  if (normalization === 'batchnorm') {
    const bn = blocks.batchnormForward(h, params[`gamma${l}`]!, params[`beta${l}`]!, {
      mode,
      ...(state[`runningMean${l}`] ? { runningMean: state[`runningMean${l}`], runningVar: state[`runningVar${l}`] } : {}),
    });
    state[`runningMean${l}`] = bn.runningMean;
    state[`runningVar${l}`] = bn.runningVar;
    return { out: bn.out, cache: bn.cache };
  }
  if (normalization === 'layernorm') {
    const ln = blocks.layernormForward(h, params[`gamma${l}`]!, params[`beta${l}`]!);
    return { out: ln.out, cache: ln.cache };
  }
  return { out: h, cache: null };
}

/** A hidden layer's normalization, backward: puts `gamma<l>` and `beta<l>`'s gradients in `grads`, returns dx. */
export function normBackward(blocks: BuildingBlocks, normalization: Normalization, dh: Tensor, cache: unknown, grads: Params, l: number): Tensor {
  if (normalization === 'none') return dh;
  const g = normalization === 'batchnorm' ? blocks.batchnormBackward(dh, cache) : blocks.layernormBackward(dh, cache);
  grads[`gamma${l}`] = g.dgamma;
  grads[`beta${l}`] = g.dbeta;
  return g.dx;
}

export class FullyConnectedNet implements Model {
  readonly options: Required<FullyConnectedNetOptions>;
  readonly blocks: BuildingBlocks;
  params: Params = {};
  state: Params = {};
  /** Number of affine layers, L = hidden layers + 1. */
  readonly numLayers: number;

  /**
   * @param options the architecture (see `FullyConnectedNetOptions`).
   * @param blocks the exercises' functions to build from (see building-blocks.ts).
   */
  constructor(options: FullyConnectedNetOptions, blocks: BuildingBlocks) {
    this.options = resolveFcOptions(options);
    this.blocks = blocks;
    const { inputDim, hiddenDims, numClasses, normalization, initializer, weightScale, seed } = this.options;
    const dims = [inputDim, ...hiddenDims, numClasses];
    this.numLayers = dims.length - 1;
    const rng = createRng(`${seed}/init`);
    for (let l = 1; l <= this.numLayers; l++) {
      const [fanIn, fanOut] = [dims[l - 1]!, dims[l]!];
      this.params[`W${l}`] = initWeights(blocks, initializer, fanIn, fanOut, rng, weightScale);
      this.params[`b${l}`] = { shape: [fanOut], data: new Float64Array(fanOut) };
      if (l < this.numLayers && normalization !== 'none') {
        this.params[`gamma${l}`] = { shape: [fanOut], data: new Float64Array(fanOut).fill(1) };
        this.params[`beta${l}`] = { shape: [fanOut], data: new Float64Array(fanOut) };
      }
    }
  }

  /** Runs the layers; in train mode keeps the caches and the updated batch-norm statistics. */
  private forward(x: Tensor, mode: 'train' | 'test', rng?: Rng): { scores: Tensor; caches: HiddenCache[]; last: AffineCache; state: Params } {
    const { normalization, activation, dropoutKeepRatio } = this.options;
    const act = this.blocks.activations[activation];
    const caches: HiddenCache[] = [];
    const state: Params = { ...this.state };
    // Without an rng, every call draws the same masks: what a gradient check needs.
    const dropoutRng = dropoutKeepRatio < 1 ? (rng ?? createRng(`${this.options.seed}/dropout`)) : null;
    let h = x;
    for (let l = 1; l < this.numLayers; l++) {
      const affine = affineForward(h, this.params[`W${l}`]!, this.params[`b${l}`]!);
      h = affine.out;
      const n = normForward(this.blocks, normalization, h, this.params, state, l, mode);
      h = n.out;
      const norm = n.cache;
      const a = act.forward(h);
      h = a.out;
      let dropout: DropoutCache | null = null;
      if (dropoutRng) {
        const d = dropoutForward(h, { mode, keepRatio: dropoutKeepRatio, rng: dropoutRng });
        h = d.out;
        dropout = d.cache;
      }
      caches.push({ affine: affine.cache, norm, activation: a.cache, dropout });
    }
    const L = this.numLayers;
    const last = affineForward(h, this.params[`W${L}`]!, this.params[`b${L}`]!);
    return { scores: last.out, caches, last: last.cache, state };
  }

  /** Test-mode class scores `[N, C]` for `x [N, D]` (or `[N, …]`, flattened). */
  scores(x: Tensor): Tensor {
    return this.forward(x, 'test').scores;
  }

  /**
   * Training-mode loss and gradients on a minibatch:
   *   loss = softmax cross-entropy(scores, y) + 0.5 · reg · Σ_l ΣW_l²
   * Updates `state` (batch norm's running statistics).
   */
  loss(x: Tensor, y: Labels, rng?: Rng): LossResult {
    const { normalization, activation, reg } = this.options;
    const act = this.blocks.activations[activation];
    const { scores, caches, last, state } = this.forward(x, 'train', rng);
    this.state = state;
    const { loss: dataLoss, dx: dscores } = softmaxLoss(scores, y);
    const grads: Params = {};
    const L = this.numLayers;
    let back = affineBackward(dscores, last);
    grads[`W${L}`] = back.dw;
    grads[`b${L}`] = back.db;
    let dh = back.dx;
    for (let l = L - 1; l >= 1; l--) {
      const cache = caches[l - 1]!;
      if (cache.dropout) dh = dropoutBackward(dh, cache.dropout);
      dh = act.backward(dh, cache.activation);
      dh = normBackward(this.blocks, normalization, dh, cache.norm, grads, l);
      if (l === 1) {
        // The input is the data: no gradient needed for it.
        const first = affineWeightGradients(dh, cache.affine);
        grads.W1 = first.dw;
        grads.b1 = first.db;
        break;
      }
      back = affineBackward(dh, cache.affine);
      grads[`W${l}`] = back.dw;
      grads[`b${l}`] = back.db;
      dh = back.dx;
    }
    const penalty = addL2(this.params, grads, reg);
    return { loss: dataLoss + penalty, grads };
  }
}
