/**
 * Exercise 10 — PReLU and maxout (independent solution, from the brief and the stub). PReLU loops
 * over sample, channel and position; maxout computes every piece with matmul, then picks the
 * winners; its cache keeps the winners per output.
 */
import { assertShape, formatShape, matmul, type Tensor } from '../../lib/index.ts';

export interface LayerResult<Cache> {
  out: Tensor;
  cache: Cache;
}

export interface PreluGradients {
  dx: Tensor;
  dalpha: Tensor;
}

export interface MaxoutGradients {
  dx: Tensor;
  dW: Tensor;
  db: Tensor;
}

export interface PreluCache {
  x: Float64Array;
  shape: number[];
  alpha: Float64Array;
}

export interface MaxoutCache {
  x: Tensor;
  pieces: Tensor[];
  k: number;
  M: number;
  /** Index of the winning piece for output n·M + m. */
  best: number[];
}

/** [N, C, S]: samples, slopes, elements per slope and sample. */
function layout(fn: string, x: Tensor): [number, number, number] {
  const rank = x.shape.length;
  if (rank !== 2 && rank !== 4) throw new RangeError(`${fn}: 'x' must have 2 dimensions [N, D] or 4 dimensions [N, C, H, W], got ${formatShape(x.shape)}`);
  assertShape(fn, 'x', x, rank === 2 ? [null, null] : [null, null, null, null]);
  const [N, C] = x.shape as [number, number];
  const S = rank === 4 ? x.shape[2]! * x.shape[3]! : 1;
  return [N, C, S];
}

export function preluForward(x: Tensor, alpha: Tensor): LayerResult<PreluCache> {
  const [N, C, S] = layout('preluForward', x);
  assertShape('preluForward', 'alpha', alpha, [C]);
  const out = new Float64Array(x.data.length);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let s = 0; s < S; s++) {
        const i = (n * C + c) * S + s;
        const v = x.data[i]!;
        out[i] = v <= 0 ? alpha.data[c]! * v : v;
      }
    }
  }
  return { out: { shape: [...x.shape], data: out }, cache: { x: x.data.slice(), shape: [...x.shape], alpha: alpha.data.slice() } };
}

export function preluBackward(dout: Tensor, cache: PreluCache): PreluGradients {
  assertShape('preluBackward', 'dout', dout, cache.shape);
  const [N, C] = cache.shape as [number, number];
  const S = cache.x.length / (N * C);
  const dx = new Float64Array(cache.x.length);
  const dalpha = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let s = 0; s < S; s++) {
        const i = (n * C + c) * S + s;
        const v = cache.x[i]!;
        const g = dout.data[i]!;
        dx[i] = v > 0 ? g : cache.alpha[c]! * g;
        if (v <= 0) dalpha[c]! += g * v;
      }
    }
  }
  return { dx: { shape: [...cache.shape], data: dx }, dalpha: { shape: [C], data: dalpha } };
}

export function maxoutForward(x: Tensor, W: Tensor, b: Tensor): LayerResult<MaxoutCache> {
  const fn = 'maxoutForward';
  assertShape(fn, 'x', x, [null, null], '[N, D]');
  const [N, D] = x.shape as [number, number];
  assertShape(fn, 'W', W, [null, D, null], '[k, D, M]');
  const [k, , M] = W.shape as [number, number, number];
  if (k < 1) throw new RangeError(`${fn}: 'W' must hold at least one piece, got ${formatShape(W.shape)}`);
  assertShape(fn, 'b', b, [k, M]);
  const pieces = Array.from({ length: k }, (_, j) => ({ shape: [D, M], data: W.data.slice(j * D * M, (j + 1) * D * M) }));
  const values = pieces.map((p, j) => {
    const z = matmul(x, p);
    return z.data.map((v, i) => v + b.data[j * M + (i % M)]!);
  });
  const out = new Float64Array(N * M);
  const best: number[] = [];
  for (let i = 0; i < N * M; i++) {
    let win = 0;
    for (let j = 1; j < k; j++) if (values[j]![i]! > values[win]![i]!) win = j;
    best.push(win);
    out[i] = values[win]![i]!;
  }
  return { out: { shape: [N, M], data: out }, cache: { x: { shape: [N, D], data: x.data.slice() }, pieces, k, M, best } };
}

export function maxoutBackward(dout: Tensor, cache: MaxoutCache): MaxoutGradients {
  const { x, pieces, k, M, best } = cache;
  const [N, D] = x.shape as [number, number];
  assertShape('maxoutBackward', 'dout', dout, [N, M]);
  const dx = new Float64Array(N * D);
  const dW = new Float64Array(k * D * M);
  const db = new Float64Array(k * M);
  best.forEach((j, i) => {
    const [n, m] = [Math.floor(i / M), i % M];
    const g = dout.data[i]!;
    db[j * M + m]! += g;
    for (let d = 0; d < D; d++) {
      dx[n * D + d]! += g * pieces[j]!.data[d * M + m]!;
      dW[j * D * M + d * M + m]! += g * x.data[n * D + d]!;
    }
  });
  return { dx: { shape: [N, D], data: dx }, dW: { shape: [k, D, M], data: dW }, db: { shape: [k, M], data: db } };
}
