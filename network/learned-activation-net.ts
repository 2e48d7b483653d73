/**
 * The fully connected net with the activations that learn (exercise 10):
 *
 *   prelu:   {affine → [batch norm | layer norm] → PReLU(α_l) → [dropout]} × (L − 1) → affine → softmax
 *   maxout:  {maxout of k pieces → [batch norm | layer norm] → [dropout]} × (L − 1) → affine → softmax
 *
 * PReLU learns one slope per hidden unit, `alpha_l [H_l]`, starting at 0.25 (He et al., 2015).
 * A maxout layer replaces affine and activation: `W_l [k, fanIn, H_l]`, `b_l [k, H_l]`, each piece
 * initialized like an affine layer. L2 as in `FullyConnectedNet`: on the weights only.
 */
import { createRng, type Rng, type Tensor } from '../lib/index.ts';
import { affineBackward, affineForward, affineWeightGradients, type AffineCache } from './affine.ts';
import type { BuildingBlocks } from './building-blocks.ts';
import { dropoutBackward, dropoutForward, type DropoutCache } from './dropout.ts';
import { addL2, initWeights, normBackward, normForward, resolveFcOptions, type FullyConnectedNetOptions } from './fc-net.ts';
import type { LearnedActivations } from './lecture-blocks.ts';
import type { LossResult, Model, Params } from './model.ts';
import { softmaxLoss, type Labels } from './softmax-loss.ts';

export const LEARNED_ACTIVATIONS = ['prelu', 'maxout'] as const;
export type LearnedActivationName = (typeof LEARNED_ACTIVATIONS)[number];

/** The options of `FullyConnectedNet`, with a learned activation and, for maxout, its pieces. */
export interface LearnedActivationNetOptions extends Omit<FullyConnectedNetOptions, 'activation'> {
  activation: LearnedActivationName;
  /** Pieces per maxout unit, k ≥ 2. Default 2. */
  pieces?: number;
}

export function isLearnedActivation(name: unknown): name is LearnedActivationName {
  return (LEARNED_ACTIVATIONS as readonly unknown[]).includes(name);
}

/** Checks the options and fills in the defaults (everything but the activation as `FullyConnectedNet` does). */
export function resolveLearnedOptions(options: LearnedActivationNetOptions): Required<LearnedActivationNetOptions> {
  const fn = 'LearnedActivationNet';
  if (!isLearnedActivation(options.activation)) throw new RangeError(`${fn}: 'activation' must be one of ${LEARNED_ACTIVATIONS.join(', ')}, got ${String(options.activation)}`);
  const pieces = options.pieces ?? 2;
  if (!Number.isInteger(pieces) || pieces < 2) throw new RangeError(`${fn}: 'pieces' must be an integer ≥ 2, got ${String(pieces)}`);
  return { ...resolveFcOptions({ ...options, activation: 'relu' }), activation: options.activation, pieces };
}

interface HiddenCache {
  /** The affine layer (prelu) or the maxout layer (maxout). */
  layer: unknown;
  norm: unknown;
  prelu: unknown;
  dropout: DropoutCache | null;
}

export class LearnedActivationNet implements Model {
  readonly options: Required<LearnedActivationNetOptions>;
  readonly blocks: BuildingBlocks;
  readonly learned: LearnedActivations;
  params: Params = {};
  state: Params = {};
  readonly numLayers: number;

  /**
   * @param blocks the exercises' functions for initialization and normalization (01–06).
   * @param learned PReLU and maxout (exercise 10).
   */
  constructor(options: LearnedActivationNetOptions, blocks: BuildingBlocks, learned: LearnedActivations) {
    this.options = resolveLearnedOptions(options);
    this.blocks = blocks;
    this.learned = learned;
    const { inputDim, hiddenDims, numClasses, normalization, initializer, weightScale, seed, activation, pieces } = this.options;
    const dims = [inputDim, ...hiddenDims, numClasses];
    this.numLayers = dims.length - 1;
    const rng = createRng(`${seed}/init`);
    for (let l = 1; l <= this.numLayers; l++) {
      const [fanIn, fanOut] = [dims[l - 1]!, dims[l]!];
      const hidden = l < this.numLayers;
      if (hidden && activation === 'maxout') {
        const w = Array.from({ length: pieces }, () => initWeights(blocks, initializer, fanIn, fanOut, rng, weightScale));
        this.params[`W${l}`] = { shape: [pieces, fanIn, fanOut], data: Float64Array.from(w.flatMap((t) => Array.from(t.data))) };
        this.params[`b${l}`] = { shape: [pieces, fanOut], data: new Float64Array(pieces * fanOut) };
      } else {
        this.params[`W${l}`] = initWeights(blocks, initializer, fanIn, fanOut, rng, weightScale);
        this.params[`b${l}`] = { shape: [fanOut], data: new Float64Array(fanOut) };
      }
      if (hidden && normalization !== 'none') {
        this.params[`gamma${l}`] = { shape: [fanOut], data: new Float64Array(fanOut).fill(1) };
        this.params[`beta${l}`] = { shape: [fanOut], data: new Float64Array(fanOut) };
      }
      if (hidden && activation === 'prelu') this.params[`alpha${l}`] = { shape: [fanOut], data: new Float64Array(fanOut).fill(0.25) };
    }
  }

  private forward(x: Tensor, mode: 'train' | 'test', rng?: Rng): { scores: Tensor; caches: HiddenCache[]; last: AffineCache; state: Params } {
    const { normalization, activation, dropoutKeepRatio } = this.options;
    const state: Params = { ...this.state };
    const dropoutRng = dropoutKeepRatio < 1 ? (rng ?? createRng(`${this.options.seed}/dropout`)) : null;
    const caches: HiddenCache[] = [];
    let h = x;
    for (let l = 1; l < this.numLayers; l++) {
      const layer = activation === 'maxout' ? this.learned.maxoutForward(h, this.params[`W${l}`]!, this.params[`b${l}`]!) : affineForward(h, this.params[`W${l}`]!, this.params[`b${l}`]!);
      h = layer.out;
      const n = normForward(this.blocks, normalization, h, this.params, state, l, mode);
      h = n.out;
      const norm = n.cache;
      let prelu: unknown = null;
      if (activation === 'prelu') {
        const p = this.learned.preluForward(h, this.params[`alpha${l}`]!);
        [h, prelu] = [p.out, p.cache];
      }
      let dropout: DropoutCache | null = null;
      if (dropoutRng) {
        const d = dropoutForward(h, { mode, keepRatio: dropoutKeepRatio, rng: dropoutRng });
        [h, dropout] = [d.out, d.cache];
      }
      caches.push({ layer: layer.cache, norm, prelu, dropout });
    }
    const L = this.numLayers;
    const last = affineForward(h, this.params[`W${L}`]!, this.params[`b${L}`]!);
    return { scores: last.out, caches, last: last.cache, state };
  }

  scores(x: Tensor): Tensor {
    return this.forward(x, 'test').scores;
  }

  loss(x: Tensor, y: Labels, rng?: Rng): LossResult {
    const { normalization, activation, reg } = this.options;
    const { scores, caches, last, state } = this.forward(x, 'train', rng);
    this.state = state;
    const { loss: dataLoss, dx: dscores } = softmaxLoss(scores, y);
    const grads: Params = {};
    const L = this.numLayers;
    const top = affineBackward(dscores, last);
    grads[`W${L}`] = top.dw;
    grads[`b${L}`] = top.db;
    let dh = top.dx;
    for (let l = L - 1; l >= 1; l--) {
      const cache = caches[l - 1]!;
      if (cache.dropout) dh = dropoutBackward(dh, cache.dropout);
      if (activation === 'prelu') {
        const p = this.learned.preluBackward(dh, cache.prelu);
        grads[`alpha${l}`] = p.dalpha;
        dh = p.dx;
      }
      dh = normBackward(this.blocks, normalization, dh, cache.norm, grads, l);
      if (activation === 'maxout') {
        const m = this.learned.maxoutBackward(dh, cache.layer);
        [grads[`W${l}`], grads[`b${l}`], dh] = [m.dW, m.db, m.dx];
      } else if (l === 1) {
        // The input is the data: no gradient needed for it.
        const first = affineWeightGradients(dh, cache.layer as AffineCache);
        [grads.W1, grads.b1] = [first.dw, first.db];
      } else {
        const back = affineBackward(dh, cache.layer as AffineCache);
        [grads[`W${l}`], grads[`b${l}`], dh] = [back.dw, back.db, back.dx];
      }
    }
    const penalty = addL2(this.params, grads, reg);
    return { loss: dataLoss + penalty, grads };
  }
}
