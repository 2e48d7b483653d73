/**
 * Hidden suite for exercise 01 — activation functions. Never shipped to students.
 * Titles are `fn › case-id: description`; the grader reports hidden failures by id and kind only.
 *
 * Backward passes are graded on their own as far as open caches allow: the cache comes from the
 * student's forward pass (its contents are the student's design), but the expected gradients and
 * the numerical gradients come from the reference forward pass, so a forward bug is not counted
 * twice. Checks drawn from the student's seed live in ./variants.ts; tolerances and the
 * fixture-driven value tests are the public suite's (lib/testing/checks/01-activations.ts).
 */
import { describe, expect, test } from 'vitest';
import { fromNested, linspace, ones, zeros, type Tensor } from '../../../lib/index.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { loadFixture } from '../../../lib/testing/fixtures.ts';
import { run, TOL, valueTests, type ActivationsModule, type Name } from '../../../lib/testing/checks/01-activations.ts';
import * as student from '../../../exercises/01-activations/activations.ts';
import * as reference from '../../../solutions/01-activations/activations.ts';
import { variantTests } from '../variants.ts';
import { variantChecks } from './variants.ts';

const fixture = loadFixture('01-activations', 'hidden');
const STUDENT = student as unknown as ActivationsModule;
const mine = (name: Name, x: Tensor, alpha?: number): ReturnType<typeof run> => run(STUDENT, name, x, alpha);
const ref = (name: Name, x: Tensor, alpha?: number): ReturnType<typeof run> => run(reference as unknown as ActivationsModule, name, x, alpha);

describe('shapes', () => {
  variantTests(variantChecks, 'shapes', STUDENT);
});

describe('values', () => {
  valueTests(fixture, STUDENT);
});

describe('properties', () => {
  const sweep = linspace(-1000, 1000, 4001);

  test.for([
    ['sigmoidForward', 'sigmoid', 'sigmoid'],
    ['tanhForward', 'tanh', 'tanh'],
    ['eluForward', 'elu', 'elu'],
  ] as const)('%s › %s-finite-sweep: every input from −1000 to 1000 in steps of 0.5 gives a finite output', ([, , name]) => {
    expect(mine(name, sweep).out).toBeAllClose(ref(name, sweep).out, { ...TOL, what: 'out over [−1000, 1000]' });
  });

  test.for([
    ['sigmoidBackward', 'sigmoid', 'sigmoid'],
    ['tanhBackward', 'tanh', 'tanh'],
  ] as const)('%s › %s-finite-sweep-gradient: the gradient from −1000 to 1000 in steps of 0.5 is finite', ([, , name]) => {
    const dout = ones([4001]);
    expect(mine(name, sweep).backward(dout)).toBeAllClose(ref(name, sweep).backward(dout), { ...TOL, what: 'dx over [−1000, 1000]' });
  });

  test('sigmoidBackward › sigmoid-derivative-peak: with dout = 1 the gradient never exceeds 1/4 and reaches it at 0', () => {
    const dx = mine('sigmoid', linspace(-20, 20, 401)).backward(ones([401]));
    expect(Math.max(...dx.data)).toBeCloseTo(0.25, 12);
    expect(dx.data[200]).toBeCloseTo(0.25, 12);
  });

  variantTests(variantChecks, 'properties', STUDENT);
});

describe('gradients', () => {
  variantTests(variantChecks, 'gradients', STUDENT);
});

describe('bad input', () => {
  const x = fromNested([[0.5, -1, 2], [-0.25, 3, -4]]);
  const wrong: [Name, string, Tensor][] = [
    ['sigmoid', 'sigmoid-rejects-flat-dout', zeros([6])],
    ['tanh', 'tanh-rejects-dout-extra-axis', zeros([2, 3, 1])],
    ['relu', 'relu-rejects-transposed-dout', zeros([3, 2])],
    ['leakyRelu', 'leaky-relu-rejects-short-dout', zeros([2, 2])],
    ['elu', 'elu-rejects-flat-dout', zeros([6])],
  ];
  test.for(wrong.map(([name, id, dout]) => [`${name}Backward`, id, `[${dout.shape.join(', ')}]`, name, dout] as const))(
    "%s › %s: a 'dout' of shape %s for an x of shape [2, 3] is a RangeError naming both shapes",
    ([fn, , , name, dout]) => {
      const { backward } = mine(name, x);
      expectInputError(() => backward(dout), { fn, arg: 'dout', shapes: [[2, 3], dout.shape] });
    },
  );
});

describe('variants', () => {
  variantTests(variantChecks, 'variants', STUDENT);
});
