/**
 * The fully connected net with PReLU or maxout (exercise 10) as a whole: parameters, gradients of
 * every parameter against numerical gradients, initial loss, and the options it rejects.
 */
import { describe, expect, test } from 'vitest';
import { createRng, randn, type Tensor } from '../lib/index.ts';
import { expectInputError } from '../lib/testing/errors.ts';
import { evalNumericalGradient } from '../lib/testing/gradcheck.ts';
import { KIT_ROOT, loadBuildingBlocks } from './building-blocks.ts';
import { LearnedActivationNet, type LearnedActivationNetOptions } from './learned-activation-net.ts';
import { lecturePart } from './lecture-blocks.ts';
import type { Model } from './model.ts';

const REFERENCE = await loadBuildingBlocks('solutions', KIT_ROOT, ['learned']);
const net = (options: LearnedActivationNetOptions): LearnedActivationNet => new LearnedActivationNet(options, REFERENCE, lecturePart(REFERENCE, 'learned'));

const rng = createRng('network/learned-activation-net');

function numericalGrad(model: Model, name: string, x: Tensor, y: Int32Array): Tensor {
  return evalNumericalGradient((p) => {
    const saved = model.params[name]!;
    model.params[name] = p;
    const { loss } = model.loss(x, y);
    model.params[name] = saved;
    return loss;
  }, model.params[name]!);
}

/** Worst error relative to the largest numerical entry (see fc-net.test.ts for why not elementwise). */
function scaledError(analytic: Tensor, numeric: Tensor): number {
  let [worst, scale] = [0, 0];
  for (let i = 0; i < numeric.data.length; i++) {
    worst = Math.max(worst, Math.abs(analytic.data[i]! - numeric.data[i]!));
    scale = Math.max(scale, Math.abs(numeric.data[i]!));
  }
  return scale === 0 ? worst : worst / scale;
}

const [D, C] = [7, 5];
const base: LearnedActivationNetOptions = { inputDim: D, hiddenDims: [6, 4], numClasses: C, activation: 'prelu', seed: 3 };

describe('LearnedActivationNet', () => {
  test('LearnedActivationNet › PReLU adds a slope per hidden unit (0.25); maxout holds k pieces per hidden layer', () => {
    const prelu = net({ ...base, normalization: 'batchnorm' });
    expect(Object.fromEntries(Object.entries(prelu.params).map(([k, t]) => [k, t.shape]))).toEqual({
      W1: [7, 6], b1: [6], gamma1: [6], beta1: [6], alpha1: [6], W2: [6, 4], b2: [4], gamma2: [4], beta2: [4], alpha2: [4], W3: [4, 5], b3: [5],
    });
    expect(Array.from(prelu.params.alpha1!.data)).toEqual([0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);
    const maxout = net({ ...base, activation: 'maxout', pieces: 3 });
    expect(Object.fromEntries(Object.entries(maxout.params).map(([k, t]) => [k, t.shape]))).toEqual({ W1: [3, 7, 6], b1: [3, 6], W2: [3, 6, 4], b2: [3, 4], W3: [4, 5], b3: [5] });
  });

  test.for([
    { id: 'prelu', activation: 'prelu', normalization: 'none' },
    { id: 'prelu+batchnorm+reg', activation: 'prelu', normalization: 'batchnorm', reg: 0.4 },
    { id: 'maxout', activation: 'maxout', normalization: 'none' },
    { id: 'maxout+layernorm+dropout', activation: 'maxout', normalization: 'layernorm', dropoutKeepRatio: 0.7 },
  ] as const)('LearnedActivationNet › $id: every parameter gradient matches the numerical gradient', (c) => {
    const n = 6;
    const x = randn([n, D], rng);
    const y = Int32Array.from({ length: n }, (_, i) => i % C);
    const model = net({ ...base, ...c });
    const { grads } = model.loss(x, y);
    expect(Object.keys(grads).sort()).toEqual(Object.keys(model.params).sort());
    for (const name of Object.keys(model.params)) {
      if (c.normalization === 'batchnorm' && /^b[12]$/.test(name)) continue; // normalization subtracts these away
      // Both activations are piecewise linear: a centred difference is exact unless it steps across a kink,
      // which random inputs of this size do not (a correct gradient lands around 1e-9).
      expect(scaledError(grads[name]!, numericalGrad(model, name, x, y)), name).toBeLessThan(1e-7);
    }
  });

  test('LearnedActivationNet › with small weights and reg 0 the initial loss is ln C', () => {
    for (const activation of ['prelu', 'maxout'] as const) {
      const model = net({ ...base, activation, initializer: 'small', weightScale: 1e-3 });
      const loss = model.loss(randn([40, D], rng), Int32Array.from({ length: 40 }, (_, i) => i % C)).loss;
      expect(Math.abs(loss - Math.log(C)), activation).toBeLessThan(1e-3);
    }
  });

  test('LearnedActivationNet › rejects an activation that does not learn, and fewer than 2 maxout pieces', () => {
    expectInputError(() => net({ ...base, activation: 'relu' as never }), { fn: 'LearnedActivationNet', arg: 'activation' });
    expectInputError(() => net({ ...base, activation: 'maxout', pieces: 1 }), { fn: 'LearnedActivationNet', arg: 'pieces' });
  });
});
