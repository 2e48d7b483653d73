/**
 * Data augmentation for images: random translations, the cheapest way to show a network more
 * digits than the training set holds (LeCun et al., 1998; Simard et al., 2003).
 */
import type { Rng, Tensor } from '../lib/index.ts';

export interface ImageLayout {
  /** 'nhwc' (channels last, also flattened rows `[N, H·W·C]`) or 'nchw' (channels first). */
  order: 'nhwc' | 'nchw';
  height: number;
  width: number;
  channels: number;
}

/**
 * Shifts every image by a random (dy, dx) in `[−maxShift, maxShift]²`, filling the uncovered
 * border with black. The images are mean-centred, so black is `−mean` (`mean` in the images' own
 * layout, one value per pixel and channel): the shift acts on `x + mean`, then the mean goes back.
 *
 *   out[n, y, x, c] = raw[n, y − dy, x − dx, c] − mean[y, x, c],  raw = x_in + mean, 0 outside
 *
 * Draws two `randint`s per image, dy then dx. Returns a new tensor of the same shape.
 */
export function randomTranslate(x: Tensor, layout: ImageLayout, mean: Float64Array, maxShift: number, rng: Rng): Tensor {
  const { height: H, width: W, channels: C, order } = layout;
  const size = H * W * C;
  const N = x.shape[0]!;
  if (x.data.length !== N * size || mean.length !== size) {
    throw new RangeError(`randomTranslate: images of ${size} values (${H}×${W}×${C}) expected, got x ${JSON.stringify(x.shape)} and a mean of ${mean.length}`);
  }
  // Offset of pixel (y, x) in channel c, for either layout.
  const at = order === 'nhwc' ? (y: number, xx: number, c: number) => (y * W + xx) * C + c : (y: number, xx: number, c: number) => (c * H + y) * W + xx;
  const out = new Float64Array(x.data.length);
  for (let n = 0; n < N; n++) {
    const dy = rng.randint(-maxShift, maxShift + 1);
    const dx = rng.randint(-maxShift, maxShift + 1);
    const base = n * size;
    for (let y = 0; y < H; y++) {
      for (let xx = 0; xx < W; xx++) {
        const sy = y - dy;
        const sx = xx - dx;
        const inside = sy >= 0 && sy < H && sx >= 0 && sx < W;
        for (let c = 0; c < C; c++) {
          const o = at(y, xx, c);
          const raw = inside ? x.data[base + at(sy, sx, c)]! + mean[at(sy, sx, c)]! : 0;
          out[base + o] = raw - mean[o]!;
        }
      }
    }
  }
  return { shape: [...x.shape], data: out };
}
