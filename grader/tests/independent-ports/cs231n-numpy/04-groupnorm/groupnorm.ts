/**
 * Exercise 04, ported line by line from a numpy solution of CS231n's layernorm_forward/backward
 * (the notebook's hint: transpose x and reuse batch norm's node-by-node backward) and
 * spatial_groupnorm_forward/backward (x.reshape(N, G, C // G, H, W) with keepdims reductions over
 * axes (2, 3, 4), and the compact backward formula).
 */
import { add, assertShape, div, formatShape, map, mean, mul, reshape, sub, sum, transpose, variance, type Tensor } from '../../lib/index.ts';

type LnCache = [Tensor, Tensor, Tensor, Tensor, Tensor, number];
type GnCache = [Tensor, Tensor, Tensor, number, number];

const scale = (t: Tensor, s: number): Tensor => map(t, (v) => v * s);

export function layernormForward(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): { out: Tensor; cache: LnCache } {
  const fn = 'layernormForward';
  assertShape(fn, 'x', x, [null, null], '[N, D]');
  const D = x.shape[1]!;
  assertShape(fn, 'gamma', gamma, [D]);
  assertShape(fn, 'beta', beta, [D]);
  const xT = transpose(x); // (D, N): the statistics of a row are now those of a column
  const mu = mean(xT, 0);
  const v = variance(xT, 0);
  const xHatT = div(sub(xT, mu), map(v, (s) => Math.sqrt(s + eps)));
  const out = add(mul(gamma, transpose(xHatT)), beta);
  return { out, cache: [xT, xHatT, mu, v, gamma, eps] };
}

export function layernormBackward(dout: Tensor, cache: LnCache): { dx: Tensor; dgamma: Tensor; dbeta: Tensor } {
  const [xT, xHatT, mu, v, gamma, eps] = cache;
  const D = xT.shape[0]!;
  assertShape('layernormBackward', 'dout', dout, [xT.shape[1]!, D]);
  const dbeta = sum(dout, 0);
  const dgamma = sum(mul(dout, transpose(xHatT)), 0);
  const dxHatT = transpose(mul(dout, gamma));
  const xmu = sub(xT, mu);
  const std = map(v, (s) => Math.sqrt(s + eps));
  const dvar = sum(mul(scale(mul(dxHatT, xmu), -0.5), map(v, (s) => (s + eps) ** -1.5)), 0);
  const dmean = add(sum(div(scale(dxHatT, -1), std), 0), mul(dvar, mean(scale(xmu, -2), 0)));
  const dxT = add(add(div(dxHatT, std), scale(mul(scale(dvar, 2), xmu), 1 / D)), scale(dmean, 1 / D));
  return { dx: transpose(dxT), dgamma, dbeta };
}

export function groupnormForward(x: Tensor, gamma: Tensor, beta: Tensor, G: number, eps = 1e-5): { out: Tensor; cache: GnCache } {
  const fn = 'groupnormForward';
  assertShape(fn, 'x', x, [null, null, null, null], '[N, C, H, W]');
  const [N, C, H, W] = x.shape as [number, number, number, number];
  assertShape(fn, 'gamma', gamma, [C]);
  assertShape(fn, 'beta', beta, [C]);
  if (typeof G !== 'number') throw new TypeError(`${fn}: 'G' must be a number, got ${typeof G}`);
  if (!Number.isInteger(G) || G <= 0) throw new RangeError(`${fn}: 'G' must be a positive integer, got ${G}`);
  if (C % G !== 0) throw new RangeError(`${fn}: 'G' = ${G} must divide the C = ${C} channels of x ${formatShape(x.shape)}`);
  const xg = reshape(x, [N, G, C / G, H, W]);
  const mu = mean(xg, [2, 3, 4], { keepDims: true });
  const v = variance(xg, [2, 3, 4], { keepDims: true });
  const xHat = reshape(div(sub(xg, mu), map(v, (s) => Math.sqrt(s + eps))), [N, C, H, W]);
  // gamma[None, :, None, None] * x_hat + beta[None, :, None, None]
  const g4 = reshape(gamma, [1, C, 1, 1]);
  const b4 = reshape(beta, [1, C, 1, 1]);
  return { out: add(mul(g4, xHat), b4), cache: [xHat, v, gamma, G, eps] };
}

export function groupnormBackward(dout: Tensor, cache: GnCache): { dx: Tensor; dgamma: Tensor; dbeta: Tensor } {
  const [xHat, v, gamma, G, eps] = cache;
  const [N, C, H, W] = xHat.shape as [number, number, number, number];
  assertShape('groupnormBackward', 'dout', dout, [N, C, H, W]);
  const dbeta = sum(dout, [0, 2, 3]);
  const dgamma = sum(mul(dout, xHat), [0, 2, 3]);
  const M = (C / G) * H * W;
  const dxHat = reshape(mul(dout, reshape(gamma, [1, C, 1, 1])), [N, G, C / G, H, W]);
  const xHatG = reshape(xHat, [N, G, C / G, H, W]);
  // dx = (1. / M) / np.sqrt(var + eps) * (M * dx_hat - dx_hat.sum(keepdims) - x_hat * (dx_hat * x_hat).sum(keepdims))
  const axes = [2, 3, 4];
  const inner = sub(sub(scale(dxHat, M), sum(dxHat, axes, { keepDims: true })), mul(xHatG, sum(mul(dxHat, xHatG), axes, { keepDims: true })));
  const dx = mul(map(v, (s) => 1 / M / Math.sqrt(s + eps)), inner);
  return { dx: reshape(dx, [N, C, H, W]), dgamma, dbeta };
}
