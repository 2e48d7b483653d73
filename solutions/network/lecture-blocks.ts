/**
 * The second half of the lecture's exercises the trainer runs: babysitting checks (07) for
 * `--sanity`, hyperparameter search (08) for `--search`, PReLU and maxout (10) for
 * `--activation prelu | maxout`. Like `building-blocks.ts`, the reference solutions by default, or a
 * student's own with `--impl`; only the exercises a run uses are loaded, so a course that assigns
 * 01–06 alone trains as before.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Tensor } from '../../lib/index.ts';
import * as babysitting from '../07-babysitting/babysitting.ts';
import * as hyperparameterSearch from '../08-hyperparameter-search/hyperparameter-search.ts';
import * as preluMaxout from '../10-prelu-maxout/prelu-maxout.ts';
import { ImplementationError } from './building-blocks.ts';

/** Exercise 07's functions, as the sanity checks call them. */
export type Babysitting = Pick<typeof babysitting, 'checkInitialLoss' | 'checkRegularization' | 'overfitSmallData' | 'updateToWeightRatio' | 'updateRatioVerdict' | 'diagnoseTraining'>;
/** Exercise 08's functions, as the search calls them. */
export type HyperparameterSearch = Pick<typeof hyperparameterSearch, 'randomSearch' | 'coarseToFine' | 'rankTrials'>;
/** Exercise 10's functions, with open caches (each implementation's own design). */
export interface LearnedActivations {
  preluForward(x: Tensor, alpha: Tensor): { out: Tensor; cache: unknown };
  preluBackward(dout: Tensor, cache: unknown): { dx: Tensor; dalpha: Tensor };
  maxoutForward(x: Tensor, W: Tensor, b: Tensor): { out: Tensor; cache: unknown };
  maxoutBackward(dout: Tensor, cache: unknown): { dx: Tensor; dW: Tensor; db: Tensor };
}

export interface LectureBlocks {
  babysitting: Babysitting;
  search: HyperparameterSearch;
  learned: LearnedActivations;
}

export const LECTURE_REFERENCE: LectureBlocks = {
  babysitting,
  search: hyperparameterSearch,
  learned: { ...preluMaxout } as unknown as LearnedActivations,
};

const FILES = {
  babysitting: { file: '07-babysitting/babysitting.ts', exports: ['checkInitialLoss', 'checkRegularization', 'overfitSmallData', 'updateToWeightRatio', 'updateRatioVerdict', 'diagnoseTraining'] },
  search: { file: '08-hyperparameter-search/hyperparameter-search.ts', exports: ['randomSearch', 'coarseToFine', 'rankTrials'] },
  learned: { file: '10-prelu-maxout/prelu-maxout.ts', exports: ['preluForward', 'preluBackward', 'maxoutForward', 'maxoutBackward'] },
} as const;

/**
 * The exercises `needs` names from the implementation `spec` ('solutions', 'exercises' or a
 * submission folder, as `--impl` takes it); everything else stays the reference.
 * @throws ImplementationError naming a missing file or export.
 */
export async function loadLectureBlocks(spec: string, root: string, needs: readonly (keyof LectureBlocks)[]): Promise<LectureBlocks> {
  if (spec === 'solutions' || spec === 'reference' || needs.length === 0) return LECTURE_REFERENCE;
  const dir = spec === 'exercises' ? join(root, 'exercises') : isAbsolute(spec) ? spec : resolve(spec);
  const blocks: Record<string, unknown> = { ...LECTURE_REFERENCE };
  for (const need of needs) {
    const { file, exports } = FILES[need];
    const path = [join(dir, file), join(dir, file.split('/')[1]!)].find((p) => existsSync(p));
    if (!path) throw new ImplementationError(`--impl ${spec}: missing ${file} (looked in ${relative(process.cwd(), dir) || '.'})`);
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (error) {
      throw new ImplementationError(`--impl ${spec}: cannot load ${relative(process.cwd(), path)}: ${(error as Error).message.split('\n')[0]}`);
    }
    const absent = exports.filter((name) => typeof module[name] !== 'function');
    if (absent.length > 0) throw new ImplementationError(`--impl ${spec}: ${relative(process.cwd(), path)} does not export ${absent.join(', ')}`);
    blocks[need] = module;
  }
  return blocks as unknown as LectureBlocks;
}
