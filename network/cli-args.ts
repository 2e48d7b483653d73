/**
 * The trainer's command line: flags, their defaults, and the checks that turn a user's typo into
 * one clear line instead of a stack trace.
 */
import { parseArgs } from 'node:util';
import { ACTIVATIONS, INITIALIZERS, type ActivationName, type InitializerName } from './building-blocks.ts';
import { isLearnedActivation, LEARNED_ACTIVATIONS, type LearnedActivationName } from './learned-activation-net.ts';
import { OPTIMIZERS, type OptimizerName } from './optim.ts';

/** A mistake in how the trainer was called or what it was pointed at: reported as one line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type ModelKind = 'fc' | 'conv';
export type NormName = 'none' | 'batchnorm' | 'layernorm' | 'groupnorm';

export interface TrainConfig {
  data: 'mnist' | 'cifar10';
  path: string | null;
  limit: number | null;
  center: 'image' | 'channel' | 'none';
  model: ModelKind;
  hidden: number[];
  conv: number[];
  kernel: number;
  groups: number;
  activation: ActivationName | LearnedActivationName;
  norm: NormName;
  dropout: number;
  init: InitializerName;
  weightScale: number;
  optim: OptimizerName;
  lr: number;
  lrDecay: number;
  reg: number;
  batch: number;
  epochs: number;
  augment: number;
  seed: string;
  save: string | null;
  resume: string | null;
  eval: boolean;
  sanity: boolean;
  search: number;
  searchEpochs: number;
  searchSize: number;
  /** null: the default, see `defaultImplementation`. */
  impl: string | null;
  name: string | null;
  out: string | null;
  threads: number | null;
  help: boolean;
  /** Flags the user actually gave (to tell a default from a choice). */
  given: ReadonlySet<string>;
}

/** Defaults per architecture: chosen so that `npm run train` trains well out of the box. */
export const DEFAULTS = {
  fc: { hidden: [512], norm: 'batchnorm', lrDecay: 0.85, reg: 0, batch: 100, epochs: 10, augment: 2, dropout: 1 },
  conv: { hidden: [128], norm: 'groupnorm', lrDecay: 0.85, reg: 0, batch: 50, epochs: 10, augment: 2, dropout: 1 },
} as const;

/** The default learning rate for each update rule (with batch norm and batches of 50–100). */
export const DEFAULT_LR: Record<OptimizerName, number> = { sgd: 5e-2, sgdMomentum: 1e-2, nesterov: 1e-2, rmsprop: 1e-3, adam: 2e-3 };

const FLAGS = {
  data: { type: 'string' },
  path: { type: 'string' },
  limit: { type: 'string' },
  center: { type: 'string' },
  model: { type: 'string' },
  hidden: { type: 'string' },
  conv: { type: 'string' },
  kernel: { type: 'string' },
  groups: { type: 'string' },
  activation: { type: 'string' },
  norm: { type: 'string' },
  dropout: { type: 'string' },
  init: { type: 'string' },
  'weight-scale': { type: 'string' },
  optim: { type: 'string' },
  lr: { type: 'string' },
  'lr-decay': { type: 'string' },
  reg: { type: 'string' },
  batch: { type: 'string' },
  epochs: { type: 'string' },
  augment: { type: 'string' },
  seed: { type: 'string' },
  save: { type: 'string' },
  resume: { type: 'string' },
  eval: { type: 'boolean' },
  sanity: { type: 'boolean' },
  search: { type: 'string' },
  'search-epochs': { type: 'string' },
  'search-size': { type: 'string' },
  impl: { type: 'string' },
  name: { type: 'string' },
  out: { type: 'string' },
  threads: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const USAGE = `Usage: npm run train -- [flags]

Trains a network on the MNIST digits that ship with the kit (or CIFAR-10 from a folder), prints a
line per epoch, the held-out test accuracy, and writes runs/<name>/report.html.

Data
  --data mnist|cifar10      dataset (default mnist: 8,000 train / 1,000 val / 1,000 test digits)
  --path <dir>              CIFAR-10 binary folder (data_batch_1.bin … test_batch.bin)
  --limit <n>               use at most n training images (quick runs; CIFAR-10 is large)
  --center image|channel|none  subtract the mean image or the per-channel mean (default image), or
                            nothing (trains before exercise 06 is done)
  --augment <pixels>        random shifts of up to this many pixels (default 2; 0 = off)
Model
  --model fc|conv           fully connected net (default) or the small ConvNet
  --hidden 512,256          hidden layer sizes (fc default 512; conv: affine layers after the convs, default 128)
  --conv 16,32              conv blocks: filters per block (default 16,32), each conv → norm → act → 2×2 pool
  --kernel 3|5              conv filter size (default 3)
  --groups <G>              groups for group norm (default 4)
  --activation ${ACTIVATIONS.join('|')}   (default relu)
  --activation ${LEARNED_ACTIVATIONS.join('|')}   activations that learn (exercise 10; --model fc): PReLU slopes, or maxout of 2 pieces
  --norm none|batchnorm|layernorm (fc, default batchnorm) · none|groupnorm (conv, default groupnorm)
  --dropout <keep ratio>    probability of keeping a hidden unit, (0, 1] (default 1 = off)
  --init ${INITIALIZERS.join('|')}       weight initializer (default he)
  --weight-scale <s>        scale of the 'small' initializer (default 0.01)
Training
  --optim ${OPTIMIZERS.join('|')}   (default adam)
  --lr <rate>               learning rate (default: adam 2e-3, rmsprop 1e-3, sgdMomentum/nesterov 1e-2, sgd 5e-2)
  --lr-decay <factor>       multiply the learning rate by this after each epoch (default 0.85)
  --reg <strength>          L2 regularization, loss += 0.5·reg·ΣW² (default 0)
  --batch <n>               minibatch size (fc 100, conv 50)
  --epochs <n>              epochs (fc 10, conv 10)
  --seed <s>                seed for initialization, shuffling, dropout (default 0): same seed, same numbers
  --threads <n>             threads for matrix products (default: all cores)
Babysitting
  --sanity                  run the lecture's checks first (initial loss, regularization, gradients, overfit 50)
  --search <N>              random search over lr and reg (N short trials, coarse then fine), then train the best
  --search-epochs <n>       epochs per search trial (default 1)
  --search-size <n>         training images per search trial (default 2000)
Checkpoints and output
  --save <file.json>        save the trained model and the solver state
  --resume <file.json>      continue training from a checkpoint (--epochs is the new total)
  --eval                    with --resume: evaluate the checkpoint on the test split, no training
  --impl solutions|exercises|<dir>   build the network from the reference solutions (the default
                            where the kit has them), from your exercises/ (the default in the
                            student kit), or from a submission folder (NN-slug/file.ts)
  --name <run>              report folder name under runs/ (default <model>-<data>-<time>)
  --out <dir>               report folder (default runs/<name>)
  -h, --help                this help
`;

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

function numberFlag(flag: string, value: string | undefined, fallback: number, rule: { integer?: boolean; min?: number; max?: number; above?: number }): number {
  if (value === undefined) return fallback;
  const v = Number(value);
  const kind = rule.integer ? 'an integer' : 'a number';
  if (value.trim() === '' || !Number.isFinite(v) || (rule.integer && !Number.isInteger(v))) throw new UsageError(`--${flag} must be ${kind}, got '${value}'`);
  if (rule.min !== undefined && v < rule.min) throw new UsageError(`--${flag} must be ≥ ${rule.min}, got ${value}`);
  if (rule.above !== undefined && v <= rule.above) throw new UsageError(`--${flag} must be > ${rule.above}, got ${value}`);
  if (rule.max !== undefined && v > rule.max) throw new UsageError(`--${flag} must be ≤ ${rule.max}, got ${value}`);
  return v;
}

function listFlag(flag: string, value: string | undefined, fallback: readonly number[]): number[] {
  if (value === undefined) return [...fallback];
  if (value.trim() === '' || value.trim() === 'none') return [];
  return value.split(',').map((part) => {
    const v = Number(part.trim());
    if (!Number.isInteger(v) || v < 1) throw new UsageError(`--${flag} must be a comma-separated list of positive integers (e.g. 512,256), got '${value}'`);
    return v;
  });
}

/**
 * Parses the trainer's arguments.
 * @throws UsageError for an unknown flag, a missing value or a bad value.
 */
export function parseTrainArgs(argv: readonly string[]): TrainConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
    const flag = quoted.split(' ')[0];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown flag ${flag} (see --help)`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`${flag} needs a value (see --help)`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`unexpected argument '${quoted}' (flags start with --; see --help)`);
    throw new UsageError(message.split('\n')[0] ?? 'bad arguments');
  }
  const str = (k: string): string | undefined => values[k] as string | undefined;
  const given = new Set(Object.keys(values));
  const model = oneOf('model', str('model'), ['fc', 'conv'] as const, 'fc');
  const d = DEFAULTS[model];
  const optim = oneOf('optim', str('optim') === 'momentum' ? 'sgdMomentum' : str('optim'), OPTIMIZERS, 'adam');
  const norms: readonly NormName[] = model === 'fc' ? ['none', 'batchnorm', 'layernorm'] : ['none', 'groupnorm'];
  const config: TrainConfig = {
    data: oneOf('data', str('data'), ['mnist', 'cifar10'] as const, 'mnist'),
    path: str('path') ?? null,
    limit: str('limit') === undefined ? null : numberFlag('limit', str('limit'), 0, { integer: true, min: 10 }),
    center: oneOf('center', str('center'), ['image', 'channel', 'none'] as const, 'image'),
    model,
    hidden: listFlag('hidden', str('hidden'), d.hidden),
    conv: listFlag('conv', str('conv'), [16, 32]),
    kernel: numberFlag('kernel', str('kernel'), 3, { integer: true, min: 1 }),
    groups: numberFlag('groups', str('groups'), 4, { integer: true, min: 1 }),
    activation: oneOf('activation', str('activation'), [...ACTIVATIONS, ...LEARNED_ACTIVATIONS], 'relu'),
    norm: oneOf('norm', str('norm'), norms, d.norm),
    dropout: numberFlag('dropout', str('dropout'), d.dropout, { above: 0, max: 1 }),
    init: oneOf('init', str('init'), INITIALIZERS, 'he'),
    weightScale: numberFlag('weight-scale', str('weight-scale'), 1e-2, { above: 0 }),
    optim,
    lr: numberFlag('lr', str('lr'), DEFAULT_LR[optim], { above: 0 }),
    lrDecay: numberFlag('lr-decay', str('lr-decay'), d.lrDecay, { above: 0, max: 1 }),
    reg: numberFlag('reg', str('reg'), d.reg, { min: 0 }),
    batch: numberFlag('batch', str('batch'), d.batch, { integer: true, min: 1 }),
    epochs: numberFlag('epochs', str('epochs'), d.epochs, { integer: true, min: 0 }),
    augment: numberFlag('augment', str('augment'), d.augment, { integer: true, min: 0, max: 8 }),
    seed: str('seed') ?? '0',
    save: str('save') ?? null,
    resume: str('resume') ?? null,
    eval: values['eval'] === true,
    sanity: values['sanity'] === true,
    search: numberFlag('search', str('search'), 0, { integer: true, min: 1 }),
    searchEpochs: numberFlag('search-epochs', str('search-epochs'), 1, { integer: true, min: 1 }),
    searchSize: numberFlag('search-size', str('search-size'), 2000, { integer: true, min: 10 }),
    impl: str('impl') ?? null,
    name: str('name') ?? null,
    out: str('out') ?? null,
    threads: str('threads') === undefined ? null : numberFlag('threads', str('threads'), 1, { integer: true, min: 1, max: 64 }),
    help: values['help'] === true,
    given,
  };
  if (config.data === 'cifar10' && config.path === null) throw new UsageError('--data cifar10 needs --path <folder with data_batch_1.bin … test_batch.bin>');
  if (config.data === 'mnist' && config.path !== null) throw new UsageError('--path is for --data cifar10; the MNIST digits ship with the kit');
  if (config.eval && config.resume === null) throw new UsageError('--eval evaluates a saved model: pass it with --resume <checkpoint.json>');
  if (config.eval && (config.search > 0 || config.sanity)) throw new UsageError('--eval only evaluates; it cannot be combined with --search or --sanity');
  if (config.resume !== null && config.search > 0) throw new UsageError('--search trains a new model; it cannot be combined with --resume');
  if (config.model === 'conv' && isLearnedActivation(config.activation)) throw new UsageError(`--activation ${config.activation} is for --model fc`);
  if (config.model === 'fc' && given.has('conv')) throw new UsageError('--conv is for --model conv');
  if (config.name !== null && !/^[\w.-]+$/.test(config.name)) throw new UsageError(`--name must be letters, digits, '.', '-' or '_', got '${config.name}'`);
  return config;
}
