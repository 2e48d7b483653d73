/**
 * Exercise 07 — babysitting the learning process: the checks the lecture runs before spending
 * hours on training, and the reading of the curves while it trains.
 *
 * Shapes: class scores are `[N, C]` (N samples, C classes); labels `y` hold one integer class in
 * `[0, C)` per row (an `Int32Array` or a plain array). Losses and ratios are plain numbers.
 */
import { assertShape, assertTensor, describe, shapeError, type Tensor } from '../../lib/index.ts';

/** Class labels, one integer in `[0, C)` per row of the scores. */
export type Labels = ArrayLike<number>;

/** What `softmaxLoss` returns. */
export interface SoftmaxLossResult {
  /** The mean cross-entropy over the N rows. */
  loss: number;
  /** ∂loss/∂scores, `[N, C]`. */
  dscores: Tensor;
}

/** The outcome of one sanity check, as the trainer prints it: `PASS  <name>: <detail>`. */
export interface SanityCheck {
  passed: boolean;
  /** One sentence for a human: what was measured and what was expected. */
  detail: string;
}

/** A loss measured at one regularization strength. */
export interface RegularizationPoint {
  reg: number;
  loss: number;
}

/** What the update-to-weight ratio says about the learning rate. */
export type UpdateVerdict = 'too-low' | 'healthy' | 'too-high';

/** The training loop `overfitSmallData` drives; the caller owns the model and the tiny subset. */
export interface OverfitTrainer {
  /** Runs training step s (s = 1, 2, …) on the small subset, regularization off; returns its loss. */
  step: (s: number) => number;
  /** The accuracy on the whole small subset after step s, in [0, 1]. */
  accuracy: (s: number) => number;
}

export interface OverfitReport {
  /** True exactly when the training accuracy reached 1. */
  passed: boolean;
  /** Why the loop ended. */
  stopped: 'memorized' | 'diverged' | 'out-of-steps';
  /** Steps taken (the one whose loss was not finite included). */
  steps: number;
  /** The loss of every step taken, in order. */
  losses: number[];
  /** The last accuracy measured; 0 when none was (the very first loss was not finite). */
  trainAccuracy: number;
}

/** The curves of one training run. */
export interface TrainingHistory {
  /** The loss after every iteration (or every epoch), at least 10 values. */
  loss: readonly number[];
  /** Training accuracy per epoch, in [0, 1]. */
  trainAcc: readonly number[];
  /** Validation accuracy per epoch, as many values as `trainAcc`. */
  valAcc: readonly number[];
}

/** What the curves say, in the lecture's words. */
export type Diagnosis = 'lr-too-high' | 'lr-too-low' | 'bad-init' | 'overfitting' | 'healthy';

/** A diagnosis and the numbers it was read from (see `diagnoseTraining`). */
export interface TrainingDiagnosis {
  diagnosis: Diagnosis;
  /** Mean of the first k losses. */
  start: number;
  /** Mean of the last k losses. */
  end: number;
  /** Mean of the k losses from index ⌊n/4⌋. */
  early: number;
  /** trainAcc − valAcc of the first epoch. */
  firstGap: number;
  /** trainAcc − valAcc of the last epoch. */
  lastGap: number;
}

// BEGIN SOLUTION
/** Checks `y` is a list of N integer labels in [0, C). */
function checkLabels(fn: string, y: unknown, N: number, C: number): asserts y is Labels {
  const list = y as { length?: unknown } | null;
  if (list === null || typeof list !== 'object' || typeof list.length !== 'number') {
    throw new TypeError(`${fn}: 'y' must be an array of class labels, got ${describe(y)}`);
  }
  const labels = y as Labels;
  if (labels.length !== N) throw new RangeError(`${fn}: 'y' must have ${N} labels (one per row of 'scores'), got ${labels.length}`);
  for (let i = 0; i < N; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c! < 0 || c! >= C) throw new RangeError(`${fn}: 'y[${i}]' must be a class in [0, ${C}), got ${String(c)}`);
  }
}

function checkNumber(fn: string, arg: string, v: unknown): asserts v is number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: '${arg}' must be a number, got ${describe(v)}`);
}

/** The rules of `diagnoseTraining`, in order, on the numbers it computed. */
function readCurves(loss: readonly number[], n: Omit<TrainingDiagnosis, 'diagnosis'>): Diagnosis {
  if (loss.some((v) => !Number.isFinite(v))) return 'lr-too-high';
  if (n.end > n.start) return 'lr-too-high';
  if (n.end > 0.9 * n.start) return 'lr-too-low';
  if (n.start - n.early < 0.1 * (n.start - n.end)) return 'bad-init';
  if (n.lastGap > 0.1 && n.lastGap > n.firstGap) return 'overfitting';
  return 'healthy';
}

/** Mean of `values[from … from + count − 1]`. */
function windowMean(values: readonly number[], from: number, count: number): number {
  let s = 0;
  for (let i = from; i < from + count; i++) s += values[i]!;
  return s / count;
}
// END SOLUTION

/**
 * Softmax loss (cross-entropy of the softmax of the scores), averaged over the rows, and its
 * gradient with respect to the scores:
 *   p_ij = e^(s_ij) / Σ_k e^(s_ik),   loss = −(1/N) Σ_i ln p_{i, y_i}
 * A model that has learned nothing gives every class the same score, so p = 1/C and loss = ln C.
 *
 * NOTE: e^s overflows to Infinity for s above about 709: subtract each row's largest score first
 * (p does not change), and take ln p as (s − max) − ln Σ e^(s − max), never ln of a quotient
 * that may have underflowed to 0.
 * NOTE: the gradient is of the mean, so it carries the factor 1/N.
 *
 * @param scores `[N, C]` class scores, N ≥ 1 (never mutated).
 * @param y N labels in `[0, C)`.
 * @returns `{ loss, dscores [N, C] }`.
 * @throws RangeError when scores is not `[N, C]` with N ≥ 1, y has the wrong length or a label is
 *   not an integer in `[0, C)`; TypeError when y is not a list.
 */
export function softmaxLoss(scores: Tensor, y: Labels): SoftmaxLossResult {
  // BEGIN SOLUTION
  // TODO: check scores is [N, C] with N ≥ 1 and that y holds N integer labels in [0, C).
  const fn = 'softmaxLoss';
  assertShape(fn, 'scores', scores, [null, null], '[N, C]');
  const [N, C] = scores.shape as [number, number];
  if (N === 0 || C === 0) throw shapeError(fn, 'scores', 'at least one row and one class', scores.shape);
  checkLabels(fn, y, N, C);
  const dscores = new Float64Array(N * C);
  let loss = 0;
  for (let i = 0; i < N; i++) {
    const row = i * C;
    let max = -Infinity;
    for (let j = 0; j < C; j++) max = Math.max(max, scores.data[row + j]!);
    let sum = 0;
    for (let j = 0; j < C; j++) {
      dscores[row + j] = Math.exp(scores.data[row + j]! - max);
      sum += dscores[row + j]!;
    }
    const label = y[i]!;
    loss -= scores.data[row + label]! - max - Math.log(sum);
    // ∂/∂s_ij of −ln p_{i,y} is p_ij − [j = y_i]; the mean divides it by N.
    for (let j = 0; j < C; j++) dscores[row + j] = dscores[row + j]! / sum / N;
    dscores[row + label]! -= 1 / N;
  }
  return { loss: loss / N, dscores: { shape: [N, C], data: dscores } };
  // END SOLUTION
}

/**
 * The loss a softmax classifier should start from: with small weights every score is about 0,
 * every class gets probability 1/C, and the loss is −ln(1/C).
 *
 * @param numClasses C, a positive integer.
 * @returns the expected initial loss (2.302585… for 10 classes).
 * @throws RangeError when numClasses is not a positive integer.
 */
export function expectedInitialLoss(numClasses: number): number {
  // BEGIN SOLUTION
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new RangeError(`expectedInitialLoss: 'numClasses' must be a positive integer, got ${describe(numClasses)}`);
  }
  return Math.log(numClasses);
  // END SOLUTION
}

/**
 * Sanity check 1: the initial loss, measured with small weights and regularization off, is about
 * the expected initial loss L₀ of `expectedInitialLoss`:
 *   passed ⇔ |loss − L₀| ≤ tolerance · L₀
 *
 * NOTE: the tolerance is relative to L₀, and the check is two-sided: a loss far below chance
 * level before training is as suspicious as one far above it.
 * NOTE: a loss that is NaN or infinite never passes.
 *
 * @param loss the measured initial loss.
 * @param numClasses C, a positive integer.
 * @param tolerance the relative tolerance, ≥ 0; default 0.05.
 * @returns `{ passed, detail }`.
 * @throws RangeError when numClasses is not a positive integer or tolerance is negative; TypeError
 *   when loss is not a number.
 */
export function checkInitialLoss(loss: number, numClasses: number, tolerance = 0.05): SanityCheck {
  // BEGIN SOLUTION
  const fn = 'checkInitialLoss';
  checkNumber(fn, 'loss', loss);
  if (!(tolerance >= 0)) throw new RangeError(`${fn}: 'tolerance' must be ≥ 0, got ${describe(tolerance)}`);
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`${fn}: 'numClasses' must be a positive integer, got ${describe(numClasses)}`);
  const expected = expectedInitialLoss(numClasses);
  const passed = Math.abs(loss - expected) <= tolerance * expected;
  return { passed, detail: `initial loss ${loss.toFixed(4)} vs ln ${numClasses} = ${expected.toFixed(4)} (allowed ±${(100 * tolerance).toFixed(1)} %)` };
  // END SOLUTION
}

/**
 * Sanity check 2: turning regularization up raises the loss. The points are losses of the same
 * model (same weights, same data) at several regularization strengths, in any order:
 *   passed ⇔ ordered by reg, every loss is strictly greater than the one before it
 *
 * NOTE: the points may come in any order: order them by reg yourself (and never reorder the
 * caller's array).
 * NOTE: a loss that stays the same is a failure: the regularization term is not in the loss.
 *
 * @param points at least two `{ reg, loss }` with distinct, non-negative reg values.
 * @returns `{ passed, detail }`.
 * @throws RangeError for fewer than two points, a negative reg or a repeated one.
 */
export function checkRegularization(points: readonly RegularizationPoint[]): SanityCheck {
  // BEGIN SOLUTION
  // TODO: check there are two or more points with distinct reg ≥ 0; order a copy by reg, compare neighbours.
  const fn = 'checkRegularization';
  if (!Array.isArray(points)) throw new TypeError(`${fn}: 'points' must be an array of { reg, loss }, got ${describe(points)}`);
  if (points.length < 2) throw new RangeError(`${fn}: 'points' must hold at least 2 points, got ${points.length}`);
  for (const [i, p] of points.entries()) {
    checkNumber(fn, `points[${i}].reg`, p?.reg);
    checkNumber(fn, `points[${i}].loss`, p.loss);
    if (!(p.reg >= 0)) throw new RangeError(`${fn}: 'points[${i}].reg' must be ≥ 0, got ${p.reg}`);
  }
  const sorted = [...points].sort((a, b) => a.reg - b.reg);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.reg === sorted[i - 1]!.reg) throw new RangeError(`${fn}: 'points' must have distinct reg values, got ${sorted[i]!.reg} twice`);
  }
  const passed = sorted.every((p, i) => i === 0 || p.loss > sorted[i - 1]!.loss);
  return { passed, detail: sorted.map((p) => `reg ${p.reg} → loss ${p.loss.toFixed(4)}`).join(', ') };
  // END SOLUTION
}

/**
 * The ratio of the size of one parameter update to the size of the parameter, in the
 * Euclidean (Frobenius) norm over all elements:
 *   ratio = ‖update‖ / ‖w‖,   ‖t‖ = √(Σ_i t_i²)
 * The lecture's rule of thumb: about 1e-3 is healthy.
 *
 * NOTE: `update` is the change Δw = w_new − w_old (for SGD, −learningRate · dw), not the new value.
 * NOTE: a w of all zeros (a bias before its first update) gives 0 when update is zero as well, and
 * Infinity otherwise.
 *
 * @param w the parameter before the update, any shape (never mutated).
 * @param update the update, the shape of w (never mutated).
 * @returns the ratio, ≥ 0.
 * @throws RangeError when update's shape differs from w's; TypeError when either is not a tensor.
 */
export function updateToWeightRatio(w: Tensor, update: Tensor): number {
  // BEGIN SOLUTION
  // TODO: check update has the shape of w (assertShape from lib).
  const fn = 'updateToWeightRatio';
  assertTensor(fn, 'w', w);
  assertShape(fn, 'update', update, w.shape);
  let ww = 0;
  let uu = 0;
  for (let i = 0; i < w.data.length; i++) {
    ww += w.data[i]! * w.data[i]!;
    uu += update.data[i]! * update.data[i]!;
  }
  if (ww === 0) return uu === 0 ? 0 : Infinity;
  return Math.sqrt(uu) / Math.sqrt(ww);
  // END SOLUTION
}

/**
 * Reads an update-to-weight ratio the way the lecture does, within a factor of 10 of 1e-3:
 *   ratio < 1e-4            'too-low'   (the learning rate is too low)
 *   1e-4 ≤ ratio ≤ 1e-2     'healthy'
 *   ratio > 1e-2, or NaN    'too-high'  (the learning rate is too high)
 *
 * @param ratio a ratio from `updateToWeightRatio` (Infinity and NaN included).
 * @returns the verdict.
 * @throws RangeError when ratio is negative; TypeError when it is not a number.
 */
export function updateRatioVerdict(ratio: number): UpdateVerdict {
  // BEGIN SOLUTION
  checkNumber('updateRatioVerdict', 'ratio', ratio);
  if (ratio < 0) throw new RangeError(`updateRatioVerdict: 'ratio' must be ≥ 0, got ${ratio}`);
  if (ratio < 1e-4) return 'too-low';
  if (ratio <= 1e-2) return 'healthy';
  return 'too-high'; // NaN lands here: every comparison with NaN is false
  // END SOLUTION
}

/**
 * Sanity check 4: a network that works can memorize a tiny training set. Runs training steps on
 * it until the training accuracy reaches 1, the loss stops being a finite number, or the steps
 * run out. For each step s = 1, 2, …, maxSteps:
 *   1. loss = trainer.step(s); record it;
 *   2. when loss is NaN or ±Infinity: stop, 'diverged' (do not measure the accuracy);
 *   3. otherwise measure trainer.accuracy(s); when it is 1: stop, 'memorized'.
 * After maxSteps steps without either: 'out-of-steps'.
 *
 * NOTE: 100 % means an accuracy of exactly 1; 0.99 is not memorized.
 * NOTE: NaN fails every comparison: `loss > limit` is false for NaN, so test finiteness directly.
 *
 * @param trainer `{ step, accuracy }`, the training loop's two operations; pass each the step number s.
 * @param maxSteps a positive integer; default 200.
 * @returns `{ passed, stopped, steps, losses, trainAccuracy }`.
 * @throws RangeError when maxSteps is not a positive integer; TypeError when step or accuracy is
 *   not a function.
 */
export function overfitSmallData(trainer: OverfitTrainer, maxSteps = 200): OverfitReport {
  // BEGIN SOLUTION
  // TODO: check maxSteps is a positive integer, then run the steps as listed above.
  const fn = 'overfitSmallData';
  if (typeof trainer?.step !== 'function' || typeof trainer.accuracy !== 'function') {
    throw new TypeError(`${fn}: 'trainer' must have the functions step(s) and accuracy(s), got ${describe(trainer)}`);
  }
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new RangeError(`${fn}: 'maxSteps' must be a positive integer, got ${describe(maxSteps)}`);
  const losses: number[] = [];
  let trainAccuracy = 0;
  for (let steps = 1; steps <= maxSteps; steps++) {
    const loss = trainer.step(steps);
    losses.push(loss);
    if (!Number.isFinite(loss)) return { passed: false, stopped: 'diverged', steps, losses, trainAccuracy };
    trainAccuracy = trainer.accuracy(steps);
    if (trainAccuracy >= 1) return { passed: true, stopped: 'memorized', steps, losses, trainAccuracy };
  }
  return { passed: false, stopped: 'out-of-steps', steps: maxSteps, losses, trainAccuracy };
  // END SOLUTION
}

/**
 * Reads the curves of a training run and names what the lecture would name. With n losses,
 * k = max(1, ⌊n/10⌋) and q = ⌊n/4⌋, the mean of k consecutive losses from index i is W(i), and
 *   start = W(0)   (the first k losses),   end = W(n − k)   (the last k),   early = W(q)
 *   gap_e = trainAcc[e] − valAcc[e]
 * the first rule that holds gives the answer:
 *   1. 'lr-too-high'  a loss is NaN or ±Infinity, or end > start          (exploded, or went up)
 *   2. 'lr-too-low'   end > 0.9 · start                                  (fell by less than 10 %)
 *   3. 'bad-init'     start − early < 0.1 · (start − end)                (flat for the first quarter, then a drop)
 *   4. 'overfitting'  the last gap is > 0.1 and greater than the first gap
 *   5. 'healthy'
 *
 * Return the diagnosis with the five numbers it was read from (NaN or ±Infinity where a window
 * holds such a loss).
 *
 * NOTE: the rules are checked in this order: a run whose loss went NaN is 'lr-too-high' whatever
 * its accuracies say.
 * NOTE: the windows smooth minibatch noise: compare window means, never single losses.
 *
 * @param history `{ loss, trainAcc, valAcc }`: at least 10 losses; trainAcc and valAcc of one
 *   length ≥ 1 (never mutated).
 * @returns `{ diagnosis, start, end, early, firstGap, lastGap }`.
 * @throws RangeError for fewer than 10 losses, or trainAcc and valAcc of different or zero length.
 */
export function diagnoseTraining(history: TrainingHistory): TrainingDiagnosis {
  // BEGIN SOLUTION
  // TODO: check the lengths; compute k and the five numbers; then go down the rules in order.
  const fn = 'diagnoseTraining';
  const { loss, trainAcc, valAcc } = history ?? ({} as TrainingHistory);
  for (const [name, list] of [['loss', loss], ['trainAcc', trainAcc], ['valAcc', valAcc]] as const) {
    if (!Array.isArray(list) || !list.every((v) => typeof v === 'number')) throw new TypeError(`${fn}: 'history.${name}' must be an array of numbers, got ${describe(list)}`);
  }
  const n = loss.length;
  if (n < 10) throw new RangeError(`${fn}: 'history.loss' must hold at least 10 values, got ${n}`);
  if (trainAcc.length === 0 || valAcc.length !== trainAcc.length) {
    throw new RangeError(`${fn}: 'history.trainAcc' and 'history.valAcc' must have one equal, non-zero length, got ${trainAcc.length} and ${valAcc.length}`);
  }
  const k = Math.max(1, Math.floor(n / 10));
  const start = windowMean(loss, 0, k);
  const end = windowMean(loss, n - k, k);
  const early = windowMean(loss, Math.floor(n / 4), k);
  const last = trainAcc.length - 1;
  const firstGap = trainAcc[0]! - valAcc[0]!;
  const lastGap = trainAcc[last]! - valAcc[last]!;
  const numbers = { start, end, early, firstGap, lastGap };
  return { diagnosis: readCurves(loss, numbers), ...numbers };
  // END SOLUTION
}
