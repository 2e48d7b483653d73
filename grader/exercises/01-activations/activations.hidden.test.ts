/**
 * Hidden suite for exercise 01 — activation functions. Never shipped to students.
 * Titles are `fn › case-id: description`; the grader reports hidden failures by id and kind only.
 *
 * Backward passes are graded on their own as far as open caches allow: the cache comes from the
 * student's forward pass (its contents are the student's design), but the expected gradients and
 * the numerical gradients come from the reference forward pass, so a forward bug is not counted
 * twice.
 */
import { describe, expect, test } from 'vitest';
import { clone, fromNested, linspace, map, ones, randn, zeros, type Rng, type Tensor } from '../../../lib/index.ts';
import { evalNumericalGradientArray, relError } from '../../../lib/testing/gradcheck.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { casesFor, loadFixture, titled } from '../../../lib/testing/fixtures.ts';
import * as student from '../../../exercises/01-activations/activations.ts';
import * as reference from '../../../solutions/01-activations/activations.ts';
import { variantRng } from '../variants.ts';

const fixture = loadFixture('01-activations', 'hidden');
/** Same tolerances as the public suite: float64 reordering costs ~1e-15; real mistakes cost ≥ 1e-5. */
const TOL = { rtol: 1e-7, atol: 1e-10 };
const GRAD_MAX_REL_ERROR = 1e-6;

const NAMES = ['sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu'] as const;
type Name = (typeof NAMES)[number];
/** Case ids are unique across the exercise, so each starts with the activation's kebab-case name. */
const KEBAB: Record<Name, string> = { sigmoid: 'sigmoid', tanh: 'tanh', relu: 'relu', leakyRelu: 'leaky-relu', elu: 'elu' };

interface Pair {
  forward: (x: Tensor, alpha?: number) => { out: Tensor; cache: unknown };
  backward: (dout: Tensor, cache: never) => Tensor;
}
type Module = { [K in `${Name}Forward` | `${Name}Backward`]: K extends `${string}Forward` ? Pair['forward'] : Pair['backward'] };

interface Run {
  out: Tensor;
  backward: (dout: Tensor) => Tensor;
}

/** Runs one activation of `mod` on `x`; `alpha` is passed only when given, so defaults stay the function's own. */
function run(mod: Module, name: Name, x: Tensor, alpha?: number): Run {
  const forward = mod[`${name}Forward`];
  const backward = mod[`${name}Backward`];
  const { out, cache } = alpha === undefined ? forward(x) : forward(x, alpha);
  return { out, backward: (dout) => backward(dout, cache as never) };
}
const mine = (name: Name, x: Tensor, alpha?: number): Run => run(student as unknown as Module, name, x, alpha);
const ref = (name: Name, x: Tensor, alpha?: number): Run => run(reference as unknown as Module, name, x, alpha);

/** Normal draws scaled by `scale`, at least 0.05 away from 0 (no centred difference straddles a kink). */
function awayFromZero(rng: Rng, shape: number[], scale = 2): Tensor {
  return map(randn(shape, rng), (v) => scale * v + (v >= 0 ? 0.05 : -0.05));
}

type Args = { x: Tensor; dout?: Tensor; alpha?: number };
const nameOf = (fn: string): Name => fn.replace(/(Forward|Backward)$/, '') as Name;

describe('shapes', () => {
  test.for(NAMES.map((n) => [`${n}Forward`, KEBAB[n], n] as const))('%s › %s-shapes-odd: a [1], a [7, 1] and a [2, 3, 4, 5] input keep their shapes', ([, , name]) => {
    const rng = variantRng(`01-activations/shapes-${name}`);
    for (const shape of [[1], [7, 1], [2, 3, 4, 5]]) {
      const { out, backward } = mine(name, awayFromZero(rng, shape));
      expect(out.shape).toEqual(shape);
      expect(backward(randn(shape, rng)).shape).toEqual(shape);
    }
  });
});

describe('values', () => {
  const forwardCases = NAMES.flatMap((n) => casesFor<Args, { out: Tensor }>(fixture, `${n}Forward`));
  test.for(titled(forwardCases))('%s', ([, { fn, args, expected }]) => {
    expect(mine(nameOf(fn), args.x, args.alpha).out).toBeAllClose(expected.out, { ...TOL, what: 'out' });
  });

  const backwardCases = NAMES.flatMap((n) => casesFor<Args, { dx: Tensor }>(fixture, `${n}Backward`));
  test.for(titled(backwardCases))('%s', ([, { fn, args, expected }]) => {
    expect(mine(nameOf(fn), args.x, args.alpha).backward(args.dout!)).toBeAllClose(expected.dx, { ...TOL, what: 'dx' });
  });
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

  test('reluBackward › relu-dead-column: a unit negative for every row of the batch gets no gradient at all', () => {
    const rng = variantRng('01-activations/dead-column');
    const x = map(awayFromZero(rng, [8, 4]), (v, k) => (k % 4 === 2 ? -Math.abs(v) : v));
    const dout = randn([8, 4], rng);
    const dx = mine('relu', x).backward(dout);
    // NOTE: compare |dx|, so that −0 (from dout · 0 with dout < 0) counts as 0.
    for (let i = 0; i < 8; i++) expect(Math.abs(dx.data[i * 4 + 2]!), `|dx[${i}, 2]|`).toBe(0);
    expect(dx).toBeAllClose(ref('relu', x).backward(dout), { rtol: 0, atol: 0, what: 'dx' });
  });

  test('leakyReluBackward › leaky-relu-alpha-one-identity: with alpha = 1 leaky ReLU is the identity, so dx = dout', () => {
    const rng = variantRng('01-activations/alpha-one');
    const x = awayFromZero(rng, [3, 5]);
    const dout = randn([3, 5], rng);
    const { out, backward } = mine('leakyRelu', x, 1);
    expect(out).toBeAllClose(x, { ...TOL, what: 'out' });
    expect(backward(dout)).toBeAllClose(dout, { ...TOL, what: 'dx' });
  });

  test('eluForward › elu-alpha-zero-is-relu: with alpha = 0 ELU is ReLU, forward and backward', () => {
    const rng = variantRng('01-activations/elu-alpha-zero');
    const x = awayFromZero(rng, [4, 4]);
    const dout = randn([4, 4], rng);
    const elu = mine('elu', x, 0);
    const relu = ref('relu', x);
    expect(elu.out).toBeAllClose(relu.out, { ...TOL, what: 'out' });
    expect(elu.backward(dout)).toBeAllClose(relu.backward(dout), { ...TOL, what: 'dx' });
  });

  test.for(NAMES.map((n) => [`${n}Backward`, KEBAB[n], n] as const))(
    '%s › %s-caches-independent: after two forward passes, the first cache still gives the first gradient',
    ([, , name]) => {
      const rng = variantRng(`01-activations/caches-${name}`);
      const x1 = awayFromZero(rng, [3, 3]);
      const x2 = awayFromZero(rng, [3, 3]);
      const dout = randn([3, 3], rng);
      const first = mine(name, x1, name === 'leakyRelu' ? 0.2 : name === 'elu' ? 1.5 : undefined);
      mine(name, x2, name === 'leakyRelu' ? 0.05 : name === 'elu' ? 0.7 : undefined);
      const want = ref(name, x1, name === 'leakyRelu' ? 0.2 : name === 'elu' ? 1.5 : undefined).backward(dout);
      expect(first.backward(dout)).toBeAllClose(want, { ...TOL, what: 'dx from the first cache' });
    },
  );

  test.for(NAMES.map((n) => [`${n}Forward`, KEBAB[n], n] as const))('%s › %s-inputs-untouched: neither pass mutates x or dout', ([, , name]) => {
    const rng = variantRng(`01-activations/untouched-${name}`);
    const x = map(randn([4, 6], rng), (v, k) => (k % 5 === 0 ? 0 : 3 * v));
    const dout = randn([4, 6], rng);
    const before = [clone(x), clone(dout)];
    mine(name, x).backward(dout);
    expect(x.data, 'x').toEqual(before[0]!.data);
    expect(dout.data, 'dout').toEqual(before[1]!.data);
  });
});

describe('gradients', () => {
  const checks: [string, Name, number | undefined][] = [
    ['sigmoid', 'sigmoid', undefined],
    ['tanh', 'tanh', undefined],
    ['relu', 'relu', undefined],
    ['leaky-relu', 'leakyRelu', undefined],
    ['leaky-relu-alpha', 'leakyRelu', 0.3],
    ['elu', 'elu', undefined],
    ['elu-alpha', 'elu', 0.4],
  ];
  test.for(checks.map(([id, name, alpha]) => [`${name}Backward`, id, alpha === undefined ? 'the default alpha' : `alpha = ${alpha}`, name, alpha] as const))(
    '%s › %s-numerical-gradient: dx matches the numerical gradient of the reference forward pass (%s)',
    ([, id, , name, alpha]) => {
      const rng = variantRng(`01-activations/grad-${id}`);
      const x = awayFromZero(rng, [6, 7]);
      const dout = randn([6, 7], rng);
      const dx = mine(name, x, alpha).backward(dout);
      const dxNum = evalNumericalGradientArray((v) => ref(name, v, alpha).out, x, dout);
      expect(relError(dx, dxNum), 'relative error of dx').toBeLessThan(GRAD_MAX_REL_ERROR);
    },
  );
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
  const rng = variantRng('01-activations');
  const shape = [1 + rng.randint(0, 8), 1 + rng.randint(0, 8)];
  const x = map(randn(shape, rng), (v) => 4 * v + (v >= 0 ? 0.05 : -0.05));
  const dout = randn(shape, rng);
  const alphas: Record<Name, number | undefined> = {
    sigmoid: undefined,
    tanh: undefined,
    relu: undefined,
    leakyRelu: 0.01 + 0.29 * rng.uniform(),
    elu: 0.5 + 1.5 * rng.uniform(),
  };

  test.for(NAMES.map((n) => [`${n}Forward`, KEBAB[n], n] as const))('%s › %s-variant-forward: your personal input', ([, , name]) => {
    expect(mine(name, x, alphas[name]).out).toBeAllClose(ref(name, x, alphas[name]).out, { ...TOL, what: 'out' });
  });

  test.for(NAMES.map((n) => [`${n}Backward`, KEBAB[n], n] as const))('%s › %s-variant-backward: your personal input and upstream gradient', ([, , name]) => {
    expect(mine(name, x, alphas[name]).backward(dout)).toBeAllClose(ref(name, x, alphas[name]).backward(dout), { ...TOL, what: 'dx' });
  });
});
