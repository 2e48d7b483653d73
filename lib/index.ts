/**
 * gradlab's tensor library: what every exercise, solution and test imports.
 *
 *   import { type Tensor, zeros, matmul, createRng, randn, assertShape } from '../../lib/index.ts';
 */
export * from './tensor.ts';
export * from './random.ts';
export * from './errors.ts';
export * from './allclose.ts';
export * from './linalg.ts';
