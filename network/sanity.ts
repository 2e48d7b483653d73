/**
 * Babysitting, step one (CS231n lecture 6/7): checks to run before spending time on training.
 * Checks 1, 2 and 4 are exercise 07's functions (the student's own with `--impl`).
 *
 * 1. Initial loss: with small weights the scores are ≈ 0, the softmax is uniform, and the loss is
 *    −ln(1/C) = ln C (2.303 for 10 classes), with regularization off.
 * 2. Regularization: turning it up must raise the loss.
 * 3. Gradients: the analytic gradient agrees with centred differences on a few random entries of
 *    every parameter, on two samples: the lecture's sparse gradient check, exercise 05's
 *    `gradCheckSparse` (the student's own when the network is built from their exercises).
 * 4. Overfitting a tiny subset: with regularization off, 50 samples must reach 100% training
 *    accuracy. A network that cannot memorize 50 examples has a bug or a bad learning rate. The
 *    update-to-weight ratios of its first step are reported with it.
 */
import { createRng, type Tensor } from '../lib/index.ts';
import type { BuildingBlocks } from './building-blocks.ts';
import { takeRows, type Split } from './data/dataset.ts';
import { accuracy, predict, type Model } from './model.ts';
import type { OptimConfig, OptimizerName } from './optim.ts';
import type { Babysitting } from './lecture-blocks.ts';
import type { CheckLine } from './report/training-report.ts';
import { Solver } from './solver.ts';

/** What a check may change when it builds its own copy of the model. */
export interface ModelOverrides {
  reg?: number;
  initializer?: 'small';
  weightScale?: number;
  dropoutKeepRatio?: number;
}

export interface SanityContext {
  /** Builds the configured model (same architecture and seed) with some options changed. */
  buildModel: (overrides: ModelOverrides) => Model;
  numClasses: number;
  train: Split;
  updateRule: OptimizerName;
  optimConfig: Partial<OptimConfig>;
  seed: string | number;
  /** Exercise 05's sparse gradient check. */
  gradCheckSparse: BuildingBlocks['gradCheckSparse'];
  /** Exercise 07's checks (1, 2 and 4, and the update-to-weight ratios). */
  babysitting: Babysitting;
}

/** Runs the four checks and returns one line per check. */
export function runSanityChecks(ctx: SanityContext): CheckLine[] {
  const lines: CheckLine[] = [];
  const b = ctx.babysitting;
  const rng = createRng(`${ctx.seed}/sanity`);
  const sample = takeRows(ctx.train, rng.permutation(ctx.train.y.length).slice(0, Math.min(500, ctx.train.y.length)));
  const lnC = Math.log(ctx.numClasses);

  // 1. Initial loss ≈ ln C with small weights and no regularization.
  const small = ctx.buildModel({ reg: 0, initializer: 'small', weightScale: 1e-3 });
  const initial = small.loss(sample.x, sample.y).loss;
  const configured = ctx.buildModel({ reg: 0 }).loss(sample.x, sample.y).loss;
  const initialCheck = b.checkInitialLoss(initial, ctx.numClasses, 0.05 / lnC);
  lines.push({
    name: 'initial loss ≈ ln C',
    passed: initialCheck.passed,
    detail: `${initialCheck.detail}, weights ~1e-3 and reg 0 (with the configured initializer: ${configured.toFixed(4)})`,
  });

  // 2. Regularization raises the loss (same weights: same architecture and seed).
  const strongReg = 1;
  const withReg = ctx.buildModel({ reg: strongReg }).loss(sample.x, sample.y).loss;
  const regCheck = b.checkRegularization([{ reg: 0, loss: configured }, { reg: strongReg, loss: withReg }]);
  lines.push({ name: 'loss goes up with regularization', passed: regCheck.passed, detail: regCheck.detail });

  // 3. Sparse gradient check on a small batch. Errors are measured against the largest gradient
  // entry of the whole network, so a parameter whose true gradient is 0 (a bias right before batch
  // norm) is judged by its absolute error, not by dividing rounding noise by zero.
  const model = ctx.buildModel({});
  // NOTE: two samples, as CS231n advises: every extra sample adds ReLU and max-pool kinks that a
  // centred difference can step across, which corrupts the numerical side, not the analytic one.
  const batch = takeRows(sample, Array.from({ length: Math.min(2, sample.y.length) }, (_, i) => i));
  const { grads } = model.loss(batch.x, batch.y);
  const scale = Object.values(grads).reduce((m, g) => g.data.reduce((mm, v) => Math.max(mm, Math.abs(v)), m), 0);
  let worst = 0;
  let worstName = '';
  let checked = 0;
  for (const [name, w] of Object.entries(model.params)) {
    // The loss as a function of this one parameter (the check hands f a perturbed copy, or w itself).
    const f = (probe: Tensor): number => {
      model.params[name] = probe;
      try {
        return model.loss(batch.x, batch.y).loss;
      } finally {
        model.params[name] = w;
      }
    };
    for (const c of ctx.gradCheckSparse(f, w, grads[name]!, 6, rng, 1e-5)) {
      const error = Math.abs(c.numerical - c.analytic) / scale;
      checked++;
      // NOTE: a NaN error (a NaN gradient) must stay the worst, never be replaced by a finite one.
      if (!Number.isNaN(worst) && !(error <= worst)) [worst, worstName] = [error, name];
    }
  }
  lines.push({
    name: 'analytic gradients match numerical ones',
    passed: worst < 1e-6,
    detail: `${checked} random entries (6 per parameter), gradCheckSparse with h = 1e-5: worst error ${worst.toExponential(1)} of the largest gradient entry${worstName ? ` (${worstName})` : ''}`,
  });

  // 4. Overfit 50 samples with regularization and dropout off.
  const tiny = takeRows(ctx.train, rng.permutation(ctx.train.y.length).slice(0, Math.min(50, ctx.train.y.length)));
  const overfit = ctx.buildModel({ reg: 0, dropoutKeepRatio: 1 });
  const solver = new Solver(overfit, { train: tiny, val: tiny }, { updateRule: ctx.updateRule, optimConfig: ctx.optimConfig, batchSize: 25, numEpochs: 0, seed: ctx.seed });
  const order = createRng(`${ctx.seed}/overfit`);
  let ratios = '';
  const report = b.overfitSmallData(
    {
      step: (s) => {
        const before = overfit.params;
        const pick = takeRows(tiny, order.permutation(tiny.y.length).slice(0, 25));
        const loss = solver.step(pick.x, pick.y);
        if (s === 1) {
          // The lecture's update-to-weight ratio (≈ 1e-3 is healthy), for the weights of the first step.
          ratios = Object.keys(before)
            .filter((name) => name.startsWith('W'))
            .map((name) => {
              const w = before[name]!;
              const update = { shape: w.shape, data: overfit.params[name]!.data.map((v, i) => v - w.data[i]!) };
              const ratio = b.updateToWeightRatio(w, update);
              return `${name} ${ratio.toExponential(1)} (${b.updateRatioVerdict(ratio)})`;
            })
            .join(', ');
        }
        return loss;
      },
      accuracy: () => accuracy(predict(overfit, tiny.x), tiny.y),
    },
    300,
  );
  const last = report.losses.at(-1) ?? NaN;
  lines.push({
    name: `overfits ${tiny.y.length} training samples`,
    passed: report.passed,
    detail:
      report.stopped === 'diverged'
        ? `the loss became ${last} after ${report.steps} steps: the learning rate is too high`
        : `${(100 * report.trainAccuracy).toFixed(0)}% train accuracy after ${report.steps} steps (loss ${last.toFixed(4)}), reg 0, no dropout; update/weight ratios of step 1: ${ratios}`,
  });
  return lines;
}
