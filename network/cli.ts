/**
 * The standalone trainer behind `npm run train`: data, preprocessing (exercise 06), the model,
 * the lecture's babysitting tools, training with a progress bar, checkpoints and the HTML report.
 * `main` takes the arguments and an output sink and returns the exit code, so tests run it
 * in-process; `train.ts` is the executable entry point.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { formatNumber, isNotImplementedError, type Tensor } from '../lib/index.ts';
import { setGemmThreads, startGemmThreads, gemmThreads } from './gemm-threads.ts';
import { randomTranslate, type ImageLayout } from './augment.ts';
import { defaultImplementation, ImplementationError, KIT_ROOT, loadBuildingBlocks, PARTS, type BuildingBlocks } from './building-blocks.ts';
import { CheckpointError, loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { parseTrainArgs, UsageError, USAGE, type TrainConfig } from './cli-args.ts';
import { ConvNet, resolveConvOptions, type ConvNetOptions } from './convnet.ts';
import { DatasetError, loadCifar10 } from './data/cifar10.ts';
import { head, type Dataset, type Split } from './data/dataset.ts';
import { loadMnist } from './data/mnist.ts';
import { FullyConnectedNet, resolveFcOptions, type FullyConnectedNetOptions } from './fc-net.ts';
import { isLearnedActivation, LearnedActivationNet, resolveLearnedOptions, type LearnedActivationNetOptions } from './learned-activation-net.ts';
import { lecturePart, lecturePartsFor } from './lecture-blocks.ts';
import { accuracy, predict, type Model } from './model.ts';
import { OPTIMIZER_DEFAULTS, type OptimConfig } from './optim.ts';
import { advice, probeBlocks, type ProbeNeeds } from './probe.ts';
import { trainingReport, type CheckLine, type SearchPoint, type TrainingRecord } from './report/training-report.ts';
import { writePage } from './report/page.ts';
import { runSanityChecks, type ModelOverrides } from './sanity.ts';
import { randomSearch } from './search.ts';
import { Solver, type SolverSnapshot } from './solver.ts';

export const ROOT = KIT_ROOT;

/** Where the trainer writes: lines for stdout and stderr, and the stream the progress bar draws on. */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** A TTY stream for the progress bar, or null for none (tests, pipes). */
  progress: NodeJS.WriteStream | null;
}

export function processIo(): Io {
  // `npm run train | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
  process.stdout.once('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    progress: process.stderr.isTTY ? process.stderr : null,
  };
}

export type ModelSpec = { kind: 'fc'; options: FullyConnectedNetOptions | LearnedActivationNetOptions } | { kind: 'conv'; options: ConvNetOptions };

/** An fc spec whose activation learns (exercise 10). */
const learns = (options: FullyConnectedNetOptions | LearnedActivationNetOptions): options is LearnedActivationNetOptions => isLearnedActivation(options.activation);

/** How a run trains, saved in checkpoints so `--resume` continues with the same settings. */
export interface TrainingSettings {
  updateRule: TrainConfig['optim'];
  optimConfig: Partial<OptimConfig>;
  lrDecay: number;
  batchSize: number;
  augment: number;
  seed: string;
}

/** The same architecture with some options changed. */
export function withOverrides(spec: ModelSpec, overrides: ModelOverrides): ModelSpec {
  return spec.kind === 'fc' ? { kind: 'fc', options: { ...spec.options, ...overrides } } : { kind: 'conv', options: { ...spec.options, ...overrides } };
}

/** Builds the model a spec describes, from the given building blocks (exercise 10's too, for PReLU and maxout). */
export function buildModel(spec: ModelSpec, blocks: BuildingBlocks): Model {
  if (spec.kind === 'conv') return new ConvNet(spec.options, blocks);
  return learns(spec.options) ? new LearnedActivationNet(spec.options, blocks, lecturePart(blocks, 'learned')) : new FullyConnectedNet(spec.options, blocks);
}

/** The model spec for a configuration and a dataset's image shape `[H, W, C]`. */
export function specFromConfig(config: TrainConfig, image: readonly [number, number, number]): ModelSpec {
  const [H, W, C] = image;
  const { activation } = config;
  const common = { initializer: config.init, weightScale: config.weightScale, reg: config.reg, seed: config.seed };
  if (config.model === 'fc') {
    const fc = { inputDim: H * W * C, hiddenDims: config.hidden, numClasses: 10, normalization: config.norm === 'groupnorm' ? 'none' : config.norm, dropoutKeepRatio: config.dropout, ...common } as const;
    return { kind: 'fc', options: isLearnedActivation(activation) ? { ...fc, activation } : { ...fc, activation } };
  }
  if (isLearnedActivation(activation)) throw new UsageError(`--activation ${activation} is for --model fc`);
  return {
    kind: 'conv',
    options: {
      inputShape: [C, H, W],
      blocks: config.conv.map((filters) => ({ filters, size: config.kernel })),
      hiddenDims: config.hidden,
      numClasses: 10,
      normalization: config.norm === 'groupnorm' ? 'groupnorm' : 'none',
      groups: config.groups,
      dropoutKeepRatio: config.dropout,
      activation,
      ...common,
    },
  };
}

/** Images `[N, H, W, C]` in the model's layout: rows `[N, H·W·C]` for fc, `[N, C, H, W]` for conv. */
export function toModelLayout(x: Tensor, kind: ModelSpec['kind']): Tensor {
  const [N, H, W, C] = x.shape as [number, number, number, number];
  if (kind === 'fc') return { shape: [N, H * W * C], data: x.data };
  const out = new Float64Array(x.data.length);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) out[(n * C + c) * H * W + p] = x.data[(n * H * W + p) * C + c]!;
  }
  return { shape: [N, C, H, W], data: out };
}

/** The training mean `[H, W, C]` or `[C]` as one value per input position, in the model's layout. */
function meanPerInput(mean: Tensor, image: readonly [number, number, number], kind: ModelSpec['kind']): Float64Array {
  const [H, W, C] = image;
  const hwc = new Float64Array(H * W * C);
  for (let k = 0; k < hwc.length; k++) hwc[k] = mean.data[k % mean.data.length]!;
  return toModelLayout({ shape: [1, H, W, C], data: hwc }, kind).data;
}

interface Prepared {
  dataset: Dataset;
  image: [number, number, number];
  train: Split;
  val: Split;
  test: Split;
  mean: Tensor;
}

/** Loads the dataset and preprocesses it with exercise 06 (statistics from the training split only). */
function prepareData(config: TrainConfig, blocks: BuildingBlocks, kind: ModelSpec['kind']): Prepared {
  let dataset = config.data === 'mnist' ? loadMnist() : loadCifar10(config.path!, config.limit !== null ? { limit: config.limit } : {});
  if (config.limit !== null && dataset.train.y.length > config.limit) dataset = { ...dataset, train: head(dataset.train, config.limit) };
  const [, H, W, C] = dataset.train.x.shape as [number, number, number, number];
  // --center none: the pixels as they are, for training before exercise 06 is done.
  const pre =
    config.center === 'none'
      ? { train: dataset.train.x, val: dataset.val.x, test: dataset.test.x, mean: { shape: [C], data: new Float64Array(C) } }
      : blocks.preprocess({ train: dataset.train.x, val: dataset.val.x, test: dataset.test.x }, { center: config.center });
  return {
    dataset,
    image: [H, W, C],
    train: { x: toModelLayout(pre.train, kind), y: dataset.train.y },
    val: { x: toModelLayout(pre.val, kind), y: dataset.val.y },
    test: { x: toModelLayout(pre.test, kind), y: dataset.test.y },
    mean: pre.mean,
  };
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const thousands = (v: number): string => Math.round(v).toLocaleString('en-US');

function describeModel(spec: ModelSpec): string {
  if (spec.kind === 'fc') {
    const o = spec.options;
    const dims = [o.inputDim, ...o.hiddenDims, o.numClasses].join('-');
    return `fc ${dims} · ${o.activation} · norm ${o.normalization} · dropout keep ${o.dropoutKeepRatio} · ${o.initializer} init · reg ${formatNumber(o.reg ?? 0, 3)}`;
  }
  const o = spec.options;
  const blocks = o.blocks.map((b) => `conv${b.size}×${b.size}(${b.filters})`).join(' → ');
  return `conv ${blocks}${o.hiddenDims?.length ? ` → fc ${o.hiddenDims.join('-')}` : ''} → 10 · ${o.normalization}${o.normalization === 'groupnorm' ? ` G=${o.groups}` : ''} · ${o.activation} · dropout keep ${o.dropoutKeepRatio ?? 1} · ${o.initializer} init · reg ${formatNumber(o.reg ?? 0, 3)}`;
}

const CENTERING: Record<TrainConfig['center'], string> = { image: 'centred on the mean image', channel: 'centred on the channel means', none: 'not centred (--center none)' };

/** Which code ran each part of the network, for the report: the exercise files used, then the kit's own layers. */
function builtFrom(blocks: BuildingBlocks, needs: ProbeNeeds, spec: ModelSpec): [string, string][] {
  const from = (part: keyof BuildingBlocks['files']): string => (blocks.reference ? `reference solution (${blocks.files[part]})` : (blocks.files[part] ?? '?'));
  const o = spec.options;
  const rows: [string, string][] = [
    needs.learned ? [`activation: ${needs.learned} (exercise 10)`, from('learned')] : [`activation: ${o.activation ?? 'relu'} (exercise 01)`, from('activations')],
  ];
  rows.push([`weight initialization: ${o.initializer ?? 'he'} (exercise 02)`, from('weightInit')]);
  if (o.normalization === 'batchnorm') rows.push(['batch normalization (exercise 03)', from('batchnorm')]);
  if (o.normalization === 'layernorm' || o.normalization === 'groupnorm') rows.push([`${o.normalization === 'layernorm' ? 'layer' : 'group'} normalization (exercise 04)`, from('groupnorm')]);
  if (needs.sanity) rows.push(['gradient check of --sanity (exercise 05)', from('gradientCheck')]);
  rows.push([`preprocessing (exercise 06)`, needs.center === 'none' ? 'none (--center none)' : from('meanImage')]);
  if (needs.sanity) rows.push(['checks of --sanity and the diagnosis of the curves (exercise 07)', from('babysitting')]);
  if (needs.search) rows.push(['draws, narrowing and ranking of --search (exercise 08)', from('search')]);
  rows.push([`${spec.kind === 'conv' ? 'convolution, max pooling, ' : ''}affine layers, dropout, softmax loss, optimizer, data`, 'the kit (network/)']);
  return rows;
}

/** Confusion counts: rows true class, columns predicted. */
function confusion(predictions: Int32Array, y: Int32Array, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < y.length; i++) m[y[i]!]![predictions[i]!]!++;
  return m;
}

function timestamp(): string {
  const d = new Date();
  const p = (v: number): string => String(v).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/**
 * Runs the trainer. Returns the process exit code. `root` is the kit whose exercises/ and
 * solutions/ `--impl` names (tests point it at a copy laid out like the student kit).
 */
export async function main(argv: readonly string[], io: Io = processIo(), root = ROOT): Promise<number> {
  const started = performance.now();
  let config: TrainConfig;
  try {
    config = parseTrainArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`train: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (config.help) {
    io.out(USAGE);
    return 0;
  }
  try {
    return await run(config, io, started, root);
  } catch (error) {
    const userMistake =
      error instanceof UsageError || error instanceof DatasetError || error instanceof CheckpointError || error instanceof ImplementationError || isNotImplementedError(error);
    if (userMistake) {
      io.err(`train: ${(error as Error).message}`);
      return error instanceof UsageError ? 2 : 1;
    }
    throw error; // anything else is a bug in the kit: keep its stack trace
  }
}

async function run(config: TrainConfig, io: Io, started: number, root: string): Promise<number> {
  setGemmThreads(config.threads ?? gemmThreads().available);
  const threadsReady = startGemmThreads();

  // The checkpoint, when resuming, decides the architecture and the preprocessing.
  let checkpoint: Record<string, unknown> | null = null;
  if (config.resume !== null) checkpoint = loadCheckpoint(config.resume);
  const savedSpec = checkpoint?.['model'] as ModelSpec | undefined;
  const savedTraining = checkpoint?.['training'] as TrainingSettings | undefined;
  const savedData = checkpoint?.['data'] as { name: string; center: 'image' | 'channel'; limit: number | null } | undefined;
  if (checkpoint && (!savedSpec || !savedTraining || !savedData)) throw new CheckpointError(`${config.resume} is missing its model, training or data section`);
  if (savedData && savedData.name !== config.data) throw new UsageError(`the checkpoint was trained on ${savedData.name}; pass --data ${savedData.name}`);
  if (savedData) config = { ...config, center: savedData.center, limit: config.given.has('limit') ? config.limit : savedData.limit };
  if (checkpoint) {
    // The checkpoint fixes the architecture and how it trains; say so rather than silently ignoring flags.
    const fixed = ['model', 'hidden', 'conv', 'kernel', 'groups', 'activation', 'norm', 'dropout', 'init', 'weight-scale', 'optim', 'lr', 'lr-decay', 'reg', 'batch', 'augment', 'seed', 'center'];
    const ignored = fixed.filter((f) => config.given.has(f));
    if (ignored.length > 0) io.out(`note: ${ignored.map((f) => `--${f}`).join(', ')} ignored: a resumed run keeps the checkpoint's settings`);
  }
  const kind = savedSpec?.kind ?? config.model;

  const saved = savedSpec?.options;
  const activation = saved?.activation ?? config.activation;
  const needs: ProbeNeeds = {
    kind,
    activation: isLearnedActivation(activation) ? null : activation,
    learned: isLearnedActivation(activation) ? activation : null,
    norm: saved?.normalization ?? config.norm,
    init: saved?.initializer ?? config.init,
    center: config.center,
    sanity: config.sanity,
    search: config.search > 0,
  };
  // Exercises 07, 08 and 10 are loaded only when this run uses them.
  const lecture = lecturePartsFor({ sanity: needs.sanity, search: needs.search, learned: needs.learned !== null });
  const blocks = await loadBuildingBlocks(config.impl ?? defaultImplementation(root), root, lecture);
  if (!blocks.reference) {
    io.out(`implementation: ${blocks.source}`);
    // Where the kit has the reference (not in the student kit), every output is compared with it.
    const reference = defaultImplementation(root) === 'solutions' ? await loadBuildingBlocks('solutions', root, lecture) : null;
    const probes = probeBlocks(blocks, needs, reference);
    for (const p of probes) {
      io.out(`  ${p.status === 'ok' ? '✓' : p.status === 'differs' ? '!' : '✗'} ${p.name} (${PARTS[p.part].exercise}): ${p.detail}`);
      if (p.status !== 'ok') io.out(`      → ${advice(p, blocks, needs)}`);
    }
    const broken = probes.filter((p) => p.status === 'not-implemented' || p.status === 'error');
    if (broken.length > 0) {
      throw new ImplementationError(`${broken.length === 1 ? 'the part marked ✗ above is' : `the ${broken.length} parts marked ✗ above are`} not ready: see the → line${broken.length === 1 ? '' : 's'} for what to do`);
    }
    if (probes.some((p) => p.status === 'differs')) io.out(`  (training anyway: the parts marked ! ${reference ? 'disagree with the reference' : 'fail a check'}, so watch the loss)`);
  }

  const data = prepareData(config, blocks, kind);
  const { dataset, image } = data;
  let spec = savedSpec ?? specFromConfig(config, image);
  try {
    if (spec.kind === 'fc') (learns(spec.options) ? resolveLearnedOptions(spec.options) : resolveFcOptions(spec.options));
    else resolveConvOptions(spec.options);
  } catch (error) {
    // The options came from flags: a bad combination is the user's to fix, not a crash.
    throw new UsageError((error as Error).message);
  }
  io.out(
    `data: ${dataset.name} · ${thousands(data.train.y.length)} train / ${thousands(data.val.y.length)} val / ${thousands(data.test.y.length)} test · ${image.join('×')} · ${CENTERING[config.center]}`,
  );
  io.out(`model: ${describeModel(spec)}${blocks.reference ? '' : ` · built from ${blocks.source}`}`);
  await threadsReady;

  // --eval: the checkpoint on the test split, nothing else.
  if (config.eval) {
    const model = buildModel(spec, blocks);
    model.params = checkpoint!['params'] as Model['params'];
    model.state = (checkpoint!['state'] as Model['state']) ?? {};
    const predictions = predict(model, data.test.x);
    const acc = accuracy(predictions, data.test.y);
    io.out(`test accuracy: ${pct(acc)} (${thousands(data.test.y.length)} held-out images)`);
    const m = confusion(predictions, data.test.y, 10);
    io.out(`per class: ${m.map((row, c) => `${dataset.classes[c]} ${pct(row[c]! / Math.max(1, row.reduce((s, v) => s + v, 0)))}`).join(' · ')}`);
    return 0;
  }

  const training: TrainingSettings = savedTraining ?? {
    updateRule: config.optim,
    optimConfig: { ...OPTIMIZER_DEFAULTS[config.optim], learningRate: config.lr },
    lrDecay: config.lrDecay,
    batchSize: config.batch,
    augment: config.augment,
    seed: config.seed,
  };
  const build = (overrides: ModelOverrides): Model => buildModel(withOverrides(spec, overrides), blocks);
  const meanInput = meanPerInput(data.mean, image, kind);
  const layout: ImageLayout = { order: kind === 'fc' ? 'nhwc' : 'nchw', height: image[0], width: image[1], channels: image[2] };
  const augment = training.augment > 0 ? (x: Tensor, rng: Parameters<typeof randomTranslate>[4]) => randomTranslate(x, layout, meanInput, training.augment, rng) : undefined;
  const record: Partial<TrainingRecord> = {};

  // --sanity: the checks before training.
  if (config.sanity) {
    io.out('sanity checks:');
    const lines: CheckLine[] = runSanityChecks({
      buildModel: build,
      numClasses: 10,
      train: data.train,
      updateRule: training.updateRule,
      optimConfig: training.optimConfig,
      seed: config.seed,
      gradCheckSparse: blocks.gradCheckSparse,
      babysitting: lecturePart(blocks, 'babysitting'),
    });
    for (const l of lines) io.out(`  ${l.passed ? 'PASS' : 'FAIL'}  ${l.name}: ${l.detail}`);
    const failed = lines.filter((l) => !l.passed).length;
    io.out(`sanity: ${lines.length - failed}/${lines.length} passed`);
    record.sanity = lines;
    if (failed > 0) {
      io.err('train: sanity checks failed; fix these before training (see the lines above)');
      return 1;
    }
  }

  // --search N: short trials, ranked; then train the best.
  let search: SearchPoint[] | undefined;
  if (config.search > 0) {
    const subset = head(data.train, config.searchSize);
    const lr0 = training.optimConfig.learningRate ?? config.lr;
    const ranges = { learningRate: [lr0 / 30, lr0 * 30] as const, reg: [1e-6, 1e-1] as const };
    io.out(
      `random search: ${config.search} trials × ${config.searchEpochs} epoch(s) on ${thousands(subset.y.length)} training images · lr ${ranges.learningRate[0].toExponential(0)}…${ranges.learningRate[1].toExponential(0)}, reg 1e-6…1e-1, log-uniform; fine trials around the best 3 coarse`,
    );
    search = randomSearch(
      (learningRate, reg) => {
        const trial = new Solver(build({ reg }), { train: subset, val: data.val }, {
          updateRule: training.updateRule,
          optimConfig: { ...training.optimConfig, learningRate },
          lrDecay: training.lrDecay,
          batchSize: training.batchSize,
          numEpochs: config.searchEpochs,
          seed: training.seed,
          ...(augment ? { augment } : {}),
        });
        trial.train();
        return trial.diverged ? 0 : trial.bestValAcc;
      },
      { trials: config.search, ranges, seed: training.seed, search: lecturePart(blocks, 'search') },
      (p, i, n) => io.out(`  trial ${String(i).padStart(String(n).length)}/${n}  ${p.stage.padEnd(6)}  lr ${p.learningRate.toExponential(2)}  reg ${p.reg.toExponential(2)}  val ${pct(p.valAcc)}`),
    );
    io.out('ranked:');
    io.out('  rank  stage   learning rate  reg        val acc');
    search.slice(0, 10).forEach((p, i) => io.out(`  ${String(i + 1).padStart(4)}  ${p.stage.padEnd(6)}  ${p.learningRate.toExponential(2).padEnd(13)}  ${p.reg.toExponential(2).padEnd(9)}  ${pct(p.valAcc)}`));
    const best = search[0]!;
    io.out(`best: lr ${best.learningRate.toExponential(2)}, reg ${best.reg.toExponential(2)} → training it on the full training split`);
    training.optimConfig = { ...training.optimConfig, learningRate: best.learningRate };
    spec = withOverrides(spec, { reg: best.reg });
    record.search = search;
  }

  // Training.
  const model = buildModel(spec, blocks);
  const numEpochs = config.epochs;
  const barFormat = 'epoch {epoch} {bar} {percentage}% | loss {loss} | {speed} samples/s';
  const bar = io.progress
    ? new cliProgress.SingleBar({ format: barFormat, stream: io.progress, barsize: 24, hideCursor: true, clearOnComplete: true, fps: 8 }, cliProgress.Presets.shades_classic)
    : null;
  const solver = new Solver(model, { train: data.train, val: data.val }, {
    updateRule: training.updateRule,
    optimConfig: training.optimConfig,
    lrDecay: training.lrDecay,
    batchSize: training.batchSize,
    numEpochs,
    seed: training.seed,
    ...(augment ? { augment } : {}),
    onStep: (s) => {
      if (!bar) return;
      const payload = { epoch: `${s.epoch}/${numEpochs}`, loss: s.loss.toFixed(4), speed: thousands(s.samples / Math.max(s.elapsed, 1e-9)) };
      if (s.batch === 0) bar.start(s.batchesPerEpoch, 1, payload);
      else bar.update(s.batch + 1, payload);
    },
    onEpoch: (e) => {
      bar?.stop();
      const width = String(e.numEpochs).length;
      io.out(
        `epoch ${String(e.epoch).padStart(width)}/${e.numEpochs}  loss ${e.loss.toFixed(4)}  train ${pct(e.trainAcc)}  val ${pct(e.valAcc)}  lr ${e.learningRate.toExponential(1)}  ${e.seconds.toFixed(1)} s  ${thousands(e.samplesPerSecond)} samples/s${e.improved ? '  *' : ''}`,
      );
    },
  });
  if (checkpoint) {
    solver.restore(checkpoint['solver'] as SolverSnapshot);
    io.out(`resumed from ${config.resume} at epoch ${solver.epoch} (best val ${pct(solver.bestValAcc)} at epoch ${solver.bestEpoch})`);
    if (solver.epoch >= numEpochs) io.out(`nothing to train: the checkpoint already has ${solver.epoch} epochs; pass --epochs N with N > ${solver.epoch} to continue`);
  }
  io.out(
    `training: ${training.updateRule} lr ${(training.optimConfig.learningRate ?? NaN).toExponential(1)} (×${training.lrDecay}/epoch) · batch ${training.batchSize} · ${numEpochs} epochs · augment ±${training.augment} px · seed ${training.seed} · ${gemmThreads().current} thread(s)`,
  );
  const trainStart = performance.now();
  solver.train();
  const trainMs = performance.now() - trainStart;
  bar?.stop();
  if (solver.diverged) {
    io.err(`train: the loss became ${solver.lossHistory.at(-1)} in epoch ${solver.diverged.epoch} (batch ${solver.diverged.batch + 1}): the learning rate is too high — try --lr ${((training.optimConfig.learningRate ?? 1e-3) / 10).toExponential(0)}`);
  }

  // Test split, once, with the best-validation parameters.
  const predictions = predict(model, data.test.x);
  const testAcc = accuracy(predictions, data.test.y);
  io.out(`best val ${pct(solver.bestValAcc)} at epoch ${solver.bestEpoch} (its parameters are kept)`);
  io.out(`test accuracy: ${pct(testAcc)} on ${thousands(data.test.y.length)} held-out images`);
  if (config.sanity && solver.lossHistory.length >= 10) {
    const d = lecturePart(blocks, 'babysitting').diagnoseTraining({ loss: solver.lossHistory, trainAcc: solver.trainAccHistory, valAcc: solver.valAccHistory });
    io.out(`diagnosis: ${d.diagnosis} (loss ${d.start.toFixed(3)} → ${d.end.toFixed(3)}, train − val accuracy ${pct(d.firstGap)} → ${pct(d.lastGap)})`);
  }

  if (config.save !== null) {
    saveCheckpoint(config.save, {
      model: spec,
      training,
      data: { name: dataset.name, center: config.center, limit: config.limit },
      params: model.params,
      state: model.state,
      solver: solver.snapshot(),
      result: { testAcc, bestValAcc: solver.bestValAcc, bestEpoch: solver.bestEpoch },
    });
    io.out(`saved: ${config.save}`);
  }

  const name = config.name ?? `${kind}-${dataset.name}-${timestamp()}`;
  const outDir = config.out ?? join('runs', name);
  const wall = performance.now() - started;
  const batchesPerEpoch = Math.max(1, Math.floor(data.train.y.length / training.batchSize));
  // A maxout layer's W1 is [k, D, H]: show its first piece.
  const W1 = model.params['W1']!;
  const firstW = spec.kind === 'fc' && W1.shape.length === 3 ? { shape: W1.shape.slice(1), data: W1.data.subarray(0, W1.shape[1]! * W1.shape[2]!) } : W1;
  const report: TrainingRecord = {
    title: `gradlab training report · ${name}`,
    subtitle: `${describeModel(spec)} · ${dataset.name}`,
    summary: [
      ['test accuracy', `${pct(testAcc)} (${thousands(data.test.y.length)} held-out images, best-validation parameters)`],
      ['best validation accuracy', `${pct(solver.bestValAcc)} at epoch ${solver.bestEpoch}`],
      ['data', `${dataset.name}: ${thousands(data.train.y.length)} train / ${thousands(data.val.y.length)} val / ${thousands(data.test.y.length)} test, ${image.join('×')}`],
      ['model', describeModel(spec)],
      ['optimizer', `${training.updateRule}, lr ${(training.optimConfig.learningRate ?? NaN).toExponential(2)}, decay ×${training.lrDecay} per epoch, batch ${training.batchSize}`],
      ['augmentation', training.augment > 0 ? `random shifts up to ±${training.augment} px` : 'none'],
      ['epochs', `${solver.epoch}${solver.diverged ? ' (stopped: the loss diverged)' : ''}`],
      ['time', `${seconds(trainMs)} training, ${seconds(wall)} wall`],
      ['seed', training.seed],
    ],
    lossHistory: solver.lossHistory,
    batchesPerEpoch,
    trainAccHistory: solver.trainAccHistory,
    valAccHistory: solver.valAccHistory,
    lrHistory: solver.lrHistory,
    bestEpoch: solver.bestEpoch,
    builtFrom: builtFrom(blocks, needs, spec),
    ...(record.sanity ? { sanity: record.sanity } : {}),
    ...(search ? { search } : {}),
    firstLayer: spec.kind === 'fc' ? { kind: 'affine', w: firstW, image } : { kind: 'conv', w: firstW },
    confusion: { classes: dataset.classes, counts: confusion(predictions, data.test.y, 10) },
  };
  writePage(join(outDir, 'report.html'), trainingReport(report));
  writeFileSync(
    join(outDir, 'metrics.json'),
    JSON.stringify({ testAcc, bestValAcc: solver.bestValAcc, bestEpoch: solver.bestEpoch, trainAcc: solver.trainAccHistory, valAcc: solver.valAccHistory, lr: solver.lrHistory, loss: solver.lossHistory, search: search ?? null, trainSeconds: trainMs / 1000, wallSeconds: wall / 1000 }, null, 1),
  );
  io.out(`report: ${join(outDir, 'report.html')}`);
  io.out(`wall time: ${seconds(performance.now() - started)}`);
  return solver.diverged ? 1 : 0;
}
