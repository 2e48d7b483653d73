/**
 * Exercise 10's value tests against a fixture and its tolerance, shared by the public suite and
 * the grader's hidden suite (each passes its own fixture), so both check the same way.
 *
 * Tolerance: PReLU is one product an element and maxout a sum of D products a piece; the fixtures
 * keep every input away from the kinks (x = 0, tied pieces), so two correct implementations agree
 * to a few ulps and `TOL` of common.ts (rtol 1e-7, atol 1e-10) holds them whatever their order of
 * summation. Every typical mistake (the wrong piece, dalpha not summed, a missing sample) is off by
 * 1e-2 or far more.
 */
import { expect, test } from 'vitest';
import type { Tensor } from '../../index.ts';
import { casesFor, titled, type Fixture } from '../fixtures.ts';
import { TOL } from './common.ts';
import type * as PreluMaxout from '../../../exercises/10-prelu-maxout/prelu-maxout.ts';

export { TOL };
export type PreluMaxoutModule = typeof PreluMaxout;

/** One test per fixture case of each function; backward passes use the implementation's own forward cache. */
export function valueTests(fixture: Fixture, mod: PreluMaxoutModule): void {
  test.for(titled(casesFor<{ x: Tensor; alpha: Tensor }, { out: Tensor }>(fixture, 'preluForward')))('%s', ([, { args, expected }]) => {
    expect(mod.preluForward(args.x, args.alpha).out).toBeAllClose(expected.out, { ...TOL, what: 'out' });
  });

  test.for(titled(casesFor<{ x: Tensor; alpha: Tensor; dout: Tensor }, { dx: Tensor; dalpha: Tensor }>(fixture, 'preluBackward')))('%s', ([, { args, expected }]) => {
    // The implementation's own forward pass makes the cache: its contents are its design.
    const { dx, dalpha } = mod.preluBackward(args.dout, mod.preluForward(args.x, args.alpha).cache);
    expect(dx).toBeAllClose(expected.dx, { ...TOL, what: 'dx' });
    expect(dalpha).toBeAllClose(expected.dalpha, { ...TOL, what: 'dalpha' });
  });

  test.for(titled(casesFor<{ x: Tensor; W: Tensor; b: Tensor }, { out: Tensor }>(fixture, 'maxoutForward')))('%s', ([, { args, expected }]) => {
    expect(mod.maxoutForward(args.x, args.W, args.b).out).toBeAllClose(expected.out, { ...TOL, what: 'out' });
  });

  test.for(titled(casesFor<{ x: Tensor; W: Tensor; b: Tensor; dout: Tensor }, { dx: Tensor; dW: Tensor; db: Tensor }>(fixture, 'maxoutBackward')))('%s', ([, { args, expected }]) => {
    const g = mod.maxoutBackward(args.dout, mod.maxoutForward(args.x, args.W, args.b).cache);
    expect(g.db).toBeAllClose(expected.db, { ...TOL, what: 'db' });
    expect(g.dW).toBeAllClose(expected.dW, { ...TOL, what: 'dW' });
    expect(g.dx).toBeAllClose(expected.dx, { ...TOL, what: 'dx' });
  });
}
