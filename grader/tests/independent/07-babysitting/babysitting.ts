/**
 * Exercise 07 — babysitting the learning process (independent solution, from the brief and the
 * stub). Log-sum-exp per row, windows from prefix sums, the training loop as a while loop.
 */
import { assertShape, assertTensor, formatShape, type Tensor } from '../../lib/index.ts';

export type Labels = ArrayLike<number>;

export interface SoftmaxLossResult {
  loss: number;
  dscores: Tensor;
}

export interface SanityCheck {
  passed: boolean;
  detail: string;
}

export interface RegularizationPoint {
  reg: number;
  loss: number;
}

export type UpdateVerdict = 'too-low' | 'healthy' | 'too-high';

export interface OverfitTrainer {
  step: (s: number) => number;
  accuracy: (s: number) => number;
}

export interface OverfitReport {
  passed: boolean;
  stopped: 'memorized' | 'diverged' | 'out-of-steps';
  steps: number;
  losses: number[];
  trainAccuracy: number;
}

export interface TrainingHistory {
  loss: readonly number[];
  trainAcc: readonly number[];
  valAcc: readonly number[];
}

export type Diagnosis = 'lr-too-high' | 'lr-too-low' | 'bad-init' | 'overfitting' | 'healthy';

export interface TrainingDiagnosis {
  diagnosis: Diagnosis;
  start: number;
  end: number;
  early: number;
  firstGap: number;
  lastGap: number;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1;
}

export function softmaxLoss(scores: Tensor, y: Labels): SoftmaxLossResult {
  const fn = 'softmaxLoss';
  assertShape(fn, 'scores', scores, [null, null], '[N, C]');
  const [N, C] = scores.shape as [number, number];
  if (N < 1 || C < 1) throw new RangeError(`${fn}: 'scores' must have at least one row and one class, got ${formatShape(scores.shape)}`);
  if (y === null || typeof y !== 'object' || typeof (y as { length?: unknown }).length !== 'number') throw new TypeError(`${fn}: 'y' must be a list of labels`);
  if (y.length !== N) throw new RangeError(`${fn}: 'y' must hold ${N} labels, got ${y.length}`);
  for (let i = 0; i < N; i++) {
    const label = y[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= C) throw new RangeError(`${fn}: 'y[${i}]' is ${label}, not a class in [0, ${C})`);
  }
  const p = new Float64Array(N * C);
  let total = 0;
  for (let i = 0; i < N; i++) {
    const row = scores.data.subarray(i * C, (i + 1) * C);
    const top = row.reduce((m, v) => (v > m ? v : m), -Infinity);
    let z = 0;
    for (const v of row) z += Math.exp(v - top);
    const logZ = top + Math.log(z);
    total += logZ - row[y[i]!]!;
    for (let j = 0; j < C; j++) p[i * C + j] = Math.exp(row[j]! - logZ);
  }
  const dscores = new Float64Array(N * C);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < C; j++) dscores[i * C + j] = (p[i * C + j]! - (j === y[i] ? 1 : 0)) / N;
  }
  return { loss: total / N, dscores: { shape: [N, C], data: dscores } };
}

export function expectedInitialLoss(numClasses: number): number {
  if (!isCount(numClasses)) throw new RangeError(`expectedInitialLoss: 'numClasses' must be a positive integer, got ${numClasses}`);
  return -Math.log(1 / numClasses);
}

export function checkInitialLoss(loss: number, numClasses: number, tolerance = 0.05): SanityCheck {
  const fn = 'checkInitialLoss';
  if (typeof loss !== 'number') throw new TypeError(`${fn}: 'loss' must be a number`);
  if (!isCount(numClasses)) throw new RangeError(`${fn}: 'numClasses' must be a positive integer, got ${numClasses}`);
  if (typeof tolerance !== 'number' || Number.isNaN(tolerance) || tolerance < 0) throw new RangeError(`${fn}: 'tolerance' must not be negative, got ${tolerance}`);
  const want = expectedInitialLoss(numClasses);
  const distance = Math.abs(loss - want);
  const passed = Number.isFinite(loss) && distance <= tolerance * want;
  return { passed, detail: `loss ${loss} against ln ${numClasses} = ${want.toFixed(4)}, off by ${distance.toPrecision(3)}` };
}

export function checkRegularization(points: readonly RegularizationPoint[]): SanityCheck {
  const fn = 'checkRegularization';
  if (!Array.isArray(points)) throw new TypeError(`${fn}: 'points' must be an array`);
  if (points.length < 2) throw new RangeError(`${fn}: 'points' needs at least two points, got ${points.length}`);
  points.forEach((p, i) => {
    if (typeof p?.reg !== 'number' || typeof p.loss !== 'number') throw new TypeError(`${fn}: 'points[${i}]' must be { reg, loss }`);
    if (p.reg < 0 || Number.isNaN(p.reg)) throw new RangeError(`${fn}: 'points[${i}].reg' must be ≥ 0, got ${p.reg}`);
  });
  const byReg = points.map((p) => ({ reg: p.reg, loss: p.loss })).sort((a, b) => a.reg - b.reg);
  let passed = true;
  for (let i = 1; i < byReg.length; i++) {
    if (byReg[i]!.reg === byReg[i - 1]!.reg) throw new RangeError(`${fn}: 'points' repeats reg ${byReg[i]!.reg}`);
    if (!(byReg[i]!.loss > byReg[i - 1]!.loss)) passed = false;
  }
  return { passed, detail: `losses ${byReg.map((p) => p.loss).join(' → ')} for reg ${byReg.map((p) => p.reg).join(' → ')}` };
}

export function updateToWeightRatio(w: Tensor, update: Tensor): number {
  const fn = 'updateToWeightRatio';
  assertTensor(fn, 'w', w);
  assertShape(fn, 'update', update, w.shape);
  const norm = (t: Tensor): number => Math.hypot(...t.data);
  const [nw, nu] = [norm(w), norm(update)];
  if (nw === 0) return nu === 0 ? 0 : Infinity;
  return nu / nw;
}

export function updateRatioVerdict(ratio: number): UpdateVerdict {
  if (typeof ratio !== 'number') throw new TypeError(`updateRatioVerdict: 'ratio' must be a number`);
  if (ratio < 0) throw new RangeError(`updateRatioVerdict: 'ratio' must not be negative, got ${ratio}`);
  if (Number.isNaN(ratio) || ratio > 1e-2) return 'too-high';
  return ratio >= 1e-4 ? 'healthy' : 'too-low';
}

export function overfitSmallData(trainer: OverfitTrainer, maxSteps = 200): OverfitReport {
  const fn = 'overfitSmallData';
  if (!trainer || typeof trainer.step !== 'function' || typeof trainer.accuracy !== 'function') throw new TypeError(`${fn}: 'trainer' needs step() and accuracy()`);
  if (!isCount(maxSteps)) throw new RangeError(`${fn}: 'maxSteps' must be a positive integer, got ${maxSteps}`);
  const losses: number[] = [];
  let accuracy = 0;
  let stopped: OverfitReport['stopped'] = 'out-of-steps';
  while (losses.length < maxSteps) {
    const s = losses.length + 1;
    const loss = trainer.step(s);
    losses.push(loss);
    if (Number.isNaN(loss) || loss === Infinity || loss === -Infinity) {
      stopped = 'diverged';
      break;
    }
    accuracy = trainer.accuracy(s);
    if (accuracy === 1) {
      stopped = 'memorized';
      break;
    }
  }
  return { passed: stopped === 'memorized', stopped, steps: losses.length, losses, trainAccuracy: accuracy };
}

export function diagnoseTraining(history: TrainingHistory): TrainingDiagnosis {
  const fn = 'diagnoseTraining';
  if (!history || !Array.isArray(history.loss) || !Array.isArray(history.trainAcc) || !Array.isArray(history.valAcc)) {
    throw new TypeError(`${fn}: 'history' must hold the arrays loss, trainAcc and valAcc`);
  }
  const { loss, trainAcc, valAcc } = history;
  if (loss.length < 10) throw new RangeError(`${fn}: 'history.loss' needs at least 10 values, got ${loss.length}`);
  if (trainAcc.length < 1 || trainAcc.length !== valAcc.length) throw new RangeError(`${fn}: 'history.trainAcc' and 'history.valAcc' must have the same length ≥ 1`);
  const n = loss.length;
  const k = Math.max(1, Math.floor(n / 10));
  const W = (i: number): number => loss.slice(i, i + k).reduce((a, b) => a + b, 0) / k;
  const gap = (e: number): number => trainAcc[e]! - valAcc[e]!;
  const numbers = { start: W(0), end: W(n - k), early: W(Math.floor(n / 4)), firstGap: gap(0), lastGap: gap(trainAcc.length - 1) };
  const { start, end, early, firstGap, lastGap } = numbers;
  let diagnosis: Diagnosis = 'healthy';
  if (!loss.every(Number.isFinite) || end > start) diagnosis = 'lr-too-high';
  else if (end > 0.9 * start) diagnosis = 'lr-too-low';
  else if (start - early < 0.1 * (start - end)) diagnosis = 'bad-init';
  else if (lastGap > 0.1 && lastGap > firstGap) diagnosis = 'overfitting';
  return { diagnosis, ...numbers };
}
