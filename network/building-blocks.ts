/**
 * The exercises' functions the network is built from: activations (01), initializers (02), batch
 * norm (03), layer and group norm (04), the sparse gradient check (05, for `--sanity`) and
 * mean-image preprocessing (06); and, only for the flags that use them, the babysitting checks (07,
 * `--sanity`), hyperparameter search (08, `--search`) and PReLU and maxout (10, `--activation
 * prelu | maxout`). Everything else in this folder (affine layers, softmax loss, optimizers, data)
 * is the kit's own and holds no exercise's answer.
 *
 * The functions are loaded at run time from a folder laid out like `exercises/`: the reference
 * solutions (`solutions/`, where the kit has them), your own `exercises/`, or a submission folder.
 * Nothing here imports an exercise statically, so the same trainer runs in the student kit.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Rng, Tensor } from '../lib/index.ts';
import type { Babysitting, HyperparameterSearch, LearnedActivations } from './lecture-blocks.ts';

/** The kit's root folder (the one holding exercises/, lib/ and network/). */
export const KIT_ROOT = fileURLToPath(new URL('../', import.meta.url));

export const ACTIVATIONS = ['relu', 'leakyRelu', 'elu', 'tanh', 'sigmoid'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];
export const INITIALIZERS = ['xavier', 'he', 'small'] as const;
export type InitializerName = (typeof INITIALIZERS)[number];

// Caches are each implementation's own design, so the network treats them as opaque (`unknown`).
// NOTE: method syntax on purpose: it lets a backward taking its own cache type fit `cache: unknown`.

export interface Activation {
  forward(x: Tensor): { out: Tensor; cache: unknown };
  backward(dout: Tensor, cache: unknown): Tensor;
}

export interface NormGradients {
  dx: Tensor;
  dgamma: Tensor;
  dbeta: Tensor;
}

/** One entry of exercise 05's `gradCheckSparse` report. */
export interface SparseCheck {
  index: number[];
  numerical: number;
  analytic: number;
  relError: number;
}

/** The exercise files the network uses, by part. */
export const PARTS = {
  activations: { exercise: '01-activations', file: 'activations.ts' },
  weightInit: { exercise: '02-weight-init', file: 'weight-init.ts' },
  batchnorm: { exercise: '03-batchnorm', file: 'batchnorm.ts' },
  groupnorm: { exercise: '04-groupnorm', file: 'groupnorm.ts' },
  gradientCheck: { exercise: '05-gradient-check', file: 'gradient-check.ts' },
  meanImage: { exercise: '06-mean-image', file: 'mean-image.ts' },
  babysitting: { exercise: '07-babysitting', file: 'babysitting.ts' },
  search: { exercise: '08-hyperparameter-search', file: 'hyperparameter-search.ts' },
  learned: { exercise: '10-prelu-maxout', file: 'prelu-maxout.ts' },
} as const;
export type Part = keyof typeof PARTS;

/**
 * The parts only some runs use, loaded only when asked for: a course that assigns 01–06 trains
 * without ever touching 07, 08 or 10 (see `lecturePartsFor` in lecture-blocks.ts).
 */
export const LECTURE_PARTS = ['babysitting', 'search', 'learned'] as const;
export type LecturePart = (typeof LECTURE_PARTS)[number];
/** The parts every network is built from. */
export type CorePart = Exclude<Part, LecturePart>;
const CORE_PARTS = (Object.keys(PARTS) as Part[]).filter((p): p is CorePart => !(LECTURE_PARTS as readonly Part[]).includes(p));

export interface BuildingBlocks {
  /** Where the functions came from, for messages: 'reference solutions', 'your exercises (exercises/)', a folder. */
  source: string;
  /** True when they are the kit's reference solutions. */
  reference: boolean;
  /** The file each part was loaded from, relative to the working directory (a lecture part only when loaded). */
  files: Record<CorePart, string> & Partial<Record<LecturePart, string>>;
  activations: Record<ActivationName, Activation>;
  batchnormForward(
    x: Tensor,
    gamma: Tensor,
    beta: Tensor,
    params: { mode: 'train' | 'test'; eps?: number; momentum?: number; runningMean?: Tensor; runningVar?: Tensor },
  ): { out: Tensor; cache: unknown; runningMean: Tensor; runningVar: Tensor };
  batchnormBackward(dout: Tensor, cache: unknown): NormGradients;
  layernormForward(x: Tensor, gamma: Tensor, beta: Tensor, eps?: number): { out: Tensor; cache: unknown };
  layernormBackward(dout: Tensor, cache: unknown): NormGradients;
  groupnormForward(x: Tensor, gamma: Tensor, beta: Tensor, G: number, eps?: number): { out: Tensor; cache: unknown };
  groupnormBackward(dout: Tensor, cache: unknown): NormGradients;
  xavierInit(fanIn: number, fanOut: number, rng: Rng): Tensor;
  heInit(fanIn: number, fanOut: number, rng: Rng): Tensor;
  smallRandomInit(fanIn: number, fanOut: number, rng: Rng, scale?: number): Tensor;
  activationStatistics(x: Tensor, weights: readonly Tensor[], activation: 'tanh' | 'relu'): { mean: number; std: number }[];
  gradCheckSparse(f: (x: Tensor) => number, x: Tensor, analyticGrad: Tensor, numChecks?: number, rng?: Rng, h?: number): SparseCheck[];
  preprocess(
    splits: { train: Tensor; val: Tensor; test: Tensor },
    options: { center: 'image' | 'channel'; scale?: 'none' | 'std' },
  ): { train: Tensor; val: Tensor; test: Tensor; mean: Tensor; std?: Tensor };
  /** Exercise 07's checks, when loaded. */
  babysitting?: Babysitting;
  /** Exercise 08's search, when loaded. */
  search?: HyperparameterSearch;
  /** Exercise 10's layers, when loaded. */
  learned?: LearnedActivations;
}

/** The functions each part must export. */
const EXPORTS: Record<Part, readonly string[]> = {
  activations: ACTIVATIONS.flatMap((a) => [`${a}Forward`, `${a}Backward`]),
  weightInit: ['xavierInit', 'heInit', 'smallRandomInit', 'activationStatistics'],
  batchnorm: ['batchnormForward', 'batchnormBackward'],
  groupnorm: ['layernormForward', 'layernormBackward', 'groupnormForward', 'groupnormBackward'],
  gradientCheck: ['gradCheckSparse'],
  meanImage: ['preprocess'],
  babysitting: ['checkInitialLoss', 'checkRegularization', 'overfitSmallData', 'updateToWeightRatio', 'updateRatioVerdict', 'diagnoseTraining'],
  search: ['randomSearch', 'coarseToFine', 'rankTrials'],
  learned: ['preluForward', 'preluBackward', 'maxoutForward', 'maxoutBackward'],
};

type Module = Record<string, (...args: never[]) => unknown>;

function assemble(source: string, reference: boolean, files: BuildingBlocks['files'], m: Record<CorePart, Module> & Partial<Record<LecturePart, Module>>): BuildingBlocks {
  const a = m.activations as unknown as Record<string, (...args: unknown[]) => never>;
  const activation = (name: ActivationName): Activation => ({
    forward: (x) => a[`${name}Forward`]!(x),
    backward: (d, c) => a[`${name}Backward`]!(d, c),
  });
  const pick = <T>(part: CorePart, name: string): T => m[part][name] as unknown as T;
  return {
    source,
    reference,
    files,
    activations: { relu: activation('relu'), leakyRelu: activation('leakyRelu'), elu: activation('elu'), tanh: activation('tanh'), sigmoid: activation('sigmoid') },
    batchnormForward: pick('batchnorm', 'batchnormForward'),
    batchnormBackward: pick('batchnorm', 'batchnormBackward'),
    layernormForward: pick('groupnorm', 'layernormForward'),
    layernormBackward: pick('groupnorm', 'layernormBackward'),
    groupnormForward: pick('groupnorm', 'groupnormForward'),
    groupnormBackward: pick('groupnorm', 'groupnormBackward'),
    xavierInit: pick('weightInit', 'xavierInit'),
    heInit: pick('weightInit', 'heInit'),
    smallRandomInit: pick('weightInit', 'smallRandomInit'),
    activationStatistics: pick('weightInit', 'activationStatistics'),
    gradCheckSparse: pick('gradientCheck', 'gradCheckSparse'),
    preprocess: pick('meanImage', 'preprocess'),
    // A lecture part's module is used as it is: the network calls its functions by name.
    ...(m.babysitting ? { babysitting: m.babysitting as unknown as Babysitting } : {}),
    ...(m.search ? { search: m.search as unknown as HyperparameterSearch } : {}),
    ...(m.learned ? { learned: m.learned as unknown as LearnedActivations } : {}),
  };
}

/** A problem with a student's implementation that the CLI reports as one line. */
export class ImplementationError extends Error {
  override readonly name = 'ImplementationError';
}

/** The implementation `npm run train` uses by default: the reference where the kit has it, else your exercises/. */
export function defaultImplementation(root: string): 'solutions' | 'exercises' {
  return existsSync(join(root, 'solutions', PARTS.activations.exercise, PARTS.activations.file)) ? 'solutions' : 'exercises';
}

/**
 * The building blocks named by `spec`: 'solutions' (the reference, `<root>/solutions/`),
 * 'exercises' (the files in `<root>/exercises/`), or a folder holding a submission — either
 * `NN-slug/file.ts` as in `exercises/`, or the files side by side. Missing files are an error
 * naming them. Loading runs nothing: a stub is found when it is first called (see probe.ts).
 * `lecture` names the parts of exercises 07, 08 and 10 to load as well; the others stay unloaded.
 */
export async function loadBuildingBlocks(spec: string, root: string, lecture: readonly LecturePart[] = []): Promise<BuildingBlocks> {
  const reference = spec === 'solutions' || spec === 'reference';
  const dir = reference ? join(root, 'solutions') : spec === 'exercises' ? join(root, 'exercises') : isAbsolute(spec) ? spec : resolve(spec);
  if (reference && !existsSync(dir)) {
    throw new ImplementationError(`--impl solutions: this copy of the kit has no reference solutions; train your own with --impl exercises`);
  }
  if (!existsSync(dir)) throw new ImplementationError(`--impl: folder not found: ${spec}`);
  const found: Partial<Record<Part, string>> = {};
  const missing: string[] = [];
  const parts: Part[] = [...CORE_PARTS, ...LECTURE_PARTS.filter((p) => lecture.includes(p))];
  for (const part of parts) {
    const { exercise, file } = PARTS[part];
    const hit = [join(dir, exercise, file), join(dir, file)].find((c) => existsSync(c));
    if (hit) found[part] = hit;
    else missing.push(`${exercise}/${file}`);
  }
  if (missing.length > 0) throw new ImplementationError(`--impl ${spec}: missing ${missing.join(', ')} (looked in ${relative(process.cwd(), dir) || '.'})`);
  const modules: Partial<Record<Part, Module>> = {};
  for (const [part, path] of Object.entries(found) as [Part, string][]) {
    try {
      modules[part] = (await import(pathToFileURL(path).href)) as Module;
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0] ?? '';
      const hint = /lib\/index/.test(reason) ? ` (its import of lib/ must resolve: keep the folder's NN-slug/ files two levels below a copy of the kit, as in exercises/)` : '';
      throw new ImplementationError(`--impl ${spec}: cannot load ${relative(process.cwd(), path)}: ${reason}${hint}`);
    }
  }
  for (const part of parts) {
    const absent = EXPORTS[part].filter((name) => typeof modules[part]![name] !== 'function');
    if (absent.length > 0) throw new ImplementationError(`--impl ${spec}: ${relative(process.cwd(), found[part]!)} does not export ${absent.join(', ')}`);
  }
  const files = Object.fromEntries(Object.entries(found).map(([part, path]) => [part, relative(process.cwd(), path) || path])) as BuildingBlocks['files'];
  const label = reference ? 'reference solutions' : spec === 'exercises' ? 'your exercises (exercises/)' : `the submission in ${spec}`;
  return assemble(label, reference, files, modules as Record<CorePart, Module> & Partial<Record<LecturePart, Module>>);
}
