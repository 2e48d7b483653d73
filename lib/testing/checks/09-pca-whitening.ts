/**
 * Exercise 09's value tests against a fixture and its tolerance, shared by the public suite and
 * the grader's hidden suite (each passes its own fixture), so both check the same way.
 *
 * Tolerance: sums of products in another order differ by ~1e-15 relative, and eigenvectors of a
 * symmetric matrix are determined to ~1e-15 · ‖C‖ / gap ≈ 1e-14 for the fixtures' matrices (every
 * gap is ≥ 0.2): `TOL` of common.ts (rtol 1e-7, atol 1e-10) leaves room for that and nothing else.
 * N − 1, a missing centring or the wrong eigenvectors are off by 1e-2 or far more.
 *
 * An eigenvector's sign is arbitrary, so a fit is compared through its projector
 * `components · componentsᵀ` onto the subspace it spans; the transforms are given the reference's
 * fit, so their outputs compare as they are.
 */
import { expect, test } from 'vitest';
import { matmul, transpose, type Tensor } from '../../index.ts';
import { casesFor, titled, type Fixture } from '../fixtures.ts';
import { TOL } from './common.ts';
import type * as PcaWhitening from '../../../exercises/09-pca-whitening/pca-whitening.ts';
import type { PcaFit } from '../../../exercises/09-pca-whitening/pca-whitening.ts';

export { TOL };
export type PcaWhiteningModule = typeof PcaWhitening;

/**
 * The most rows of components a projector is computed for: the kit's fits have at most a few
 * dozen features. The projector is `[D, D]`, so a submission's fit of 20,000 rows (inside the
 * grader's limits on a result) would cost the test 3 GB and seconds per test: tests check the
 * components' shape first, and this is the backstop.
 */
const MAX_PROJECTOR_ROWS = 1024;

/** The projector onto the span of a fit's components, `[D, D]`: the same for either sign of each column. */
export function projector(fit: PcaFit): Tensor {
  const rows = fit.components.shape[0] ?? 0;
  if (rows > MAX_PROJECTOR_ROWS) throw new RangeError(`projector: components of shape [${fit.components.shape.join(', ')}] has more rows than any fit of the tests' inputs (a fit's components are [D, k])`);
  return matmul(fit.components, transpose(fit.components));
}

/** One test per fixture case of each function. */
export function valueTests(fixture: Fixture, mod: PcaWhiteningModule): void {
  test.for(titled(casesFor<{ x: Tensor }, { mean: Tensor; cov: Tensor }>(fixture, 'covariance')))('%s', ([, { args, expected }]) => {
    const { mean, cov } = mod.covariance(args.x);
    expect(mean).toBeAllClose(expected.mean, { ...TOL, what: 'mean' });
    expect(cov).toBeAllClose(expected.cov, { ...TOL, what: 'cov' });
  });

  test.for(titled(casesFor<{ x: Tensor; k: number }, { mean: Tensor; variances: Tensor; projector: Tensor }>(fixture, 'pcaFit')))('%s', ([, { args, expected }]) => {
    const fit = mod.pcaFit(args.x, args.k);
    expect(fit.mean).toBeAllClose(expected.mean, { ...TOL, what: 'mean' });
    expect(fit.variances).toBeAllClose(expected.variances, { ...TOL, what: 'variances (largest first)' });
    expect(fit.components).toHaveShape([args.x.shape[1]!, args.k], 'components');
    expect(projector(fit)).toBeAllClose(expected.projector, { ...TOL, what: 'components · componentsᵀ (the subspace, whatever the signs)' });
  });

  test.for(titled(casesFor<{ x: Tensor; fit: PcaFit }, { z: Tensor }>(fixture, 'pcaProject')))('%s', ([, { args, expected }]) => {
    expect(mod.pcaProject(args.x, args.fit)).toBeAllClose(expected.z, { ...TOL, what: 'z' });
  });

  test.for(titled(casesFor<{ z: Tensor; fit: PcaFit }, { x: Tensor }>(fixture, 'pcaReconstruct')))('%s', ([, { args, expected }]) => {
    expect(mod.pcaReconstruct(args.z, args.fit)).toBeAllClose(expected.x, { ...TOL, what: 'reconstruction' });
  });

  test.for(titled(casesFor<{ x: Tensor; fit: PcaFit; eps?: number }, { white: Tensor }>(fixture, 'whiten')))('%s', ([, { args, expected }]) => {
    expect(mod.whiten(args.x, args.fit, args.eps)).toBeAllClose(expected.white, { ...TOL, what: 'whitened data' });
  });
}
