/**
 * The Solver, after CS231n's `solver.py`: minibatch training with an update rule, learning-rate
 * decay per epoch, loss and accuracy histories, and the best-validation parameters kept and
 * restored at the end.
 *
 * Differences from CS231n, on purpose: an epoch is a pass over a fresh permutation of the training
 * set (CS231n samples minibatches with replacement), and all randomness is derived from the seed
 * and the epoch number, so training stopped after any epoch and resumed from a snapshot gives the
 * same numbers as training straight through.
 */
import { createRng, type Rng, type Tensor } from '../lib/index.ts';
import { accuracy, predict, type Model, type Params } from './model.ts';
import { OPTIMIZER_DEFAULTS, UPDATE_RULES, type OptimConfig, type OptimizerName } from './optim.ts';
import { takeRows, type Split } from './data/dataset.ts';

/** The model's inputs: the training and validation splits, already in the model's layout. */
export interface SolverData {
  train: Split;
  val: Split;
}

export interface StepInfo {
  epoch: number;
  /** Minibatch index within the epoch, from 0. */
  batch: number;
  batchesPerEpoch: number;
  loss: number;
  /** Samples processed so far in this epoch. */
  samples: number;
  /** Seconds since the epoch started. */
  elapsed: number;
}

export interface EpochInfo {
  /** Epochs completed, from 1. */
  epoch: number;
  numEpochs: number;
  /** Mean minibatch loss over the epoch. */
  loss: number;
  trainAcc: number;
  valAcc: number;
  learningRate: number;
  seconds: number;
  /** Training samples per second during the epoch (forward, backward and update). */
  samplesPerSecond: number;
  improved: boolean;
}

export interface SolverOptions {
  /** 'sgd' (default), 'sgdMomentum', 'nesterov', 'rmsprop' or 'adam'. */
  updateRule?: OptimizerName;
  /** Hyperparameters for the rule; missing ones take CS231n's defaults. */
  optimConfig?: Partial<OptimConfig>;
  /** Multiply the learning rate by this after every epoch. Default 1. */
  lrDecay?: number;
  /** Default 100. */
  batchSize?: number;
  /** Default 10. */
  numEpochs?: number;
  /** Training samples used to estimate training accuracy after each epoch. Default 1000. */
  numTrainSamples?: number;
  /** Seeds the epoch permutations, dropout masks and accuracy subsamples. Default 0. */
  seed?: string | number;
  /** Applied to every training minibatch, e.g. random shifts (data augmentation). */
  augment?: (x: Tensor, rng: Rng) => Tensor;
  onStep?: (info: StepInfo) => void;
  onEpoch?: (info: EpochInfo) => void;
}

/** Everything needed to continue training exactly where it stopped (see `snapshot`). */
export interface SolverSnapshot {
  epoch: number;
  optimConfigs: Record<string, OptimConfig>;
  lossHistory: number[];
  trainAccHistory: number[];
  valAccHistory: number[];
  lrHistory: number[];
  bestValAcc: number;
  bestEpoch: number;
  bestParams: Params | null;
  bestState: Params | null;
  /** The parameters and state after the last completed epoch: where training continues. */
  lastParams: Params;
  lastState: Params;
}

const cloneParams = (p: Params): Params =>
  Object.fromEntries(Object.entries(p).map(([k, t]) => [k, { shape: [...t.shape], data: t.data.slice() }]));

export class Solver {
  readonly model: Model;
  readonly data: SolverData;
  readonly updateRule: OptimizerName;
  readonly lrDecay: number;
  readonly batchSize: number;
  readonly numEpochs: number;
  readonly numTrainSamples: number;
  readonly seed: string;
  private readonly options: SolverOptions;

  /** Epochs completed. */
  epoch = 0;
  /** One per-parameter config (hyperparameters + optimizer state), as CS231n keeps them. */
  optimConfigs: Record<string, OptimConfig>;
  /** Loss of every minibatch. */
  lossHistory: number[] = [];
  /** Accuracy after each epoch; index 0 is before training. */
  trainAccHistory: number[] = [];
  valAccHistory: number[] = [];
  /** The learning rate used during each epoch. */
  lrHistory: number[] = [];
  bestValAcc = -1;
  /** The epoch whose parameters are `bestParams` (0 = the initial ones). */
  bestEpoch = 0;
  bestParams: Params | null = null;
  bestState: Params | null = null;
  /** Set when the loss became NaN or infinite; training stops there. */
  diverged: { epoch: number; batch: number } | null = null;
  /** The parameters after the last completed epoch (`train` leaves the best ones in the model). */
  lastParams: Params;
  lastState: Params;

  constructor(model: Model, data: SolverData, options: SolverOptions = {}) {
    this.model = model;
    this.data = data;
    this.options = options;
    this.updateRule = options.updateRule ?? 'sgd';
    if (!(this.updateRule in UPDATE_RULES)) {
      throw new RangeError(`Solver: unknown update rule '${String(this.updateRule)}' (one of ${Object.keys(UPDATE_RULES).join(', ')})`);
    }
    this.lrDecay = options.lrDecay ?? 1;
    this.batchSize = options.batchSize ?? 100;
    this.numEpochs = options.numEpochs ?? 10;
    this.numTrainSamples = options.numTrainSamples ?? 1000;
    this.seed = String(options.seed ?? 0);
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError(`Solver: 'batchSize' must be a positive integer, got ${this.batchSize}`);
    if (!Number.isInteger(this.numEpochs) || this.numEpochs < 0) throw new RangeError(`Solver: 'numEpochs' must be a non-negative integer, got ${this.numEpochs}`);
    if (data.train.y.length === 0) throw new RangeError(`Solver: the training split is empty`);
    const config = { ...OPTIMIZER_DEFAULTS[this.updateRule], ...options.optimConfig };
    this.optimConfigs = Object.fromEntries(Object.keys(model.params).map((k) => [k, { ...config }]));
    this.lastParams = model.params;
    this.lastState = model.state;
  }

  /** The learning rate of the next step. */
  get learningRate(): number {
    return Object.values(this.optimConfigs)[0]?.learningRate ?? NaN;
  }

  /** One gradient step on a minibatch: loss, gradients, and the update rule on every parameter. */
  step(x: Tensor, y: Int32Array, rng?: Rng): number {
    const { loss, grads } = this.model.loss(x, y, rng);
    const rule = UPDATE_RULES[this.updateRule];
    const next: Params = {};
    for (const [name, w] of Object.entries(this.model.params)) {
      const dw = grads[name];
      if (dw === undefined) throw new Error(`Solver: the model returned no gradient for '${name}'`);
      const updated = rule(w, dw, this.optimConfigs[name]);
      next[name] = updated.w;
      this.optimConfigs[name] = updated.config;
    }
    this.model.params = next;
    return loss;
  }

  /** Test-mode accuracy on (a random subsample of at most `numSamples` of) a split. */
  checkAccuracy(split: Split, numSamples?: number, rng?: Rng): number {
    let part = split;
    if (numSamples !== undefined && split.y.length > numSamples) {
      const pick = (rng ?? createRng(this.seed)).permutation(split.y.length).slice(0, numSamples);
      part = takeRows(split, pick);
    }
    return accuracy(predict(this.model, part.x), part.y);
  }

  /** The rng for one purpose in one epoch: derived from the seed, independent of history. */
  private rngFor(purpose: string, epoch: number): Rng {
    return createRng(`${this.seed}/${purpose}/${epoch}`);
  }

  /** Records accuracies for the current parameters and keeps them if validation improved. */
  private evaluate(): { trainAcc: number; valAcc: number; improved: boolean } {
    const trainAcc = this.checkAccuracy(this.data.train, this.numTrainSamples, this.rngFor('train-accuracy', this.epoch));
    const valAcc = this.checkAccuracy(this.data.val);
    this.trainAccHistory.push(trainAcc);
    this.valAccHistory.push(valAcc);
    const improved = valAcc > this.bestValAcc;
    if (improved) {
      this.bestValAcc = valAcc;
      this.bestEpoch = this.epoch;
      this.bestParams = cloneParams(this.model.params);
      this.bestState = cloneParams(this.model.state);
    }
    return { trainAcc, valAcc, improved };
  }

  /**
   * Trains from the current epoch up to `numEpochs`, then restores the parameters with the best
   * validation accuracy. Stops early, with `diverged` set, when the loss stops being finite.
   */
  train(): void {
    const { train } = this.data;
    const N = train.y.length;
    const batchesPerEpoch = Math.max(1, Math.floor(N / this.batchSize));
    const size = Math.min(this.batchSize, N);
    if (this.valAccHistory.length === 0) this.evaluate();
    while (this.epoch < this.numEpochs && this.diverged === null) {
      const order = this.rngFor('order', this.epoch).permutation(N);
      const dropoutRng = this.rngFor('dropout', this.epoch);
      const augmentRng = this.rngFor('augment', this.epoch);
      const learningRate = this.learningRate;
      const start = performance.now();
      let lossSum = 0;
      for (let b = 0; b < batchesPerEpoch; b++) {
        const batch = takeRows(train, order.slice(b * size, (b + 1) * size));
        const x = this.options.augment ? this.options.augment(batch.x, augmentRng) : batch.x;
        const loss = this.step(x, batch.y, dropoutRng);
        this.lossHistory.push(loss);
        if (!Number.isFinite(loss)) {
          this.diverged = { epoch: this.epoch + 1, batch: b };
          break;
        }
        lossSum += loss;
        this.options.onStep?.({
          epoch: this.epoch + 1,
          batch: b,
          batchesPerEpoch,
          loss,
          samples: (b + 1) * size,
          elapsed: (performance.now() - start) / 1000,
        });
      }
      if (this.diverged) break;
      const seconds = (performance.now() - start) / 1000;
      this.epoch++;
      this.lrHistory.push(learningRate);
      for (const config of Object.values(this.optimConfigs)) config.learningRate *= this.lrDecay;
      const { trainAcc, valAcc, improved } = this.evaluate();
      this.options.onEpoch?.({
        epoch: this.epoch,
        numEpochs: this.numEpochs,
        loss: lossSum / batchesPerEpoch,
        trainAcc,
        valAcc,
        learningRate,
        seconds,
        samplesPerSecond: (batchesPerEpoch * size) / seconds,
        improved,
      });
    }
    this.lastParams = cloneParams(this.model.params);
    this.lastState = cloneParams(this.model.state);
    this.restoreBest();
  }

  /** Puts the best-validation parameters (and their batch-norm statistics) back into the model. */
  restoreBest(): void {
    if (this.bestParams) this.model.params = cloneParams(this.bestParams);
    if (this.bestState) this.model.state = cloneParams(this.bestState);
  }

  /** The solver's progress and optimizer state, to save next to the model's parameters. */
  snapshot(): SolverSnapshot {
    return {
      epoch: this.epoch,
      optimConfigs: this.optimConfigs,
      lossHistory: this.lossHistory,
      trainAccHistory: this.trainAccHistory,
      valAccHistory: this.valAccHistory,
      lrHistory: this.lrHistory,
      bestValAcc: this.bestValAcc,
      bestEpoch: this.bestEpoch,
      bestParams: this.bestParams,
      bestState: this.bestState,
      lastParams: this.lastParams,
      lastState: this.lastState,
    };
  }

  /** Continues from a snapshot: puts its last parameters into the model; `train()` resumes at `snapshot.epoch`. */
  restore(snapshot: SolverSnapshot): void {
    this.model.params = cloneParams(snapshot.lastParams);
    this.model.state = cloneParams(snapshot.lastState);
    this.lastParams = snapshot.lastParams;
    this.lastState = snapshot.lastState;
    this.epoch = snapshot.epoch;
    this.optimConfigs = snapshot.optimConfigs;
    this.lossHistory = [...snapshot.lossHistory];
    this.trainAccHistory = [...snapshot.trainAccHistory];
    this.valAccHistory = [...snapshot.valAccHistory];
    this.lrHistory = [...snapshot.lrHistory];
    this.bestValAcc = snapshot.bestValAcc;
    this.bestEpoch = snapshot.bestEpoch;
    this.bestParams = snapshot.bestParams;
    this.bestState = snapshot.bestState;
  }
}
