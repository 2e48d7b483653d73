/**
 * The fully connected net and the ConvNet as wholes: initial loss, gradients of every parameter
 * against numerical gradients (CS231n's whole-network check), regularization, batch norm's running
 * statistics, bad options.
 */
import { describe, expect, test } from 'vitest';
import { createRng, randn, type Tensor } from '../lib/index.ts';
import { evalNumericalGradient, relError } from '../lib/testing/gradcheck.ts';
import { expectInputError } from '../lib/testing/errors.ts';
import { ConvNet, type ConvNetOptions } from './convnet.ts';
import { FullyConnectedNet, type FullyConnectedNetOptions } from './fc-net.ts';
import type { Model } from './model.ts';
import { KIT_ROOT, loadBuildingBlocks } from './building-blocks.ts';

const REFERENCE = await loadBuildingBlocks('solutions', KIT_ROOT);

const rng = createRng('network/fc-net');

/** Numerical gradient of the model's loss with respect to one parameter. */
function numericalGrad(model: Model, name: string, x: Tensor, y: Int32Array): Tensor {
  return evalNumericalGradient((p) => {
    const saved = model.params[name]!;
    model.params[name] = p;
    const { loss } = model.loss(x, y);
    model.params[name] = saved;
    return loss;
  }, model.params[name]!);
}

/**
 * The worst error of the analytic gradient relative to the largest entry of the numerical one.
 * NOTE: CS231n's elementwise relError divides each entry's error by that entry's own size, so an
 * entry of 1e-7 (a unit in ReLU's flat part, a leaky slope of 0.01, a weight deep in a net with small
 * weights) carries the difference quotient's absolute error of ~1e-10 as a relative error of ~1e-4
 * although the gradient is right. This scale-aware error stays ~1e-9 for a correct backward pass and
 * is ≥ 1e-4 for every wrong one we tried (dropped term, wrong slope, missing mask).
 */
function scaledError(analytic: Tensor, numeric: Tensor): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < numeric.data.length; i++) {
    worst = Math.max(worst, Math.abs(analytic.data[i]! - numeric.data[i]!));
    scale = Math.max(scale, Math.abs(numeric.data[i]!));
  }
  return scale === 0 ? worst : worst / scale;
}

const [N, D, H1, H2, C] = [2, 15, 20, 30, 10];
const x = randn([N, D], rng);
const y = Int32Array.from({ length: N }, () => rng.randint(0, C));
const base: FullyConnectedNetOptions = { inputDim: D, hiddenDims: [H1, H2], numClasses: C, seed: 1 };

describe('FullyConnectedNet', () => {
  test('FullyConnectedNet › has W, b per layer and γ, β per hidden layer when normalized', () => {
    const net = new FullyConnectedNet({ ...base, normalization: 'batchnorm' }, REFERENCE);
    expect(Object.fromEntries(Object.entries(net.params).map(([k, t]) => [k, t.shape]))).toEqual({
      W1: [15, 20], b1: [20], gamma1: [20], beta1: [20], W2: [20, 30], b2: [30], gamma2: [30], beta2: [30], W3: [30, 10], b3: [10],
    });
    expect(net.scores(x).shape).toEqual([N, C]);
  });

  test('FullyConnectedNet › with small weights and reg 0 the initial loss is ln 10', () => {
    const net = new FullyConnectedNet({ ...base, initializer: 'small', weightScale: 1e-3 }, REFERENCE);
    const big = randn([50, D], rng);
    const labels = Int32Array.from({ length: 50 }, () => rng.randint(0, C));
    expect(Math.abs(net.loss(big, labels).loss - Math.log(10))).toBeLessThan(1e-3);
  });

  test("FullyConnectedNet › CS231n's setting (ReLU, weights 5e-2, N = 2, D = 15, 20-30 hidden): relError < 1e-5, scale-aware error < 1e-8", () => {
    // The elementwise relError lands at 1e-9 … 2e-6 here: the worst entries are those of size ~1e-7
    // (see scaledError). The bar is set at 1e-5 for relError and 1e-8 for the scale-aware error.
    for (const reg of [0, 3.14]) {
      const net = new FullyConnectedNet({ ...base, initializer: 'small', weightScale: 5e-2, reg }, REFERENCE);
      const { grads } = net.loss(x, y);
      for (const name of Object.keys(net.params)) {
        const numeric = numericalGrad(net, name, x, y);
        expect(relError(grads[name]!, numeric), `${name}, reg ${reg}`).toBeLessThan(1e-5);
        expect(scaledError(grads[name]!, numeric), `${name}, reg ${reg}`).toBeLessThan(1e-8);
      }
    }
  });

  const cases = [
    { id: 'relu', activation: 'relu', normalization: 'none' },
    { id: 'leakyRelu', activation: 'leakyRelu', normalization: 'none' },
    { id: 'elu', activation: 'elu', normalization: 'none' },
    { id: 'tanh', activation: 'tanh', normalization: 'none' },
    { id: 'sigmoid', activation: 'sigmoid', normalization: 'none' },
    { id: 'batchnorm', activation: 'relu', normalization: 'batchnorm' },
    { id: 'layernorm', activation: 'tanh', normalization: 'layernorm' },
    { id: 'dropout', activation: 'relu', normalization: 'none', dropoutKeepRatio: 0.6 },
    { id: 'batchnorm+dropout+reg', activation: 'elu', normalization: 'batchnorm', dropoutKeepRatio: 0.75, reg: 0.7 },
  ] as const;

  test.for(cases)('FullyConnectedNet › $id: every parameter gradient matches the numerical gradient', (c) => {
    // Batch norm needs more than 2 samples for meaningful statistics.
    const n = c.normalization === 'batchnorm' ? 6 : N;
    const xs = c.normalization === 'batchnorm' ? randn([n, D], rng) : x;
    const ys = c.normalization === 'batchnorm' ? Int32Array.from({ length: n }, (_, i) => i % C) : y;
    const net = new FullyConnectedNet({ ...base, ...c }, REFERENCE);
    const { grads } = net.loss(xs, ys);
    for (const name of Object.keys(net.params)) {
      if (c.normalization === 'batchnorm' && /^b[12]$/.test(name)) continue; // see the next test
      expect(scaledError(grads[name]!, numericalGrad(net, name, xs, ys)), name).toBeLessThan(1e-7);
    }
  });

  test('FullyConnectedNet › with batch norm, the bias before it gets no gradient: normalization subtracts it away', () => {
    const net = new FullyConnectedNet({ ...base, normalization: 'batchnorm' }, REFERENCE);
    const { grads } = net.loss(randn([8, D], rng), Int32Array.from({ length: 8 }, (_, i) => i));
    for (const name of ['b1', 'b2']) expect(Math.max(...grads[name]!.data.map(Math.abs)), name).toBeLessThan(1e-12);
  });

  test('FullyConnectedNet › L2 adds 0.5 · reg · ΣW² to the loss (not on biases, γ, β)', () => {
    const plain = new FullyConnectedNet({ ...base, normalization: 'layernorm' }, REFERENCE);
    const regular = new FullyConnectedNet({ ...base, normalization: 'layernorm', reg: 0.3 }, REFERENCE);
    regular.params.b1!.data.fill(5);
    plain.params.b1!.data.fill(5);
    const sumSq = ['W1', 'W2', 'W3'].reduce((s, k) => s + plain.params[k]!.data.reduce((t, v) => t + v * v, 0), 0);
    expect(regular.loss(x, y).loss - plain.loss(x, y).loss).toBeCloseTo(0.5 * 0.3 * sumSq, 10);
  });

  test('FullyConnectedNet › batch norm: training updates the running statistics, and test mode uses them', () => {
    const net = new FullyConnectedNet({ ...base, normalization: 'batchnorm' }, REFERENCE);
    const batch = randn([20, D], rng);
    const labels = Int32Array.from({ length: 20 }, (_, i) => i % C);
    const before = net.scores(batch);
    expect(net.state).toEqual({});
    for (let i = 0; i < 5; i++) net.loss(batch, labels);
    expect(Object.keys(net.state).sort()).toEqual(['runningMean1', 'runningMean2', 'runningVar1', 'runningVar2']);
    expect(net.scores(batch)).not.toBeAllClose(before);
  });

  test('FullyConnectedNet › the same seed gives the same weights; another seed other weights', () => {
    expect(new FullyConnectedNet(base, REFERENCE).params.W1).toBeAllClose(new FullyConnectedNet(base, REFERENCE).params.W1!, { rtol: 0, atol: 0 });
    expect(new FullyConnectedNet({ ...base, seed: 2 }, REFERENCE).params.W1).not.toBeAllClose(new FullyConnectedNet(base, REFERENCE).params.W1!);
  });

  test('FullyConnectedNet › rejects bad options with the option named', () => {
    expectInputError(() => new FullyConnectedNet({ ...base, hiddenDims: [20, 0] }, REFERENCE), { fn: 'FullyConnectedNet', arg: 'hiddenDims[1]' });
    expectInputError(() => new FullyConnectedNet({ ...base, activation: 'swish' as never }, REFERENCE), { fn: 'FullyConnectedNet', arg: 'activation' });
    expectInputError(() => new FullyConnectedNet({ ...base, dropoutKeepRatio: 0 }, REFERENCE), { fn: 'FullyConnectedNet', arg: 'dropoutKeepRatio' });
    expectInputError(() => new FullyConnectedNet(base, REFERENCE).loss(randn([2, 14], rng), y), { fn: 'affineForward', arg: 'w', shapes: [[14, 20], [15, 20]] });
  });
});

describe('ConvNet', () => {
  const options: ConvNetOptions = { inputShape: [2, 8, 8], blocks: [{ filters: 4, size: 3 }, { filters: 4, size: 3 }], hiddenDims: [6], numClasses: 10, groups: 2, seed: 2 };
  const images = randn([2, 2, 8, 8], rng);
  const labels = Int32Array.of(3, 7);

  test('ConvNet › conv filters are [F, C, k, k] with group norm γ, β per filter; scores are [N, 10]', () => {
    const net = new ConvNet(options, REFERENCE);
    expect(net.params.W1!.shape).toEqual([4, 2, 3, 3]);
    expect(net.params.gamma1!.shape).toEqual([4]);
    expect(net.params.W2!.shape).toEqual([4, 4, 3, 3]);
    expect(net.params.W3!.shape).toEqual([4 * 2 * 2, 6]);
    expect(net.params.W4!.shape).toEqual([6, 10]);
    expect(net.scores(images).shape).toEqual([2, 10]);
  });

  test.for([
    { id: 'groupnorm', normalization: 'groupnorm', reg: 0 },
    { id: 'groupnorm+reg', normalization: 'groupnorm', reg: 0.5 },
    { id: 'no norm', normalization: 'none', reg: 0 },
    { id: 'dropout', normalization: 'groupnorm', reg: 0, dropoutKeepRatio: 0.7 },
  ] as const)('ConvNet › $id: every parameter gradient matches the numerical gradient', (c) => {
    const net = new ConvNet({ ...options, ...c }, REFERENCE);
    const { grads } = net.loss(images, labels);
    for (const name of Object.keys(net.params)) expect(scaledError(grads[name]!, numericalGrad(net, name, images, labels)), name).toBeLessThan(1e-7);
  });

  test('ConvNet › group norm makes the initial loss ≈ ln 10 with small weights, whatever the input scale', () => {
    const net = new ConvNet({ ...options, initializer: 'small', weightScale: 1e-3 }, REFERENCE);
    const loud = { shape: images.shape, data: images.data.map((v) => 100 * v) };
    expect(Math.abs(net.loss(loud, labels).loss - Math.log(10))).toBeLessThan(1e-2);
  });

  test('ConvNet › rejects a group count that does not divide the filters, and odd filter sizes', () => {
    expectInputError(() => new ConvNet({ ...options, groups: 3 }, REFERENCE), { fn: 'ConvNet', arg: 'groups' });
    expectInputError(() => new ConvNet({ ...options, blocks: [{ filters: 4, size: 4 }] }, REFERENCE), { fn: 'ConvNet', arg: 'blocks[0].size' });
  });
});
