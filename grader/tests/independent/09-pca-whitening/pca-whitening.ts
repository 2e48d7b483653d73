/**
 * Exercise 09 — PCA and whitening (independent solution, from the brief and the stub). Built on
 * the library's matmul and transpose; eigenvectors re-signed so that each column sums to ≥ 0 (any
 * sign is allowed).
 */
import { assertShape, formatShape, matmul, symmetricEigen, transpose, type Tensor } from '../../lib/index.ts';

export interface Covariance {
  mean: Tensor;
  cov: Tensor;
}

export interface PcaFit {
  mean: Tensor;
  components: Tensor;
  variances: Tensor;
}

function data2d(fn: string, arg: string, x: Tensor): [number, number] {
  assertShape(fn, arg, x, [null, null], '[N, D]');
  const [N, D] = x.shape as [number, number];
  if (N < 1) throw new RangeError(`${fn}: '${arg}' must have at least one row, got ${formatShape(x.shape)}`);
  return [N, D];
}

function centred(x: Tensor, mean: Tensor): Tensor {
  const D = mean.data.length;
  return { shape: [...x.shape], data: x.data.map((v, i) => v - mean.data[i % D]!) };
}

function fitDims(fn: string, fit: PcaFit): [number, number] {
  assertShape(fn, 'fit.components', fit.components, [null, null], '[D, k]');
  const [D, k] = fit.components.shape as [number, number];
  assertShape(fn, 'fit.mean', fit.mean, [D]);
  assertShape(fn, 'fit.variances', fit.variances, [k]);
  return [D, k];
}

export function covariance(x: Tensor): Covariance {
  const [N, D] = data2d('covariance', 'x', x);
  const mean = new Float64Array(D);
  for (let n = 0; n < N; n++) for (let d = 0; d < D; d++) mean[d]! += x.data[n * D + d]!;
  for (let d = 0; d < D; d++) mean[d]! /= N;
  const meanT = { shape: [D], data: mean };
  const c = centred(x, meanT);
  const cov = matmul(transpose(c), c);
  return { mean: meanT, cov: { shape: [D, D], data: cov.data.map((v) => v / N) } };
}

export function pcaFit(x: Tensor, k: number): PcaFit {
  const [, D] = data2d('pcaFit', 'x', x);
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > D) throw new RangeError(`pcaFit: 'k' must be an integer from 1 to ${D}, got ${k}`);
  const { mean, cov } = covariance(x);
  const { values, vectors } = symmetricEigen(cov);
  const order = Array.from({ length: D }, (_, i) => i).sort((a, b) => values.data[b]! - values.data[a]!);
  const components = new Float64Array(D * k);
  const variances = new Float64Array(k);
  order.slice(0, k).forEach((col, j) => {
    variances[j] = values.data[col]!;
    let sum = 0;
    for (let d = 0; d < D; d++) sum += vectors.data[d * D + col]!;
    const sign = sum < 0 ? -1 : 1;
    for (let d = 0; d < D; d++) components[d * k + j] = sign * vectors.data[d * D + col]!;
  });
  return { mean, components: { shape: [D, k], data: components }, variances: { shape: [k], data: variances } };
}

export function pcaProject(x: Tensor, fit: PcaFit): Tensor {
  const [D] = fitDims('pcaProject', fit);
  assertShape('pcaProject', 'x', x, [null, D], '[N, D]');
  return matmul(centred(x, fit.mean), fit.components);
}

export function pcaReconstruct(z: Tensor, fit: PcaFit): Tensor {
  const [D, k] = fitDims('pcaReconstruct', fit);
  assertShape('pcaReconstruct', 'z', z, [null, k], '[N, k]');
  const back = matmul(z, transpose(fit.components));
  return { shape: back.shape, data: back.data.map((v, i) => v + fit.mean.data[i % D]!) };
}

export function whiten(x: Tensor, fit: PcaFit, eps = 1e-5): Tensor {
  const [D, k] = fitDims('whiten', fit);
  assertShape('whiten', 'x', x, [null, D], '[N, D]');
  if (!(typeof eps === 'number' && eps >= 0)) throw new RangeError(`whiten: 'eps' must be ≥ 0, got ${eps}`);
  const z = matmul(centred(x, fit.mean), fit.components);
  return { shape: z.shape, data: z.data.map((v, i) => v / Math.sqrt(fit.variances.data[i % k]! + eps)) };
}
