/**
 * Update rules against CS231n's published test values (`FullyConnectedNets.ipynb`), plus the
 * properties that tell the rules apart.
 */
import { describe, expect, test } from 'vitest';
import { linspace, reshape, type Tensor } from '../lib/index.ts';
import { expectInputError } from '../lib/testing/errors.ts';
import { adam, nesterov, OPTIMIZER_DEFAULTS, rmsprop, sgd, sgdMomentum, type OptimConfig } from './optim.ts';

const PRINTED = { rtol: 1e-7, atol: 1e-8 };
const grid = (from: number, to: number): Tensor => reshape(linspace(from, to, 20), [4, 5]);
const w = grid(-0.4, 0.6);
const dw = grid(-0.6, 0.4);

describe('CS231n test values', () => {
  test('sgd › w − lr · dw with the default learning rate 1e-2', () => {
    const { w: next } = sgd(w, dw);
    expect(next).toBeAllClose({ shape: [4, 5], data: w.data.map((v, i) => v - 1e-2 * dw.data[i]!) }, { rtol: 0, atol: 0 });
  });

  test('sgdMomentum › next w and velocity', () => {
    const { w: next, config } = sgdMomentum(w, dw, { learningRate: 1e-3, velocity: grid(0.6, 0.9) });
    expect(next).toBeAllClose(
      [
        [0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789],
        [0.47454737, 0.54133684, 0.60812632, 0.67491579, 0.74170526],
        [0.80849474, 0.87528421, 0.94207368, 1.00886316, 1.07565263],
        [1.14244211, 1.20923158, 1.27602105, 1.34281053, 1.4096],
      ],
      PRINTED,
    );
    expect(config.velocity).toBeAllClose(
      [
        [0.5406, 0.55475789, 0.56891579, 0.58307368, 0.59723158],
        [0.61138947, 0.62554737, 0.63970526, 0.65386316, 0.66802105],
        [0.68217895, 0.69633684, 0.71049474, 0.72465263, 0.73881053],
        [0.75296842, 0.76712632, 0.78128421, 0.79544211, 0.8096],
      ],
      PRINTED,
    );
  });

  test('rmsprop › next w and cache', () => {
    const { w: next, config } = rmsprop(w, dw, { learningRate: 1e-2, cache: grid(0.6, 0.9) });
    expect(next).toBeAllClose(
      [
        [-0.39223849, -0.34037513, -0.28849239, -0.23659121, -0.18467247],
        [-0.132737, -0.08078555, -0.02881884, 0.02316247, 0.07515774],
        [0.12716641, 0.17918792, 0.23122175, 0.28326742, 0.33532447],
        [0.38739248, 0.43947102, 0.49155973, 0.54365823, 0.59576619],
      ],
      PRINTED,
    );
    expect(config.cache).toBeAllClose(
      [
        [0.5976, 0.6126277, 0.6277108, 0.64284931, 0.65804321],
        [0.67329252, 0.68859723, 0.70395734, 0.71937285, 0.73484377],
        [0.75037008, 0.7659518, 0.78158892, 0.79728144, 0.81302936],
        [0.82883269, 0.84469141, 0.86060554, 0.87657507, 0.8926],
      ],
      PRINTED,
    );
  });

  test('adam › next w, m and v, with t incremented from 5 to 6 before use', () => {
    const { w: next, config } = adam(w, dw, { learningRate: 1e-2, m: grid(0.6, 0.9), v: grid(0.7, 0.5), t: 5 });
    expect(config.t).toBe(6);
    expect(next).toBeAllClose(
      [
        [-0.40094747, -0.34836187, -0.29577703, -0.24319299, -0.19060977],
        [-0.1380274, -0.08544591, -0.03286534, 0.01971428, 0.0722929],
        [0.1248705, 0.17744702, 0.23002243, 0.28259667, 0.33516969],
        [0.38774145, 0.44031188, 0.49288093, 0.54544852, 0.59801459],
      ],
      PRINTED,
    );
    expect(config.v).toBeAllClose(
      [
        [0.69966, 0.68908382, 0.67851319, 0.66794809, 0.65738853],
        [0.64683452, 0.63628604, 0.6257431, 0.61520571, 0.60467385],
        [0.59414753, 0.58362676, 0.57311152, 0.56260183, 0.55209767],
        [0.54159906, 0.53110598, 0.52061845, 0.51013645, 0.49966],
      ],
      PRINTED,
    );
    expect(config.m).toBeAllClose(
      [
        [0.48, 0.49947368, 0.51894737, 0.53842105, 0.55789474],
        [0.57736842, 0.59684211, 0.61631579, 0.63578947, 0.65526316],
        [0.67473684, 0.69421053, 0.71368421, 0.73315789, 0.75263158],
        [0.77210526, 0.79157895, 0.81105263, 0.83052632, 0.85],
      ],
      PRINTED,
    );
  });
});

describe('defaults and semantics', () => {
  test("OPTIMIZER_DEFAULTS › CS231n's defaults: momentum 0.9, rmsprop 0.99 / 1e-8, adam 0.9 / 0.999 / 1e-8", () => {
    expect(OPTIMIZER_DEFAULTS.sgdMomentum.momentum).toBe(0.9);
    expect(OPTIMIZER_DEFAULTS.nesterov.momentum).toBe(0.9);
    expect(OPTIMIZER_DEFAULTS.rmsprop).toMatchObject({ learningRate: 1e-2, decayRate: 0.99, epsilon: 1e-8 });
    expect(OPTIMIZER_DEFAULTS.adam).toMatchObject({ learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, t: 0 });
  });

  test('adam › the first step from zero moments moves every weight by about lr (bias correction)', () => {
    const { w: next, config } = adam(w, dw);
    expect(config.t).toBe(1);
    for (let i = 0; i < 20; i++) expect(Math.abs(w.data[i]! - next.data[i]!)).toBeCloseTo(1e-3, 6);
  });

  test('nesterov › follows v ← μv − lr·dw, w ← w − μ·v_prev + (1 + μ)·v over three steps', () => {
    let state = { w, config: {} as Parameters<typeof nesterov>[2] };
    const v = new Float64Array(20);
    const expected = w.data.slice();
    for (let step = 0; step < 3; step++) {
      const result = nesterov(state.w, dw, state.config);
      for (let i = 0; i < 20; i++) {
        const vPrev = v[i]!;
        v[i] = 0.9 * vPrev - 1e-2 * dw.data[i]!;
        expected[i] = expected[i]! - 0.9 * vPrev + 1.9 * v[i]!;
      }
      state = { w: result.w, config: result.config };
    }
    expect(state.w).toBeAllClose({ shape: [4, 5], data: expected }, { rtol: 1e-14, atol: 1e-15 });
  });

  test('every rule › never mutates w, dw or the config it was given', () => {
    const velocity = grid(0.1, 0.2);
    const config = { learningRate: 0.1, velocity };
    const before = [w.data.slice(), dw.data.slice(), velocity.data.slice()];
    for (const rule of [sgd, sgdMomentum, nesterov, rmsprop, adam]) rule(w, dw, config);
    expect([w.data, dw.data, velocity.data]).toEqual(before);
  });

  test('every rule › minimizes a quadratic bowl', () => {
    // f(w) = ½ Σ a_i w_i² with very different curvatures a_i.
    const a = Float64Array.of(1, 10, 0.1, 3);
    for (const [rule, lr] of [[sgd, 0.05], [sgdMomentum, 0.01], [nesterov, 0.01], [rmsprop, 0.01], [adam, 0.05]] as const) {
      let current: Tensor = { shape: [4], data: Float64Array.of(1, -1, 2, 0.5) };
      let config: Partial<OptimConfig> = { learningRate: lr };
      for (let t = 0; t < 2000; t++) {
        const grad = { shape: [4], data: current.data.map((v, i) => a[i]! * v) };
        const result = rule(current, grad, config);
        current = result.w;
        config = result.config;
      }
      expect(Math.max(...current.data.map(Math.abs)), rule.name).toBeLessThan(0.05);
    }
  });

  test('sgdMomentum › rejects a velocity of the wrong shape and a negative learning rate', () => {
    expectInputError(() => sgdMomentum(w, dw, { velocity: reshape(grid(0, 1), [5, 4]) }), {
      fn: 'sgdMomentum',
      arg: 'config.velocity',
      shapes: [[4, 5], [5, 4]],
    });
    expectInputError(() => sgd(w, dw, { learningRate: -1 }), { fn: 'sgd', arg: 'learningRate' });
    expectInputError(() => adam(w, reshape(dw, [5, 4])), { fn: 'adam', arg: 'dw', shapes: [[4, 5], [5, 4]] });
  });
});
