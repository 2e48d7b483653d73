/**
 * Exercise 02's hidden checks whose inputs are drawn from the student's seed (see ../variants.ts):
 * pure functions of (implementation, seed), so `npm run fairness` can run them for many seeds.
 * `activationStatistics` is graded on its own: its weights here come from lib's `randn`, never
 * from the student's initializers.
 */
import { expect } from 'vitest';
import { clone, createRng, map, randn, type Tensor } from '../../../lib/index.ts';
import { expectSameStatistics, INIT_NAMES, TOL, type InitName, type WeightInitModule } from '../../../lib/testing/checks/02-weight-init.ts';
import * as reference from '../../../solutions/02-weight-init/weight-init.ts';
import type { Activation } from '../../../solutions/02-weight-init/weight-init.ts';
import { perSeed, rngFor, type VariantCheck } from '../variants.ts';

type Check = VariantCheck<WeightInitModule>;
const KEBAB: Record<InitName, string> = { xavierInit: 'xavier', heInit: 'he', smallRandomInit: 'small' };

const shapes: Check[] = [
  {
    group: 'shapes',
    fn: 'activationStatistics',
    id: 'stats-one-per-layer',
    description: 'five layers give five entries, one layer gives one',
    run: (mod, seed) => {
      const rng = rngFor(seed, '02-weight-init/stats-length');
      const weights = [3, 4, 2, 5, 1].map((d, l) => randn([[2, 3, 4, 2, 5][l]!, d], rng));
      expect(mod.activationStatistics(randn([4, 2], rng), weights, 'relu')).toHaveLength(5);
      expect(mod.activationStatistics(randn([4, 2], rng), weights.slice(0, 1), 'tanh')).toHaveLength(1);
    },
  },
];

/**
 * The lecture's experiment on the student's data: 50 examples through 10 layers of 64 units, one
 * set of standard normal matrices scaled four ways, so only activationStatistics is graded. Each
 * check compares with the reference first, then checks the lecture's fact; the bounds keep ≥ 6
 * standard deviations of margin for every seed (over 1000 seeds, `npm run fairness` measures
 * the closest approach to each bound).
 */
function lecture(seed: string): { x: Tensor; small: Tensor[]; unit: Tensor[]; xavier: Tensor[]; he: Tensor[] } {
  const rng = rngFor(seed, '02-weight-init/lecture');
  const D = 64;
  const x = randn([50, D], rng);
  const base = Array.from({ length: 10 }, () => randn([D, D], rng));
  const scaled = (s: number): Tensor[] => base.map((w) => map(w, (v) => v * s));
  return { x, small: scaled(0.01), unit: base, xavier: scaled(1 / Math.sqrt(D)), he: scaled(Math.sqrt(2 / D)) };
}

function runLecture(mod: WeightInitModule, seed: string, which: 'small' | 'unit' | 'xavier' | 'he', activation: Activation): number[] {
  const l = perSeed(seed, '02-weight-init/lecture', () => lecture(seed));
  const got = mod.activationStatistics(l.x, l[which], activation);
  const want = perSeed(seed, `02-weight-init/lecture/${which}/${activation}`, () => {
    const fresh = perSeed(seed, '02-weight-init/lecture', () => lecture(seed));
    return reference.activationStatistics(fresh.x, fresh[which], activation);
  });
  expectSameStatistics(got, want);
  return got.map((s) => s.std);
}

/** Geometric mean of the per-layer variance ratio std_{l+1}² / std_l² over the 9 steps. */
const varianceRatio = (std: number[]): number => (std[9]! / std[0]!) ** (2 / 9);

const properties: Check[] = [
  ...INIT_NAMES.map(
    (name): Check => ({
      group: 'properties',
      fn: name,
      id: `${KEBAB[name]}-row-major-draws`,
      description: 'weight [i, j] is draw number i · fanOut + j of the generator',
      run: (mod, seed) => {
        const stream = `${rngFor(seed, '02-weight-init/row-major').seed}/${name}`;
        const draws = createRng(stream);
        const z = Float64Array.from({ length: 12 }, () => draws.randn());
        const scale = name === 'xavierInit' ? 1 / Math.sqrt(3) : name === 'heInit' ? Math.sqrt(2 / 3) : 0.01;
        expect(mod[name](3, 4, createRng(stream))).toBeAllClose({ shape: [3, 4], data: z.map((v) => v * scale) }, { ...TOL, what: 'W' });
      },
    }),
  ),
  {
    group: 'properties',
    fn: 'activationStatistics',
    id: 'stats-inputs-untouched',
    description: 'neither x nor any weight matrix is mutated',
    run: (mod, seed) => {
      const rng = rngFor(seed, '02-weight-init/untouched');
      const x = randn([5, 4], rng);
      const weights = [randn([4, 6], rng), randn([6, 3], rng)];
      const before = [x, ...weights].map(clone);
      mod.activationStatistics(x, weights, 'tanh');
      [x, ...weights].forEach((t, i) => expect(t.data).toEqual(before[i]!.data));
    },
  },
  {
    group: 'properties',
    fn: 'activationStatistics',
    id: 'stats-lecture-small-weights',
    description: '0.01 · randn with tanh collapses to std < 1e-6 by layer 10',
    run: (mod, seed) => {
      // ~0.08 per layer: about 1e-11 at layer 10, five orders of magnitude below the bound.
      expect(runLecture(mod, seed, 'small', 'tanh')[9], 'std of layer 10').toBeLessThan(1e-6);
    },
  },
  {
    group: 'properties',
    fn: 'activationStatistics',
    id: 'stats-lecture-unit-weights',
    description: 'randn with tanh saturates every layer (std > 0.9)',
    run: (mod, seed) => {
      runLecture(mod, seed, 'unit', 'tanh').forEach((s, l) => expect(s, `std of layer ${l + 1}`).toBeGreaterThan(0.9));
    },
  },
  {
    group: 'properties',
    fn: 'activationStatistics',
    id: 'stats-lecture-xavier-tanh',
    description: 'Xavier with tanh keeps every layer’s std between 0.1 and 0.9',
    run: (mod, seed) => {
      runLecture(mod, seed, 'xavier', 'tanh').forEach((s, l) => {
        expect(s, `std of layer ${l + 1}`).toBeGreaterThan(0.1);
        expect(s, `std of layer ${l + 1}`).toBeLessThan(0.9);
      });
    },
  },
  {
    group: 'properties',
    fn: 'activationStatistics',
    id: 'stats-lecture-xavier-relu',
    description: 'Xavier with relu halves the variance per layer',
    run: (mod, seed) => {
      const ratio = varianceRatio(runLecture(mod, seed, 'xavier', 'relu'));
      expect(ratio, 'variance ratio per layer').toBeGreaterThan(0.35);
      expect(ratio, 'variance ratio per layer').toBeLessThan(0.7);
    },
  },
  {
    group: 'properties',
    fn: 'activationStatistics',
    id: 'stats-lecture-he-relu',
    description: 'He with relu keeps the variance per layer',
    run: (mod, seed) => {
      const ratio = varianceRatio(runLecture(mod, seed, 'he', 'relu'));
      expect(ratio, 'variance ratio per layer').toBeGreaterThan(0.75);
      expect(ratio, 'variance ratio per layer').toBeLessThan(1.33);
    },
  },
];

/** The student's personal fans, seed and scale. */
function personal(seed: string): { fanIn: number; fanOut: number; stream: string; scale: number } {
  const rng = rngFor(seed, '02-weight-init');
  const fanIn = 1 + rng.randint(0, 30);
  const fanOut = 1 + rng.randint(0, 30);
  return { fanIn, fanOut, stream: `${rng.seed}/weights`, scale: 0.001 + 2 * rng.uniform() };
}

const variants: Check[] = [
  ...INIT_NAMES.map(
    (name): Check => ({
      group: 'variants',
      fn: name,
      id: `${KEBAB[name]}-variant`,
      description: 'your personal fans and seed',
      run: (mod, seed) => {
        const { fanIn, fanOut, stream } = personal(seed);
        expect(mod[name](fanIn, fanOut, createRng(stream))).toBeAllClose(reference[name](fanIn, fanOut, createRng(stream)), { ...TOL, what: 'W' });
      },
    }),
  ),
  {
    group: 'variants',
    fn: 'smallRandomInit',
    id: 'small-variant-scale',
    description: 'your personal fans, seed and scale',
    run: (mod, seed) => {
      const { fanIn, fanOut, stream, scale } = personal(seed);
      const want = reference.smallRandomInit(fanIn, fanOut, createRng(stream), scale);
      expect(mod.smallRandomInit(fanIn, fanOut, createRng(stream), scale)).toBeAllClose(want, { ...TOL, what: 'W' });
    },
  },
  ...(['tanh', 'relu'] as const).map(
    (activation): Check => ({
      group: 'variants',
      fn: 'activationStatistics',
      id: `stats-variant-${activation}`,
      description: 'your personal network',
      run: (mod, seed) => {
        const r = rngFor(seed, `02-weight-init/variant-${activation}`);
        const widths = Array.from({ length: 2 + r.randint(0, 4) }, () => 1 + r.randint(0, 12));
        const x = map(randn([1 + r.randint(0, 10), widths[0]!], r), (v) => 2 * v + r.uniform() - 0.5);
        const weights = widths.slice(1).map((d, l) => map(randn([widths[l]!, d], r), (v) => (v / Math.sqrt(widths[l]!)) * (0.5 + r.uniform())));
        expectSameStatistics(mod.activationStatistics(x, weights, activation), reference.activationStatistics(x, weights, activation));
      },
    }),
  ),
];

export const variantChecks: Check[] = [...shapes, ...properties, ...variants];
