/**
 * The network's own layers: affine, softmax loss, dropout, convolution, max pooling.
 * Order: shapes → values (CS231n's published test values, independent naive loops) → properties →
 * gradient checks → bad input.
 */
import { describe, expect, test } from 'vitest';
import { createRng, linspace, randn, reshape, type Tensor } from '../lib/index.ts';
import { evalNumericalGradient, evalNumericalGradientArray, relError } from '../lib/testing/gradcheck.ts';
import { expectInputError } from '../lib/testing/errors.ts';
import { affineBackward, affineForward } from './affine.ts';
import { convBackward, convForward } from './conv.ts';
import { dropoutBackward, dropoutForward } from './dropout.ts';
import { maxPoolBackward, maxPoolForward } from './pool.ts';
import { softmaxLoss } from './softmax-loss.ts';

/**
 * Centred differences with h = 1e-5 carry O(h²) truncation plus rounding: a correct backward pass
 * lands around 1e-8 to 1e-11 here (CS231n reports the same orders). 1e-7 is the bar CS231n sets.
 */
const GRAD_TOL = 1e-7;
/** CS231n prints its expected values with 8 significant digits. */
const PRINTED = { rtol: 1e-7, atol: 1e-8 };

const rng = createRng('network/layers');
const numpyLinspace = (from: number, to: number, shape: number[]): Tensor => reshape(linspace(from, to, shape.reduce((p, d) => p * d, 1)), shape);

describe('affine', () => {
  test('affineForward › flattens [N, 4, 5, 6] into rows and returns [N, M]', () => {
    const { out } = affineForward(randn([2, 4, 5, 6], rng), randn([120, 3], rng), randn([3], rng));
    expect(out.shape).toEqual([2, 3]);
  });

  test("affineForward › matches CS231n's test values", () => {
    const x = numpyLinspace(-0.1, 0.5, [2, 4, 5, 6]);
    const w = numpyLinspace(-0.2, 0.3, [120, 3]);
    const b = linspace(-0.3, 0.1, 3);
    const { out } = affineForward(x, w, b);
    expect(out).toBeAllClose([[1.49834967, 1.70660132, 1.91485297], [3.25553199, 3.5141327, 3.77273342]], PRINTED);
  });

  test('affineBackward › dx, dw, db match numerical gradients and dx has the shape of x', () => {
    const x = randn([10, 2, 3], rng);
    const w = randn([6, 5], rng);
    const b = randn([5], rng);
    const dout = randn([10, 5], rng);
    const { dx, dw, db } = affineBackward(dout, affineForward(x, w, b).cache);
    expect(dx.shape).toEqual([10, 2, 3]);
    expect(relError(dx, evalNumericalGradientArray((v) => affineForward(v, w, b).out, x, dout))).toBeLessThan(GRAD_TOL);
    expect(relError(dw, evalNumericalGradientArray((v) => affineForward(x, v, b).out, w, dout))).toBeLessThan(GRAD_TOL);
    expect(relError(db, evalNumericalGradientArray((v) => affineForward(x, w, v).out, b, dout))).toBeLessThan(GRAD_TOL);
  });

  test('affineForward › names the argument and both shapes when W does not fit x', () => {
    expectInputError(() => affineForward(randn([2, 4], rng), randn([5, 3], rng), randn([3], rng)), { fn: 'affineForward', arg: 'w', shapes: [[4, 3], [5, 3]] });
    expectInputError(() => affineForward(randn([2, 4], rng), randn([4, 3], rng), randn([2], rng)), { fn: 'affineForward', arg: 'b', shapes: [[3], [2]] });
    expectInputError(() => affineForward(randn([4], rng), randn([4, 3], rng), randn([3], rng)), { fn: 'affineForward', arg: 'x', shapes: [[4]] });
  });
});

describe('softmax loss', () => {
  test('softmaxLoss › with tiny scores the loss is ln C and each row of dx sums to 0', () => {
    const N = 50;
    const C = 10;
    const x = randn([N, C], rng).data.map((v) => 0.001 * v);
    const y = Int32Array.from({ length: N }, () => rng.randint(0, C));
    const { loss, dx } = softmaxLoss({ shape: [N, C], data: x }, y);
    expect(loss).toBeCloseTo(Math.log(C), 2);
    for (let i = 0; i < N; i++) expect(Math.abs(dx.data.slice(i * C, (i + 1) * C).reduce((s, v) => s + v, 0))).toBeLessThan(1e-15);
  });

  test('softmaxLoss › huge scores do not overflow', () => {
    const { loss, dx } = softmaxLoss({ shape: [1, 3], data: Float64Array.of(1000, 0, -1000) }, Int32Array.of(0));
    expect(loss).toBeCloseTo(0, 12);
    expect(dx.data.every(Number.isFinite)).toBe(true);
  });

  test('softmaxLoss › dx matches the numerical gradient', () => {
    const x = randn([7, 4], rng);
    const y = Int32Array.of(0, 1, 2, 3, 3, 2, 1);
    const { dx } = softmaxLoss(x, y);
    expect(relError(dx, evalNumericalGradient((v) => softmaxLoss(v, y).loss, x))).toBeLessThan(GRAD_TOL);
  });

  test('softmaxLoss › takes an Int32Array or a plain array; rejects labels of the wrong kind, length or range', () => {
    const x = randn([2, 3], rng);
    expect(softmaxLoss(x, [0, 1]).loss).toBe(softmaxLoss(x, Int32Array.of(0, 1)).loss);
    expectInputError(() => softmaxLoss(x, ['0', '1'] as unknown as number[]), { kind: TypeError, fn: 'softmaxLoss', arg: 'y' });
    expectInputError(() => softmaxLoss(x, [0, 1.5]), { fn: 'softmaxLoss', arg: 'y[1]' });
    expectInputError(() => softmaxLoss(x, Int32Array.of(0)), { fn: 'softmaxLoss', arg: 'y' });
    expectInputError(() => softmaxLoss(x, Int32Array.of(0, 3)), { fn: 'softmaxLoss', arg: 'y[1]' });
  });
});

describe('dropout', () => {
  const x = { shape: [500, 100], data: randn([500, 100], rng).data.map((v) => v + 10) };

  test.for([0.25, 0.5, 0.75])('dropoutForward › with keep ratio %s, train mode keeps that share and preserves the mean', (p) => {
    const { out } = dropoutForward(x, { mode: 'train', keepRatio: p, rng: createRng(1) });
    const kept = out.data.filter((v) => v !== 0).length / out.data.length;
    expect(kept).toBeCloseTo(p, 2);
    const meanOf = (t: Tensor): number => t.data.reduce((s, v) => s + v, 0) / t.data.length;
    expect(Math.abs(meanOf(out) - meanOf(x)) / meanOf(x)).toBeLessThan(0.01);
  });

  test('dropoutForward › test mode is the identity', () => {
    const { out } = dropoutForward(x, { mode: 'test', keepRatio: 0.3, rng: createRng(1) });
    expect(out).toBeAllClose(x, { rtol: 0, atol: 0 });
  });

  test('dropoutBackward › matches the numerical gradient for a fixed mask', () => {
    const small = randn([6, 5], rng);
    const dout = randn([6, 5], rng);
    const run = (v: Tensor): Tensor => dropoutForward(v, { mode: 'train', keepRatio: 0.6, rng: createRng(7) }).out;
    const dx = dropoutBackward(dout, dropoutForward(small, { mode: 'train', keepRatio: 0.6, rng: createRng(7) }).cache);
    expect(relError(dx, evalNumericalGradientArray(run, small, dout))).toBeLessThan(GRAD_TOL);
  });

  test('dropoutForward › rejects a keep ratio outside (0, 1]', () => {
    expectInputError(() => dropoutForward(x, { mode: 'train', keepRatio: 0, rng }), { fn: 'dropoutForward', arg: 'keepRatio' });
    expectInputError(() => dropoutForward(x, { mode: 'train', keepRatio: 1.5, rng }), { fn: 'dropoutForward', arg: 'keepRatio' });
  });
});

/** The convolution written as the definition, four loops deep: the independent reference. */
function naiveConv(x: Tensor, w: Tensor, b: Tensor, stride: number, pad: number): Tensor {
  const [N, C, H, W] = x.shape as number[] as [number, number, number, number];
  const [F, , HH, WW] = w.shape as number[] as [number, number, number, number];
  const Ho = 1 + (H + 2 * pad - HH) / stride;
  const Wo = 1 + (W + 2 * pad - WW) / stride;
  const out = new Float64Array(N * F * Ho * Wo);
  for (let n = 0; n < N; n++)
    for (let f = 0; f < F; f++)
      for (let oy = 0; oy < Ho; oy++)
        for (let ox = 0; ox < Wo; ox++) {
          let s = b.data[f]!;
          for (let c = 0; c < C; c++)
            for (let ky = 0; ky < HH; ky++)
              for (let kx = 0; kx < WW; kx++) {
                const yy = oy * stride + ky - pad;
                const xx = ox * stride + kx - pad;
                if (yy >= 0 && yy < H && xx >= 0 && xx < W) s += w.data[((f * C + c) * HH + ky) * WW + kx]! * x.data[((n * C + c) * H + yy) * W + xx]!;
              }
          out[((n * F + f) * Ho + oy) * Wo + ox] = s;
        }
  return { shape: [N, F, Ho, Wo], data: out };
}

describe('convolution', () => {
  test('convForward › output is [N, F, 1 + (H + 2·pad − HH) / stride, …]', () => {
    const { out } = convForward(randn([2, 3, 7, 5], rng), randn([4, 3, 3, 3], rng), randn([4], rng), { stride: 2, pad: 1 });
    expect(out.shape).toEqual([2, 4, 4, 3]);
  });

  test("convForward › matches CS231n's test values (stride 2, pad 1)", () => {
    const x = numpyLinspace(-0.1, 0.5, [2, 3, 4, 4]);
    const w = numpyLinspace(-0.2, 0.3, [3, 3, 4, 4]);
    const b = linspace(-0.1, 0.2, 3);
    const { out } = convForward(x, w, b, { stride: 2, pad: 1 });
    expect(out).toBeAllClose(
      [
        [[[-0.08759809, -0.10987781], [-0.18387192, -0.2109216]], [[0.21027089, 0.21661097], [0.22847626, 0.23004637]], [[0.50813986, 0.54309974], [0.64082444, 0.67101435]]],
        [[[-0.98053589, -1.03143541], [-1.19128892, -1.24695841]], [[0.69108355, 0.66880383], [0.59480972, 0.56776003]], [[2.36270298, 2.36904306], [2.38090835, 2.38247847]]],
      ],
      PRINTED,
    );
  });

  test.for([
    { id: 'same-3x3', stride: 1, pad: 1, k: 3 },
    { id: 'valid-5x5', stride: 1, pad: 0, k: 5 },
    { id: 'strided', stride: 2, pad: 2, k: 4 },
  ])('convForward › $id agrees with the four-loop definition', ({ stride, pad, k }) => {
    const x = randn([3, 2, 8, 8], rng);
    const w = randn([5, 2, k, k], rng);
    const b = randn([5], rng);
    expect(convForward(x, w, b, { stride, pad }).out).toBeAllClose(naiveConv(x, w, b, stride, pad), { rtol: 1e-12, atol: 1e-12 });
  });

  test('convBackward › dx, dw, db match numerical gradients', () => {
    const x = randn([2, 3, 5, 5], rng);
    const w = randn([2, 3, 3, 3], rng);
    const b = randn([2], rng);
    const params = { stride: 1, pad: 1 };
    const dout = randn([2, 2, 5, 5], rng);
    const { dx, dw, db } = convBackward(dout, convForward(x, w, b, params).cache);
    expect(relError(dx, evalNumericalGradientArray((v) => convForward(v, w, b, params).out, x, dout))).toBeLessThan(GRAD_TOL);
    expect(relError(dw, evalNumericalGradientArray((v) => convForward(x, v, b, params).out, w, dout))).toBeLessThan(GRAD_TOL);
    expect(relError(db, evalNumericalGradientArray((v) => convForward(x, w, v, params).out, b, dout))).toBeLessThan(GRAD_TOL);
  });

  test('convForward › rejects filters whose channels differ from the input and windows that do not tile', () => {
    expectInputError(() => convForward(randn([1, 3, 5, 5], rng), randn([2, 2, 3, 3], rng), randn([2], rng), { stride: 1, pad: 1 }), {
      fn: 'convForward',
      arg: 'w',
      shapes: [[2, 3, 3, 3], [2, 2, 3, 3]],
    });
    expectInputError(() => convForward(randn([1, 1, 6, 6], rng), randn([1, 1, 3, 3], rng), randn([1], rng), { stride: 2, pad: 0 }), { fn: 'convForward' });
  });
});

describe('max pooling', () => {
  const params = { poolHeight: 2, poolWidth: 2, stride: 2 };

  test("maxPoolForward › matches CS231n's test values", () => {
    const { out } = maxPoolForward(numpyLinspace(-0.3, 0.4, [2, 3, 4, 4]), params);
    expect(out.shape).toEqual([2, 3, 2, 2]);
    expect(out).toBeAllClose(
      [
        [[[-0.26315789, -0.24842105], [-0.20421053, -0.18947368]], [[-0.14526316, -0.13052632], [-0.08631579, -0.07157895]], [[-0.02736842, -0.01263158], [0.03157895, 0.04631579]]],
        [[[0.09052632, 0.10526316], [0.14947368, 0.16421053]], [[0.20842105, 0.22315789], [0.26736842, 0.28210526]], [[0.32631579, 0.34105263], [0.38526316, 0.4]]],
      ],
      PRINTED,
    );
  });

  test('maxPoolBackward › matches the numerical gradient (distinct values, no ties)', () => {
    const x = randn([3, 2, 8, 8], rng);
    const dout = randn([3, 2, 4, 4], rng);
    const dx = maxPoolBackward(dout, maxPoolForward(x, params).cache);
    expect(relError(dx, evalNumericalGradientArray((v) => maxPoolForward(v, params).out, x, dout))).toBeLessThan(GRAD_TOL);
  });

  test('maxPoolBackward › rejects dout of the wrong shape', () => {
    const { cache } = maxPoolForward(randn([1, 1, 4, 4], rng), params);
    expectInputError(() => maxPoolBackward(randn([1, 1, 4, 4], rng), cache), { fn: 'maxPoolBackward', arg: 'dout', shapes: [[1, 1, 2, 2], [1, 1, 4, 4]] });
  });
});
