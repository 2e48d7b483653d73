// Your work goes here: replace each `throw new NotImplementedError(...)` with your implementation.
// Run this exercise's tests with `npm test <this folder>`; the README next to this file is the brief.
/**
 * Exercise 07 — babysitting the learning process: the checks the lecture runs before spending
 * hours on training, and the reading of the curves while it trains.
 *
 * Shapes: class scores are `[N, C]` (N samples, C classes); labels `y` hold one integer class in
 * `[0, C)` per row (an `Int32Array` or a plain array). Losses and ratios are plain numbers.
 */
import { assertShape, assertTensor, describe, NotImplementedError, shapeError, type Tensor } from '../../lib/index.ts';

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
  // TODO: check scores is [N, C] with N ≥ 1 and that y holds N integer labels in [0, C).
  throw new NotImplementedError('softmaxLoss', 'exercises/07-babysitting/babysitting.ts');
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
  throw new NotImplementedError('expectedInitialLoss', 'exercises/07-babysitting/babysitting.ts');
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
  throw new NotImplementedError('checkInitialLoss', 'exercises/07-babysitting/babysitting.ts');
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
  // TODO: check there are two or more points with distinct reg ≥ 0; order a copy by reg, compare neighbours.
  throw new NotImplementedError('checkRegularization', 'exercises/07-babysitting/babysitting.ts');
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
  // TODO: check update has the shape of w (assertShape from lib).
  throw new NotImplementedError('updateToWeightRatio', 'exercises/07-babysitting/babysitting.ts');
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
  throw new NotImplementedError('updateRatioVerdict', 'exercises/07-babysitting/babysitting.ts');
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
  // TODO: check maxSteps is a positive integer, then run the steps as listed above.
  throw new NotImplementedError('overfitSmallData', 'exercises/07-babysitting/babysitting.ts');
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
  // TODO: check the lengths; compute k and the five numbers; then go down the rules in order.
  throw new NotImplementedError('diagnoseTraining', 'exercises/07-babysitting/babysitting.ts');
}
