/**
 * A small ConvNet that puts group norm where it belongs — after a convolution, normalizing groups
 * of channels of each image on its own (exercise 04):
 *
 *   {conv k×k ("same" padding) → group norm → activation → 2×2 max pool} × B
 *     → {[dropout] → affine → activation} × H → [dropout] → affine → softmax
 *
 * Inputs are images `[N, C, H, W]` (channels first, as CS231n's conv layers). L2 regularization
 * `0.5 · reg · ΣW²` covers the conv filters and the affine weights.
 */
import { createRng, type Rng, type Tensor } from '../lib/index.ts';
import { affineBackward, affineForward, type AffineCache } from './affine.ts';
import { ACTIVATIONS, INITIALIZERS, type ActivationName, type BuildingBlocks, type InitializerName } from './building-blocks.ts';
import { convBackward, convForward, convWeightGradients, type ConvCache } from './conv.ts';
import { dropoutBackward, dropoutForward, type DropoutCache } from './dropout.ts';
import { addL2, initWeights } from './fc-net.ts';
import type { LossResult, Model, Params } from './model.ts';
import { maxPoolBackward, maxPoolForward, type PoolCache } from './pool.ts';
import { softmaxLoss, type Labels } from './softmax-loss.ts';

export interface ConvBlockSpec {
  /** Number of filters F. */
  filters: number;
  /** Filter size k (odd): k × k, padded by (k − 1) / 2 so the image keeps its size. */
  size: number;
}

export interface ConvNetOptions {
  /** `[C, H, W]` of one input image, e.g. `[1, 28, 28]`. */
  inputShape: readonly [number, number, number];
  /** The conv blocks; each halves the image with its 2×2 pool. */
  blocks: readonly ConvBlockSpec[];
  /** Hidden affine layers after the conv blocks. Default []. */
  hiddenDims?: readonly number[];
  numClasses: number;
  /** 'groupnorm' (default) or 'none'. */
  normalization?: 'groupnorm' | 'none';
  /** G, groups per group-norm layer; must divide every block's F. Default 4. */
  groups?: number;
  /** Default 'relu'. */
  activation?: ActivationName;
  /** Probability of keeping an input of each affine layer after the convs, in (0, 1]; 1 (default) = no dropout. */
  dropoutKeepRatio?: number;
  /** Default 'he'; a conv filter's fan-in is C·k·k. */
  initializer?: InitializerName;
  weightScale?: number;
  reg?: number;
  seed?: string | number;
}

type Resolved = Required<Omit<ConvNetOptions, 'inputShape' | 'blocks' | 'hiddenDims'>> & {
  inputShape: [number, number, number];
  blocks: ConvBlockSpec[];
  hiddenDims: number[];
};

export function resolveConvOptions(options: ConvNetOptions): Resolved {
  const fn = 'ConvNet';
  const isPositive = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1;
  if (!Array.isArray(options.inputShape) || options.inputShape.length !== 3 || !options.inputShape.every(isPositive)) {
    throw new RangeError(`${fn}: 'inputShape' must be [C, H, W] of positive integers, got ${JSON.stringify(options.inputShape)}`);
  }
  const r: Resolved = {
    inputShape: [...options.inputShape] as [number, number, number],
    blocks: options.blocks.map((b) => ({ ...b })),
    hiddenDims: [...(options.hiddenDims ?? [])],
    numClasses: options.numClasses,
    normalization: options.normalization ?? 'groupnorm',
    groups: options.groups ?? 4,
    activation: options.activation ?? 'relu',
    dropoutKeepRatio: options.dropoutKeepRatio ?? 1,
    initializer: options.initializer ?? 'he',
    weightScale: options.weightScale ?? 1e-2,
    reg: options.reg ?? 0,
    seed: options.seed ?? 0,
  };
  if (!isPositive(r.numClasses)) throw new RangeError(`${fn}: 'numClasses' must be a positive integer, got ${r.numClasses}`);
  if (r.blocks.length === 0) throw new RangeError(`${fn}: 'blocks' must hold at least one conv block`);
  let [, H, W] = r.inputShape;
  r.blocks.forEach((b, i) => {
    if (!isPositive(b.filters)) throw new RangeError(`${fn}: 'blocks[${i}].filters' must be a positive integer, got ${b.filters}`);
    if (!isPositive(b.size) || b.size % 2 === 0) throw new RangeError(`${fn}: 'blocks[${i}].size' must be an odd positive integer, got ${b.size}`);
    if (r.normalization === 'groupnorm' && b.filters % r.groups !== 0) {
      throw new RangeError(`${fn}: 'groups' = ${r.groups} must divide the ${b.filters} filters of block ${i}`);
    }
    if (H % 2 !== 0 || W % 2 !== 0) throw new RangeError(`${fn}: block ${i} pools a ${H}×${W} image; 2×2 pooling needs even sizes`);
    H /= 2;
    W /= 2;
  });
  r.hiddenDims.forEach((h, i) => {
    if (!isPositive(h)) throw new RangeError(`${fn}: 'hiddenDims[${i}]' must be a positive integer, got ${h}`);
  });
  if (r.normalization !== 'groupnorm' && r.normalization !== 'none') throw new RangeError(`${fn}: 'normalization' must be 'groupnorm' or 'none', got ${String(r.normalization)}`);
  if (!isPositive(r.groups)) throw new RangeError(`${fn}: 'groups' must be a positive integer, got ${r.groups}`);
  if (!ACTIVATIONS.includes(r.activation)) throw new RangeError(`${fn}: 'activation' must be one of ${ACTIVATIONS.join(', ')}, got ${String(r.activation)}`);
  if (!INITIALIZERS.includes(r.initializer)) throw new RangeError(`${fn}: 'initializer' must be one of ${INITIALIZERS.join(', ')}, got ${String(r.initializer)}`);
  if (!(r.reg >= 0)) throw new RangeError(`${fn}: 'reg' must be ≥ 0, got ${r.reg}`);
  if (!(r.dropoutKeepRatio > 0 && r.dropoutKeepRatio <= 1)) throw new RangeError(`${fn}: 'dropoutKeepRatio' must be in (0, 1], got ${r.dropoutKeepRatio}`);
  return r;
}

interface BlockCache {
  conv: ConvCache;
  norm: unknown;
  activation: unknown;
  pool: PoolCache;
}

interface DenseCache {
  /** Dropout on the layer's input (null without dropout). */
  dropout: DropoutCache | null;
  affine: AffineCache;
  activation: unknown;
}

const POOL = { poolHeight: 2, poolWidth: 2, stride: 2 };

export class ConvNet implements Model {
  readonly options: Resolved;
  readonly blocks: BuildingBlocks;
  params: Params = {};
  state: Params = {};

  /**
   * Parameters, numbered in order: conv block b has `W{b}` `[F, C, k, k]`, `b{b}` `[F]` and (with
   * group norm) `gamma{b}`, `beta{b}` `[F]`; then each affine layer has `W{l}` `[D, M]`, `b{l}` `[M]`.
   */
  constructor(options: ConvNetOptions, blocks: BuildingBlocks) {
    this.options = resolveConvOptions(options);
    this.blocks = blocks;
    const { inputShape, hiddenDims, numClasses, normalization, initializer, weightScale, seed } = this.options;
    const rng = createRng(`${seed}/init`);
    let [C, H, W] = inputShape;
    let l = 1;
    for (const { filters: F, size: k } of this.options.blocks) {
      // The initializer returns [fanIn, fanOut] = [C·k·k, F]; a filter bank is its transpose.
      const w = initWeights(blocks, initializer, C * k * k, F, rng, weightScale);
      const filters = new Float64Array(F * C * k * k);
      for (let i = 0; i < C * k * k; i++) for (let f = 0; f < F; f++) filters[f * C * k * k + i] = w.data[i * F + f]!;
      this.params[`W${l}`] = { shape: [F, C, k, k], data: filters };
      this.params[`b${l}`] = { shape: [F], data: new Float64Array(F) };
      if (normalization === 'groupnorm') {
        this.params[`gamma${l}`] = { shape: [F], data: new Float64Array(F).fill(1) };
        this.params[`beta${l}`] = { shape: [F], data: new Float64Array(F) };
      }
      [C, H, W] = [F, H / 2, W / 2];
      l++;
    }
    const dims = [C * H * W, ...hiddenDims, numClasses];
    for (let i = 1; i < dims.length; i++, l++) {
      this.params[`W${l}`] = initWeights(blocks, initializer, dims[i - 1]!, dims[i]!, rng, weightScale);
      this.params[`b${l}`] = { shape: [dims[i]!], data: new Float64Array(dims[i]!) };
    }
  }

  private forward(x: Tensor, mode: 'train' | 'test', rng?: Rng): { scores: Tensor; convCaches: BlockCache[]; denseCaches: DenseCache[]; last: AffineCache; lastDropout: DropoutCache | null } {
    const { normalization, groups, activation, dropoutKeepRatio } = this.options;
    // Without an rng, every call draws the same masks: what a gradient check needs.
    const dropoutRng = dropoutKeepRatio < 1 ? (rng ?? createRng(`${this.options.seed}/dropout`)) : null;
    const drop = (h: Tensor): { out: Tensor; cache: DropoutCache | null } => {
      if (!dropoutRng) return { out: h, cache: null };
      return dropoutForward(h, { mode, keepRatio: dropoutKeepRatio, rng: dropoutRng });
    };
    const act = this.blocks.activations[activation];
    const convCaches: BlockCache[] = [];
    let h = x;
    let l = 1;
    for (; l <= this.options.blocks.length; l++) {
      const k = this.options.blocks[l - 1]!.size;
      const conv = convForward(h, this.params[`W${l}`]!, this.params[`b${l}`]!, { stride: 1, pad: (k - 1) / 2 });
      h = conv.out;
      let norm: unknown = null;
      if (normalization === 'groupnorm') {
        const gn = this.blocks.groupnormForward(h, this.params[`gamma${l}`]!, this.params[`beta${l}`]!, groups);
        h = gn.out;
        norm = gn.cache;
      }
      const a = act.forward(h);
      const pool = maxPoolForward(a.out, POOL);
      h = pool.out;
      convCaches.push({ conv: conv.cache, norm, activation: a.cache, pool: pool.cache });
    }
    const denseCaches: DenseCache[] = [];
    for (let i = 0; i < this.options.hiddenDims.length; i++, l++) {
      const dropout = drop(h);
      const affine = affineForward(dropout.out, this.params[`W${l}`]!, this.params[`b${l}`]!);
      const a = act.forward(affine.out);
      h = a.out;
      denseCaches.push({ dropout: dropout.cache, affine: affine.cache, activation: a.cache });
    }
    const lastDropout = drop(h);
    const last = affineForward(lastDropout.out, this.params[`W${l}`]!, this.params[`b${l}`]!);
    return { scores: last.out, convCaches, denseCaches, last: last.cache, lastDropout: lastDropout.cache };
  }

  /** Test-mode class scores `[N, C]` for images `[N, C, H, W]`. */
  scores(x: Tensor): Tensor {
    return this.forward(x, 'test').scores;
  }

  /**
   * Loss and gradients on a minibatch:
   *   loss = softmax cross-entropy(scores, y) + 0.5 · reg · Σ ΣW²
   * @param rng draws the dropout masks (a fixed default when omitted, as a gradient check needs).
   */
  loss(x: Tensor, y: Labels, rng?: Rng): LossResult {
    const { normalization, activation, reg } = this.options;
    const act = this.blocks.activations[activation];
    const { scores, convCaches, denseCaches, last, lastDropout } = this.forward(x, 'train', rng);
    const { loss: dataLoss, dx: dscores } = softmaxLoss(scores, y);
    const grads: Params = {};
    let l = convCaches.length + denseCaches.length + 1;
    let back = affineBackward(dscores, last);
    grads[`W${l}`] = back.dw;
    grads[`b${l}`] = back.db;
    let dh = lastDropout ? dropoutBackward(back.dx, lastDropout) : back.dx;
    for (let i = denseCaches.length - 1; i >= 0; i--) {
      l--;
      const cache = denseCaches[i]!;
      back = affineBackward(act.backward(dh, cache.activation), cache.affine);
      grads[`W${l}`] = back.dw;
      grads[`b${l}`] = back.db;
      dh = cache.dropout ? dropoutBackward(back.dx, cache.dropout) : back.dx;
    }
    for (let i = convCaches.length - 1; i >= 0; i--) {
      l--;
      const cache = convCaches[i]!;
      dh = act.backward(maxPoolBackward(dh, cache.pool), cache.activation);
      if (normalization === 'groupnorm') {
        const g = this.blocks.groupnormBackward(dh, cache.norm);
        grads[`gamma${l}`] = g.dgamma;
        grads[`beta${l}`] = g.dbeta;
        dh = g.dx;
      }
      if (i === 0) {
        // The first block's input is the data: no gradient needed for it.
        const first = convWeightGradients(dh, cache.conv);
        grads[`W${l}`] = first.dw;
        grads[`b${l}`] = first.db;
        break;
      }
      const c = convBackward(dh, cache.conv);
      grads[`W${l}`] = c.dw;
      grads[`b${l}`] = c.db;
      dh = c.dx;
    }
    return { loss: dataLoss + addL2(this.params, grads, reg), grads };
  }
}
