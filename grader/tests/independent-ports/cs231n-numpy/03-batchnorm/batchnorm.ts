/**
 * Exercise 03, ported line by line from a numpy solution of CS231n's batchnorm_forward,
 * batchnorm_backward (node by node, with dvar and dmean as in the assignment's notebook) and
 * batchnorm_backward_alt (the compact one-line form), with axis-0 reductions.
 */
import { add, assertShape, div, map, mean, mul, sub, sum, variance, zeros, type Tensor } from '../../lib/index.ts';

export interface BatchnormParams {
  mode: 'train' | 'test';
  eps?: number;
  momentum?: number;
  runningMean?: Tensor;
  runningVar?: Tensor;
}

/** cache = (x, x_hat, mean, var, gamma, eps, mode) */
type Cache = [Tensor, Tensor, Tensor, Tensor, Tensor, number, 'train' | 'test'];

const scale = (t: Tensor, s: number): Tensor => map(t, (v) => v * s);
const pow = (t: Tensor, p: number): Tensor => map(t, (v) => v ** p);

export function batchnormForward(x: Tensor, gamma: Tensor, beta: Tensor, params: BatchnormParams): { out: Tensor; cache: Cache; runningMean: Tensor; runningVar: Tensor } {
  const fn = 'batchnormForward';
  assertShape(fn, 'x', x, [null, null], '[N, D]');
  const [N, D] = x.shape as [number, number];
  assertShape(fn, 'gamma', gamma, [D]);
  assertShape(fn, 'beta', beta, [D]);
  const { mode } = params;
  const eps = params.eps ?? 1e-5;
  const momentum = params.momentum ?? 0.9;
  if (mode !== 'train' && mode !== 'test') throw new RangeError(`${fn}: 'mode' must be 'train' or 'test', got ${String(mode)}`);
  if (params.runningMean !== undefined) assertShape(fn, 'runningMean', params.runningMean, [D]);
  if (params.runningVar !== undefined) assertShape(fn, 'runningVar', params.runningVar, [D]);
  let runningMean = params.runningMean ?? zeros([D]);
  let runningVar = params.runningVar ?? zeros([D]);
  if (mode === 'train') {
    if (N === 0) throw new RangeError(`${fn}: 'x' must have at least one row in train mode, got [0, ${D}]`);
    const sampleMean = mean(x, 0);
    const sampleVar = variance(x, 0);
    const xHat = div(sub(x, sampleMean), map(sampleVar, (v) => Math.sqrt(v + eps)));
    const out = add(mul(gamma, xHat), beta);
    runningMean = add(scale(runningMean, momentum), scale(sampleMean, 1 - momentum));
    runningVar = add(scale(runningVar, momentum), scale(sampleVar, 1 - momentum));
    return { out, cache: [x, xHat, sampleMean, sampleVar, gamma, eps, mode], runningMean, runningVar };
  }
  const xHat = div(sub(x, runningMean), map(runningVar, (v) => Math.sqrt(v + eps)));
  const out = add(mul(gamma, xHat), beta);
  return { out, cache: [x, xHat, runningMean, runningVar, gamma, eps, mode], runningMean: { shape: [D], data: runningMean.data.slice() }, runningVar: { shape: [D], data: runningVar.data.slice() } };
}

export function batchnormBackward(dout: Tensor, cache: Cache): { dx: Tensor; dgamma: Tensor; dbeta: Tensor } {
  const [x, xHat, mu, v, gamma, eps, mode] = cache;
  const N = x.shape[0]!;
  assertShape('batchnormBackward', 'dout', dout, x.shape);
  const dbeta = sum(dout, 0);
  const dgamma = sum(mul(dout, xHat), 0);
  const dxHat = mul(dout, gamma);
  const std = map(v, (s) => Math.sqrt(s + eps));
  if (mode === 'test') return { dx: div(dxHat, std), dgamma, dbeta };
  const xmu = sub(x, mu);
  // dvar = np.sum(dx_hat * (x - mean) * -0.5 * (var + eps) ** -1.5, axis=0)
  const dvar = sum(mul(scale(mul(dxHat, xmu), -0.5), pow(map(v, (s) => s + eps), -1.5)), 0);
  // dmean = np.sum(dx_hat * -1 / np.sqrt(var + eps), axis=0) + dvar * np.mean(-2 * (x - mean), axis=0)
  const dmean = add(sum(div(scale(dxHat, -1), std), 0), mul(dvar, mean(scale(xmu, -2), 0)));
  // dx = dx_hat / np.sqrt(var + eps) + dvar * 2 * (x - mean) / N + dmean / N
  const dx = add(add(div(dxHat, std), scale(mul(scale(dvar, 2), xmu), 1 / N)), scale(dmean, 1 / N));
  return { dx, dgamma, dbeta };
}

export function batchnormBackwardAlt(dout: Tensor, cache: Cache): { dx: Tensor; dgamma: Tensor; dbeta: Tensor } {
  const [x, xHat, mu, v, gamma, eps, mode] = cache;
  assertShape('batchnormBackwardAlt', 'dout', dout, x.shape);
  if (mode === 'test') return batchnormBackward(dout, cache);
  const N = x.shape[0]!;
  const dbeta = sum(dout, 0);
  const dgamma = sum(mul(dout, xHat), 0);
  const xmu = sub(x, mu);
  const ve = map(v, (s) => s + eps);
  // dx = (1. / N) * gamma * (var + eps) ** (-1. / 2.) * (N * dout - np.sum(dout, axis=0)
  //      - (x - mean) * (var + eps) ** (-1.0) * np.sum(dout * (x - mean), axis=0))
  const inner = sub(sub(scale(dout, N), sum(dout, 0)), mul(mul(xmu, pow(ve, -1.0)), sum(mul(dout, xmu), 0)));
  const dx = mul(mul(scale(gamma, 1 / N), pow(ve, -1 / 2)), inner);
  return { dx, dgamma, dbeta };
}
