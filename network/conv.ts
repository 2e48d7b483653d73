/**
 * The convolutional layer, CS231n's `conv_forward` / `conv_backward`, computed as one matrix
 * product over the whole batch via im2col.
 */
import { assertShape, type Tensor } from '../lib/index.ts';
import { col2im, im2col, type WindowGeometry } from '../lib/kernels/im2col.ts';
import { gemm, gemmTransA, gemmTransB } from '../lib/kernels/matmul.ts';

export interface ConvParams {
  /** Step between neighbouring windows, ≥ 1. */
  stride: number;
  /** Zeros added on every side of the image, ≥ 0. */
  pad: number;
}

/** What `convBackward` needs: the unrolled input and the filters. */
export interface ConvCache {
  /** im2col of the input, `[N·Ho·Wo, C·HH·WW]`. */
  cols: Float64Array;
  geometry: WindowGeometry;
  /** `[F, C, HH, WW]`. */
  w: Tensor;
}

/**
 * Output size of a window sliding over `size` inputs: `1 + (size + 2·pad − window) / stride`.
 * @throws RangeError when the windows do not tile the padded input exactly.
 */
export function outputSize(fn: string, size: number, window: number, stride: number, pad: number): number {
  const span = size + 2 * pad - window;
  if (span < 0 || span % stride !== 0) {
    throw new RangeError(
      `${fn}: a window of ${window} with stride ${stride} and pad ${pad} does not tile an input of size ${size} ` +
        `((${size} + 2·${pad} − ${window}) must be a non-negative multiple of ${stride})`,
    );
  }
  return 1 + span / stride;
}

/**
 * Convolution forward. Filter f slides over the zero-padded input:
 *
 *   out[n, f, oy, ox] = b[f] + Σ_{c, ky, kx} w[f, c, ky, kx] · x[n, c, oy·s + ky − pad, ox·s + kx − pad]
 *
 * computed as `cols [N·Ho·Wo, C·HH·WW] · Wᵀ [C·HH·WW, F]`.
 *
 * @param x `[N, C, H, W]` images.
 * @param w `[F, C, HH, WW]` filters.
 * @param b `[F]` biases.
 * @param params stride and pad.
 * @returns `{ out [N, F, Ho, Wo], cache }` with `Ho = 1 + (H + 2·pad − HH) / stride` (Wo likewise).
 * @throws RangeError on mismatched shapes or a geometry that does not tile.
 */
export function convForward(x: Tensor, w: Tensor, b: Tensor, params: ConvParams): { out: Tensor; cache: ConvCache } {
  const fn = 'convForward';
  assertShape(fn, 'x', x, [null, null, null, null], '[N, C, H, W]');
  const [N, C, H, W] = x.shape as [number, number, number, number];
  assertShape(fn, 'w', w, [null, C, null, null], '[F, C, HH, WW]');
  const [F, , HH, WW] = w.shape as [number, number, number, number];
  assertShape(fn, 'b', b, [F]);
  const { stride, pad } = params;
  if (!Number.isInteger(stride) || stride < 1) throw new RangeError(`${fn}: 'stride' must be a positive integer, got ${String(stride)}`);
  if (!Number.isInteger(pad) || pad < 0) throw new RangeError(`${fn}: 'pad' must be a non-negative integer, got ${String(pad)}`);
  const Ho = outputSize(fn, H, HH, stride, pad);
  const Wo = outputSize(fn, W, WW, stride, pad);
  const geometry: WindowGeometry = { N, C, H, W, HH, WW, stride, pad, Ho, Wo };
  const P = Ho * Wo;
  const K = C * HH * WW;
  const cols = new Float64Array(N * P * K);
  im2col(x.data, geometry, cols);
  const rows = new Float64Array(N * P * F); // [N·P, F]
  gemmTransB(N * P, F, K, cols, w.data, rows);
  // Rows are (n, position) with channels last; the layer's output is channels first.
  const out = new Float64Array(N * F * P);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < P; p++) {
      for (let f = 0; f < F; f++) out[(n * F + f) * P + p] = rows[(n * P + p) * F + f]! + b.data[f]!;
    }
  }
  return { out: { shape: [N, F, Ho, Wo], data: out }, cache: { cols, geometry, w } };
}

/**
 * Convolution backward, from `rows = cols · Wᵀ + b`:
 *
 *   db[f] = Σ_{n, oy, ox} dout[n, f, oy, ox]
 *   dW = doutᵀ · cols   ([F, N·Ho·Wo] · [N·Ho·Wo, C·HH·WW])
 *   dx = col2im(dout · W)   (each input position sums the gradient of every window that read it)
 *
 * @param dout `[N, F, Ho, Wo]` upstream gradient.
 * @param cache what `convForward` returned.
 * @returns `{ dx [N, C, H, W], dw [F, C, HH, WW], db [F] }`.
 */
export function convBackward(dout: Tensor, cache: ConvCache): { dx: Tensor; dw: Tensor; db: Tensor } {
  const { dw, db, drows } = weightGradients('convBackward', dout, cache);
  const { N, C, H, W, HH, WW, Ho, Wo } = cache.geometry;
  const K = C * HH * WW;
  const F = cache.w.shape[0]!;
  const dcols = new Float64Array(N * Ho * Wo * K);
  gemm(N * Ho * Wo, K, F, drows, cache.w.data, dcols);
  const dx = new Float64Array(N * C * H * W);
  col2im(dcols, cache.geometry, dx);
  return { dx: { shape: [N, C, H, W], data: dx }, dw, db };
}

/**
 * The parameter half of `convBackward` (`dW`, `db`), for a first layer whose input is the data
 * and needs no gradient.
 * @returns `{ dw [F, C, HH, WW], db [F] }`.
 */
export function convWeightGradients(dout: Tensor, cache: ConvCache): { dw: Tensor; db: Tensor } {
  const { dw, db } = weightGradients('convWeightGradients', dout, cache);
  return { dw, db };
}

function weightGradients(fn: string, dout: Tensor, cache: ConvCache): { dw: Tensor; db: Tensor; drows: Float64Array } {
  const { cols, geometry, w } = cache;
  const { N, C, HH, WW, Ho, Wo } = geometry;
  const F = w.shape[0]!;
  assertShape(fn, 'dout', dout, [N, F, Ho, Wo]);
  const P = Ho * Wo;
  const K = C * HH * WW;
  // dout in the layout of the forward product's rows: [N·P, F].
  const drows = new Float64Array(N * P * F);
  const db = new Float64Array(F);
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let p = 0; p < P; p++) {
        const g = dout.data[(n * F + f) * P + p]!;
        drows[(n * P + p) * F + f] = g;
        db[f]! += g;
      }
    }
  }
  const dw = new Float64Array(F * K);
  gemmTransA(F, K, N * P, drows, cols, dw);
  return { dw: { shape: [F, C, HH, WW], data: dw }, db: { shape: [F], data: db }, drows };
}
