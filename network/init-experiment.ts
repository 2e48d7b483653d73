/**
 * The lecture's weight-initialization experiment (CS231n lecture 7): push 1,000 random inputs
 * through 10 layers of 500 units and look at each layer's activations.
 *
 * - tanh, W ~ 0.01·N(0, 1): every layer shrinks the signal; activations collapse to 0 (and so do
 *   the gradients of the weights, which are proportional to them).
 * - tanh, W ~ 1.0·N(0, 1): pre-activations are huge; tanh saturates at ±1 and its gradient is 0.
 * - tanh, Xavier (W ~ N(0, 1)/√fanIn): the variance is kept; activations stay spread out.
 * - ReLU, Xavier: ReLU zeroes half its inputs, so each layer halves the variance: a slow collapse.
 * - ReLU, He (W ~ N(0, 1)·√(2/fanIn)): the factor 2 compensates; the scale holds.
 *
 * Means and stds come from exercise 02's `activationStatistics`; the histograms come from the
 * same forward pass written here with exercise 01's activations.
 */
import { createRng, matmul, randn, type Rng, type Tensor } from '../lib/index.ts';
import type { BuildingBlocks } from './building-blocks.ts';

export interface InitSetting {
  id: string;
  label: string;
  activation: 'tanh' | 'relu';
  weights: (blocks: BuildingBlocks, fanIn: number, fanOut: number, rng: Rng) => Tensor;
  /** What the lecture says happens. */
  expect: string;
}

export const INIT_SETTINGS: readonly InitSetting[] = [
  { id: 'tanh-0.01', label: 'tanh, W = 0.01·randn', activation: 'tanh', weights: (b, i, o, r) => b.smallRandomInit(i, o, r, 0.01), expect: 'activations collapse to zero' },
  { id: 'tanh-1.0', label: 'tanh, W = 1.0·randn', activation: 'tanh', weights: (b, i, o, r) => b.smallRandomInit(i, o, r, 1), expect: 'tanh saturates at ±1' },
  { id: 'tanh-xavier', label: 'tanh, Xavier', activation: 'tanh', weights: (b, i, o, r) => b.xavierInit(i, o, r), expect: 'activations keep a healthy scale in every layer (std 0.6 → 0.2: no collapse, no saturation)' },
  { id: 'relu-xavier', label: 'ReLU, Xavier', activation: 'relu', weights: (b, i, o, r) => b.xavierInit(i, o, r), expect: 'the variance halves at every layer (std × 1/√2): a slow collapse' },
  { id: 'relu-he', label: 'ReLU, He', activation: 'relu', weights: (b, i, o, r) => b.heInit(i, o, r), expect: 'the factor 2 compensates: the scale holds' },
];

export interface InitResult {
  setting: InitSetting;
  /** From `activationStatistics`, one per layer. */
  stats: { mean: number; std: number }[];
  /** Each layer's activations (a sample of them, for the histograms). */
  samples: Float64Array[];
  /** Share of units saturated (|h| > 0.99) for tanh, or exactly 0 for ReLU, per layer. */
  saturated: number[];
}

export interface InitExperimentOptions {
  layers?: number;
  units?: number;
  samples?: number;
  seed?: string | number;
}

/** Runs every setting on the same input `x [samples, units] ~ N(0, 1)`. */
export function runInitExperiment(blocks: BuildingBlocks, options: InitExperimentOptions = {}): InitResult[] {
  const layers = options.layers ?? 10;
  const units = options.units ?? 500;
  const n = options.samples ?? 1000;
  const seed = options.seed ?? 0;
  const x = randn([n, units], createRng(`${seed}/init-experiment/x`));
  return INIT_SETTINGS.map((setting) => {
    const rng = createRng(`${seed}/init-experiment/${setting.id}`);
    const weights = Array.from({ length: layers }, () => setting.weights(blocks, units, units, rng));
    const stats = blocks.activationStatistics(x, weights, setting.activation);
    const act = blocks.activations[setting.activation];
    const samples: Float64Array[] = [];
    const saturated: number[] = [];
    let h = x;
    for (const w of weights) {
      h = act.forward(matmul(h, w)).out;
      // Every 10th value is plenty for a 40-bin histogram and keeps the report small.
      samples.push(h.data.filter((_, i) => i % 10 === 0));
      const hit = setting.activation === 'tanh' ? h.data.filter((v) => Math.abs(v) > 0.99).length : h.data.filter((v) => v === 0).length;
      saturated.push(hit / h.data.length);
    }
    return { setting, stats, samples, saturated };
  });
}
