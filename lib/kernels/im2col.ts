/**
 * im2col / col2im: the data movement that turns a convolution into one matrix product (Chellapilla
 * et al., 2006; Caffe). Each output position's receptive field becomes one row of a matrix, so the
 * convolution is `cols · Wᵀ` and the speed lives in `gemm`.
 *
 * Layout, for `x [N, C, H, W]`, filters `HH × WW`, output `Ho × Wo`:
 *
 *   cols[(n·Ho + oy)·Wo + ox, (c·HH + ky)·WW + kx] = x[n, c, oy·stride + ky − pad, ox·stride + kx − pad]
 *
 * with zeros where the index falls into the padding. Rows are output positions, columns are the
 * `C·HH·WW` inputs a filter sees, in the order of a filter `w[f, c, ky, kx]` flattened.
 */

/** Geometry of a convolution or pooling window over `[N, C, H, W]`. */
export interface WindowGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  HH: number;
  WW: number;
  stride: number;
  pad: number;
  Ho: number;
  Wo: number;
}

/** Fills `cols [N·Ho·Wo, C·HH·WW]` from `x [N, C, H, W]` (see the layout above). */
export function im2col(x: Float64Array, g: WindowGeometry, cols: Float64Array): void {
  const { N, C, H, W, HH, WW, stride, pad, Ho, Wo } = g;
  const K = C * HH * WW;
  let row = 0;
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++, row++) {
        let o = row * K;
        for (let c = 0; c < C; c++) {
          const plane = (n * C + c) * H;
          for (let ky = 0; ky < HH; ky++) {
            const y = oy * stride + ky - pad;
            const inside = y >= 0 && y < H;
            const src = (plane + y) * W + ox * stride - pad;
            for (let kx = 0; kx < WW; kx++, o++) {
              const xx = ox * stride + kx - pad;
              cols[o] = inside && xx >= 0 && xx < W ? x[src + kx]! : 0;
            }
          }
        }
      }
    }
  }
}

/**
 * The adjoint of `im2col`: every entry of `cols` is added back to the input position it was read
 * from (entries that came from the padding are dropped). `dx [N, C, H, W]` is overwritten.
 * NOTE: overlapping windows (stride < filter size) read a position several times, so its gradient
 * is a sum — this is why col2im adds rather than assigns.
 */
export function col2im(cols: Float64Array, g: WindowGeometry, dx: Float64Array): void {
  const { N, C, H, W, HH, WW, stride, pad, Ho, Wo } = g;
  const K = C * HH * WW;
  dx.fill(0, 0, N * C * H * W);
  let row = 0;
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++, row++) {
        let o = row * K;
        for (let c = 0; c < C; c++) {
          const plane = (n * C + c) * H;
          for (let ky = 0; ky < HH; ky++) {
            const y = oy * stride + ky - pad;
            const inside = y >= 0 && y < H;
            const dst = (plane + y) * W + ox * stride - pad;
            for (let kx = 0; kx < WW; kx++, o++) {
              const xx = ox * stride + kx - pad;
              if (inside && xx >= 0 && xx < W) dx[dst + kx]! += cols[o]!;
            }
          }
        }
      }
    }
  }
}
