/**
 * Exercise 01's hidden checks whose inputs are drawn from the student's seed (see ../variants.ts):
 * pure functions of (implementation, seed), so `npm run fairness` can run them for many seeds.
 * Expected values come from the reference; gradients from the reference forward pass, so a forward
 * mistake is not counted twice.
 */
import { expect } from 'vitest';
import { clone, map, randn, type Rng, type Tensor } from '../../../lib/index.ts';
import { expectBackwardMatchesNumerical, gradientInputs, NAMES, run, TOL, type ActivationsModule, type Name } from '../../../lib/testing/checks/01-activations.ts';
import * as reference from '../../../solutions/01-activations/activations.ts';
import { rngFor, type VariantCheck } from '../variants.ts';

const REFERENCE = reference as unknown as ActivationsModule;
const ref = (name: Name, x: Tensor, alpha?: number): ReturnType<typeof run> => run(REFERENCE, name, x, alpha);

/** Case ids are unique across the exercise, so each starts with the activation's kebab-case name. */
const KEBAB: Record<Name, string> = { sigmoid: 'sigmoid', tanh: 'tanh', relu: 'relu', leakyRelu: 'leaky-relu', elu: 'elu' };

/** Normal draws scaled by `scale`, at least 0.05 away from 0 (no value sits on a kink). */
function awayFromZero(rng: Rng, shape: number[], scale = 2): Tensor {
  return map(randn(shape, rng), (v) => scale * v + (v >= 0 ? 0.05 : -0.05));
}

const shapes: VariantCheck<ActivationsModule>[] = NAMES.map((name) => ({
  group: 'shapes',
  fn: `${name}Forward`,
  id: `${KEBAB[name]}-shapes-odd`,
  description: 'a [1], a [7, 1] and a [2, 3, 4, 5] input keep their shapes',
  run: (mod, seed) => {
    const rng = rngFor(seed, `01-activations/shapes-${name}`);
    for (const shape of [[1], [7, 1], [2, 3, 4, 5]]) {
      const { out, backward } = run(mod, name, awayFromZero(rng, shape));
      expect(out).toHaveShape(shape, 'out');
      expect(backward(randn(shape, rng))).toHaveShape(shape, 'dx');
    }
  },
}));

/** The alphas of the caches test: the first forward pass's and a second, different one. */
const CACHE_ALPHAS: Record<Name, [number | undefined, number | undefined]> = {
  sigmoid: [undefined, undefined],
  tanh: [undefined, undefined],
  relu: [undefined, undefined],
  leakyRelu: [0.2, 0.05],
  elu: [1.5, 0.7],
};

const properties: VariantCheck<ActivationsModule>[] = [
  {
    group: 'properties',
    fn: 'reluBackward',
    id: 'relu-dead-column',
    description: 'a unit negative for every row of the batch gets no gradient at all',
    run: (mod, seed) => {
      const rng = rngFor(seed, '01-activations/dead-column');
      const x = map(awayFromZero(rng, [8, 4]), (v, k) => (k % 4 === 2 ? -Math.abs(v) : v));
      const dout = randn([8, 4], rng);
      const dx = run(mod, 'relu', x).backward(dout);
      expect(dx).toHaveShape([8, 4], 'dx');
      // NOTE: compare |dx|, so that −0 (from dout · 0 with dout < 0) counts as 0.
      for (let i = 0; i < 8; i++) expect(Math.abs(dx.data[i * 4 + 2]!), `|dx[${i}, 2]|`).toBe(0);
      expect(dx).toBeAllClose(ref('relu', x).backward(dout), { rtol: 0, atol: 0, what: 'dx' });
    },
  },
  {
    group: 'properties',
    fn: 'leakyReluBackward',
    id: 'leaky-relu-alpha-one-identity',
    description: 'with alpha = 1 leaky ReLU is the identity, so dx = dout',
    run: (mod, seed) => {
      const rng = rngFor(seed, '01-activations/alpha-one');
      const x = awayFromZero(rng, [3, 5]);
      const dout = randn([3, 5], rng);
      const { out, backward } = run(mod, 'leakyRelu', x, 1);
      expect(out).toBeAllClose(x, { ...TOL, what: 'out' });
      expect(backward(dout)).toBeAllClose(dout, { ...TOL, what: 'dx' });
    },
  },
  {
    group: 'properties',
    fn: 'eluForward',
    id: 'elu-alpha-zero-is-relu',
    description: 'with alpha = 0 ELU is ReLU, forward and backward',
    run: (mod, seed) => {
      const rng = rngFor(seed, '01-activations/elu-alpha-zero');
      const x = awayFromZero(rng, [4, 4]);
      const dout = randn([4, 4], rng);
      const elu = run(mod, 'elu', x, 0);
      const relu = ref('relu', x);
      expect(elu.out).toBeAllClose(relu.out, { ...TOL, what: 'out' });
      expect(elu.backward(dout)).toBeAllClose(relu.backward(dout), { ...TOL, what: 'dx' });
    },
  },
  ...NAMES.map(
    (name): VariantCheck<ActivationsModule> => ({
      group: 'properties',
      fn: `${name}Backward`,
      id: `${KEBAB[name]}-caches-independent`,
      description: 'after two forward passes, the first cache still gives the first gradient',
      run: (mod, seed) => {
        const rng = rngFor(seed, `01-activations/caches-${name}`);
        const x1 = awayFromZero(rng, [3, 3]);
        const x2 = awayFromZero(rng, [3, 3]);
        const dout = randn([3, 3], rng);
        const [alpha1, alpha2] = CACHE_ALPHAS[name];
        const first = run(mod, name, x1, alpha1);
        run(mod, name, x2, alpha2);
        expect(first.backward(dout)).toBeAllClose(ref(name, x1, alpha1).backward(dout), { ...TOL, what: 'dx from the first cache' });
      },
    }),
  ),
  ...NAMES.map(
    (name): VariantCheck<ActivationsModule> => ({
      group: 'properties',
      fn: `${name}Forward`,
      id: `${KEBAB[name]}-inputs-untouched`,
      description: 'neither pass mutates x or dout',
      run: (mod, seed) => {
        const rng = rngFor(seed, `01-activations/untouched-${name}`);
        const x = map(randn([4, 6], rng), (v, k) => (k % 5 === 0 ? 0 : 3 * v));
        const dout = randn([4, 6], rng);
        const before = [clone(x), clone(dout)];
        run(mod, name, x).backward(dout);
        expect(x.data, 'x').toEqual(before[0]!.data);
        expect(dout.data, 'dout').toEqual(before[1]!.data);
      },
    }),
  ),
];

/** Gradient checks: one per activation, two with a non-default alpha. */
const GRADIENT_CASES: [id: string, name: Name, alpha: number | undefined][] = [
  ['sigmoid', 'sigmoid', undefined],
  ['tanh', 'tanh', undefined],
  ['relu', 'relu', undefined],
  ['leaky-relu', 'leakyRelu', undefined],
  ['leaky-relu-alpha', 'leakyRelu', 0.3],
  ['elu', 'elu', undefined],
  ['elu-alpha', 'elu', 0.4],
];

const gradients: VariantCheck<ActivationsModule>[] = GRADIENT_CASES.map(([id, name, alpha]) => ({
  group: 'gradients',
  fn: `${name}Backward`,
  id: `${id}-numerical-gradient`,
  description: `dx matches the numerical gradient of the reference forward pass (${alpha === undefined ? 'the default alpha' : `alpha = ${alpha}`})`,
  run: (mod, seed) => {
    // 0.05 ≤ |x| ≤ 4: see GRAD_MAX_REL_ERROR in lib/testing/checks/01-activations.ts.
    const { x, dout } = gradientInputs(rngFor(seed, `01-activations/grad-${id}`), [6, 7]);
    expectBackwardMatchesNumerical(mod, name, x, dout, alpha, REFERENCE);
  },
}));

/** The student's personal input: a shape up to [8, 8], values spread over about ±12, and alphas of their own. */
function personal(seed: string): { x: Tensor; dout: Tensor; alphas: Record<Name, number | undefined> } {
  const rng = rngFor(seed, '01-activations');
  const shape = [1 + rng.randint(0, 8), 1 + rng.randint(0, 8)];
  const x = map(randn(shape, rng), (v) => 4 * v + (v >= 0 ? 0.05 : -0.05));
  const dout = randn(shape, rng);
  const alphas = { sigmoid: undefined, tanh: undefined, relu: undefined, leakyRelu: 0.01 + 0.29 * rng.uniform(), elu: 0.5 + 1.5 * rng.uniform() };
  return { x, dout, alphas };
}

const variants: VariantCheck<ActivationsModule>[] = [
  ...NAMES.map(
    (name): VariantCheck<ActivationsModule> => ({
      group: 'variants',
      fn: `${name}Forward`,
      id: `${KEBAB[name]}-variant-forward`,
      description: 'your personal input',
      run: (mod, seed) => {
        const { x, alphas } = personal(seed);
        expect(run(mod, name, x, alphas[name]).out).toBeAllClose(ref(name, x, alphas[name]).out, { ...TOL, what: 'out' });
      },
    }),
  ),
  ...NAMES.map(
    (name): VariantCheck<ActivationsModule> => ({
      group: 'variants',
      fn: `${name}Backward`,
      id: `${KEBAB[name]}-variant-backward`,
      description: 'your personal input and upstream gradient',
      run: (mod, seed) => {
        const { x, dout, alphas } = personal(seed);
        expect(run(mod, name, x, alphas[name]).backward(dout)).toBeAllClose(ref(name, x, alphas[name]).backward(dout), { ...TOL, what: 'dx' });
      },
    }),
  ),
];

export const variantChecks: VariantCheck<ActivationsModule>[] = [...shapes, ...properties, ...gradients, ...variants];

/**
 * The public suite's gradient check (your backward pass against the numerical gradient of your own
 * forward pass) on inputs drawn per seed as the public suite draws them: not part of the hidden
 * suite; `npm run fairness` runs them to show that the public bound holds for any such draw and
 * any correct implementation, not only for the public suite's own inputs.
 */
export const sweepChecks: VariantCheck<ActivationsModule>[] = GRADIENT_CASES.map(([id, name, alpha]) => ({
  group: 'gradients',
  fn: `${name}Backward`,
  id: `public-${id}-gradient-check`,
  description: 'the public gradient check on a fresh draw',
  run: (mod, seed) => {
    const { x, dout } = gradientInputs(rngFor(seed, `01-activations/public-grad-${id}`), [4, 5]);
    expectBackwardMatchesNumerical(mod, name, x, dout, alpha);
  },
}));
