/**
 * The exercises' functions the network is built from: activations (01), initializers (02), batch
 * norm (03), layer and group norm (04) and mean-image preprocessing (06). By default they are the
 * reference solutions; `loadBuildingBlocks('exercises')` (or a submission folder) swaps in a
 * student's own, so the reward at the end of the kit is training a real network on their code.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Rng, Tensor } from '../../lib/index.ts';
import * as activations from '../01-activations/activations.ts';
import * as weightInit from '../02-weight-init/weight-init.ts';
import * as batchnorm from '../03-batchnorm/batchnorm.ts';
import * as groupnorm from '../04-groupnorm/groupnorm.ts';
import * as meanImage from '../06-mean-image/mean-image.ts';

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

export interface BuildingBlocks {
  /** Where the functions came from, for messages: 'reference solutions', 'exercises/', a folder. */
  source: string;
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
  preprocess(
    splits: { train: Tensor; val: Tensor; test: Tensor },
    options: { center: 'image' | 'channel'; scale?: 'none' | 'std' },
  ): { train: Tensor; val: Tensor; test: Tensor; mean: Tensor; std?: Tensor };
}

interface Modules {
  activations: typeof activations;
  weightInit: typeof weightInit;
  batchnorm: typeof batchnorm;
  groupnorm: typeof groupnorm;
  meanImage: typeof meanImage;
}

function assemble(source: string, m: Modules): BuildingBlocks {
  const a = m.activations;
  return {
    source,
    activations: {
      relu: { forward: (x) => a.reluForward(x), backward: (d, c) => a.reluBackward(d, c as never) },
      leakyRelu: { forward: (x) => a.leakyReluForward(x), backward: (d, c) => a.leakyReluBackward(d, c as never) },
      elu: { forward: (x) => a.eluForward(x), backward: (d, c) => a.eluBackward(d, c as never) },
      tanh: { forward: (x) => a.tanhForward(x), backward: (d, c) => a.tanhBackward(d, c as never) },
      sigmoid: { forward: (x) => a.sigmoidForward(x), backward: (d, c) => a.sigmoidBackward(d, c as never) },
    },
    batchnormForward: m.batchnorm.batchnormForward,
    batchnormBackward: m.batchnorm.batchnormBackward,
    layernormForward: m.groupnorm.layernormForward,
    layernormBackward: m.groupnorm.layernormBackward,
    groupnormForward: m.groupnorm.groupnormForward,
    groupnormBackward: m.groupnorm.groupnormBackward,
    xavierInit: m.weightInit.xavierInit,
    heInit: m.weightInit.heInit,
    smallRandomInit: m.weightInit.smallRandomInit,
    activationStatistics: m.weightInit.activationStatistics,
    preprocess: m.meanImage.preprocess,
  };
}

/** The reference solutions. */
export const REFERENCE: BuildingBlocks = assemble('reference solutions', { activations, weightInit, batchnorm, groupnorm, meanImage });

/** The exercise files the network uses, as `NN-slug/file.ts` paths. */
const FILES: Record<keyof Modules, string> = {
  activations: '01-activations/activations.ts',
  weightInit: '02-weight-init/weight-init.ts',
  batchnorm: '03-batchnorm/batchnorm.ts',
  groupnorm: '04-groupnorm/groupnorm.ts',
  meanImage: '06-mean-image/mean-image.ts',
};

/** The functions each file must export. */
const EXPORTS: Record<keyof Modules, readonly string[]> = {
  activations: ACTIVATIONS.flatMap((a) => [`${a}Forward`, `${a}Backward`]),
  weightInit: ['xavierInit', 'heInit', 'smallRandomInit', 'activationStatistics'],
  batchnorm: ['batchnormForward', 'batchnormBackward'],
  groupnorm: ['layernormForward', 'layernormBackward', 'groupnormForward', 'groupnormBackward'],
  meanImage: ['preprocess'],
};

/** A problem with a student's implementation that the CLI reports as one line. */
export class ImplementationError extends Error {
  override readonly name = 'ImplementationError';
}

/**
 * The building blocks named by `spec`: 'solutions' (the reference), 'exercises' (the files in
 * `<root>/exercises/`), or a folder holding a submission — either `NN-slug/file.ts` as in
 * `exercises/`, or the five files side by side. Missing files are an error naming them.
 */
export async function loadBuildingBlocks(spec: string, root: string): Promise<BuildingBlocks> {
  if (spec === 'solutions' || spec === 'reference') return REFERENCE;
  const dir = spec === 'exercises' ? join(root, 'exercises') : isAbsolute(spec) ? spec : resolve(spec);
  if (!existsSync(dir)) throw new ImplementationError(`--impl: folder not found: ${spec}`);
  const found: Partial<Record<keyof Modules, string>> = {};
  const missing: string[] = [];
  for (const [key, file] of Object.entries(FILES) as [keyof Modules, string][]) {
    const candidates = [join(dir, file), join(dir, file.split('/')[1]!)];
    const hit = candidates.find((c) => existsSync(c));
    if (hit) found[key] = hit;
    else missing.push(file);
  }
  if (missing.length > 0) throw new ImplementationError(`--impl ${spec}: missing ${missing.join(', ')} (looked in ${relative(process.cwd(), dir) || '.'})`);
  const modules: Record<string, unknown> = {};
  for (const [key, path] of Object.entries(found)) {
    try {
      modules[key] = await import(pathToFileURL(path!).href);
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0] ?? '';
      const hint = /lib\/index/.test(reason) ? ` (its import of lib/ must resolve: keep the folder's NN-slug/ files two levels below a copy of the kit, as in exercises/)` : '';
      throw new ImplementationError(`--impl ${spec}: cannot load ${relative(process.cwd(), path!)}: ${reason}${hint}`);
    }
  }
  for (const [key, names] of Object.entries(EXPORTS) as [keyof Modules, readonly string[]][]) {
    const module = modules[key] as Record<string, unknown>;
    const absent = names.filter((name) => typeof module[name] !== 'function');
    if (absent.length > 0) {
      throw new ImplementationError(`--impl ${spec}: ${relative(process.cwd(), found[key]!)} does not export ${absent.join(', ')}`);
    }
  }
  const label = spec === 'exercises' ? 'your exercises (exercises/)' : `the submission in ${spec}`;
  return assemble(label, modules as unknown as Modules);
}
