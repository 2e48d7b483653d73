/**
 * Before training on a student's building blocks, run each function the chosen network needs on a
 * small input: a stub says so in one line (naming its exercise and how to train without it)
 * instead of crashing in epoch 1, and a wrong function is flagged before it quietly ruins the run.
 *
 * With the reference at hand (the instructor repository, the solutions branch) every output is
 * compared with it. Without one (the student kit) the probe checks what needs no answer: each
 * function runs and returns finite numbers of the right shape, and each backward pass agrees with
 * a numerical gradient of the same implementation's forward pass. Forward values are the public
 * tests' job (`npm test exercises/NN-slug`).
 */
import { compareAllClose, createRng, isNotImplementedError, map, randn, type Tensor } from '../lib/index.ts';
import { evalNumericalGradientArray, relError } from '../lib/testing/gradcheck.ts';
import { ACTIVATIONS, INITIALIZERS, PARTS, type ActivationName, type BuildingBlocks, type InitializerName, type Part } from './building-blocks.ts';
import type { LearnedActivationName } from './learned-activation-net.ts';
import { lecturePart, type Space } from './lecture-blocks.ts';

export interface ProbeResult {
  name: string;
  /** The exercise the probed functions belong to. */
  part: Part;
  status: 'ok' | 'differs' | 'not-implemented' | 'error';
  detail: string;
}

export interface ProbeNeeds {
  kind: 'fc' | 'conv';
  /** Exercise 01's activation, or null when the activation is one that learns (`learned`). */
  activation: ActivationName | null;
  /** PReLU or maxout (exercise 10), or null for an activation of exercise 01. */
  learned: LearnedActivationName | null;
  norm: string;
  init: InitializerName;
  center: 'image' | 'channel' | 'none';
  /** `--sanity`: the gradient check of exercise 05 and the checks of exercise 07 are needed too. */
  sanity: boolean;
  /** `--search`: exercise 08's search is needed. */
  search: boolean;
}

const TOL = { rtol: 1e-6, atol: 1e-9 };
/** A correct backward pass agrees with centred differences (h = 1e-5) on these small inputs to ~1e-8. */
const GRADIENT_TOL = 1e-5;

/** Max |a − b| over two tensors (Infinity when the shapes differ). */
function gap(a: Tensor, b: Tensor): number {
  if (a.data.length !== b.data.length || a.shape.join() !== b.shape.join()) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!));
  return Number.isNaN(worst) ? Infinity : worst;
}

interface Probe {
  name: string;
  part: Part;
  /** Named outputs of the functions under test. */
  compute: (b: BuildingBlocks) => Record<string, Tensor>;
  /** The shape each output must have. */
  shapes: Record<string, readonly number[]>;
  /** Without a reference: further checks of `mine`; the first problem found, or null. */
  selfCheck?: (b: BuildingBlocks, mine: Record<string, Tensor>) => string | null;
  /** What a passed self-check showed. */
  checked?: string;
}

function runProbe(p: Probe, blocks: BuildingBlocks, reference: BuildingBlocks | null): ProbeResult {
  const { name, part } = p;
  let mine: Record<string, Tensor>;
  try {
    mine = p.compute(blocks);
  } catch (error) {
    if (isNotImplementedError(error)) return { name, part, status: 'not-implemented', detail: (error as Error).message };
    return { name, part, status: 'error', detail: `threw ${(error as Error).name}: ${(error as Error).message.split('\n')[0]}` };
  }
  for (const [key, shape] of Object.entries(p.shapes)) {
    const got = mine[key];
    if (!got || !Array.isArray(got.shape) || got.shape.join() !== shape.join()) {
      return { name, part, status: 'differs', detail: `${key} has shape [${got?.shape?.join(', ') ?? '?'}], expected [${shape.join(', ')}]` };
    }
    if (!got.data.every(Number.isFinite)) return { name, part, status: 'differs', detail: `${key} holds NaN or Infinity` };
  }
  if (reference) {
    const want = p.compute(reference);
    for (const [key, expected] of Object.entries(want)) {
      const got = mine[key]!;
      if (compareAllClose(got, expected, TOL).kind !== 'ok') {
        return { name, part, status: 'differs', detail: `${key} differs from the reference (max |difference| ${gap(got, expected).toExponential(1)})` };
      }
    }
    return { name, part, status: 'ok', detail: 'matches the reference' };
  }
  let problem: string | null;
  try {
    problem = p.selfCheck?.(blocks, mine) ?? null;
  } catch (error) {
    problem = `threw ${(error as Error).name} when run again: ${(error as Error).message.split('\n')[0]}`;
  }
  if (problem) return { name, part, status: 'differs', detail: problem };
  return { name, part, status: 'ok', detail: p.checked ?? 'runs and returns finite values of the right shapes' };
}

const BACKWARD_CHECKED = 'runs, and its backward pass agrees with a numerical gradient of its forward pass';

/** `dx` against a numerical gradient of `forward` at x, as a problem string or null. */
function gradientProblem(forward: (x: Tensor) => Tensor, x: Tensor, dout: Tensor, dx: Tensor): string | null {
  const error = relError(dx, evalNumericalGradientArray(forward, x, dout));
  return error <= GRADIENT_TOL ? null : `dx disagrees with a numerical gradient of your forward pass (relative error ${error.toExponential(1)})`;
}

const vector = (values: readonly number[]): Tensor => ({ shape: [values.length], data: Float64Array.from(values) });

/** The probes for a network of this kind. */
function probesFor(needs: ProbeNeeds, activation: ActivationName | null, init: InitializerName): Probe[] {
  const rng = createRng('probe');
  // NOTE: inputs are drawn once, outside the closures, so every implementation sees the same numbers.
  const x = randn([6, 5], rng);
  const dout = randn([6, 5], rng);
  const gamma = randn([5], rng);
  const beta = randn([5], rng);
  const images = randn([2, 4, 3, 3], rng);
  const dimages = randn([2, 4, 3, 3], rng);
  const g4 = randn([4], rng);
  const b4 = randn([4], rng);
  const splits = { train: randn([5, 2, 2, 3], rng), val: randn([2, 2, 2, 3], rng), test: randn([2, 2, 2, 3], rng) };
  const cube = randn([3, 4], rng);
  const probes: Probe[] = [];
  if (activation !== null) {
    probes.push({
      name: `${activation}Forward / ${activation}Backward`,
      part: 'activations',
      compute: (b) => {
        const f = b.activations[activation].forward(x);
        return { out: f.out, dx: b.activations[activation].backward(dout, f.cache) };
      },
      shapes: { out: [6, 5], dx: [6, 5] },
      selfCheck: (b, mine) => gradientProblem((v) => b.activations[activation].forward(v).out, x, dout, mine['dx']!),
      checked: BACKWARD_CHECKED,
    });
  }
  if (needs.learned !== null) probes.push(learnedProbe(needs.learned, x, dout, rng));
  if (needs.kind === 'fc' && needs.norm === 'batchnorm') {
    probes.push({
      name: 'batchnormForward / batchnormBackward',
      part: 'batchnorm',
      compute: (b) => {
        const f = b.batchnormForward(x, gamma, beta, { mode: 'train' });
        const g = b.batchnormBackward(dout, f.cache);
        const t = b.batchnormForward(x, gamma, beta, { mode: 'test', runningMean: f.runningMean, runningVar: f.runningVar });
        return { out: f.out, runningMean: f.runningMean, runningVar: f.runningVar, dx: g.dx, dgamma: g.dgamma, dbeta: g.dbeta, testOut: t.out };
      },
      shapes: { out: [6, 5], runningMean: [5], runningVar: [5], dx: [6, 5], dgamma: [5], dbeta: [5], testOut: [6, 5] },
      selfCheck: (b, mine) => gradientProblem((v) => b.batchnormForward(v, gamma, beta, { mode: 'train' }).out, x, dout, mine['dx']!),
      checked: BACKWARD_CHECKED,
    });
  }
  if (needs.kind === 'fc' && needs.norm === 'layernorm') {
    probes.push({
      name: 'layernormForward / layernormBackward',
      part: 'groupnorm',
      compute: (b) => {
        const f = b.layernormForward(x, gamma, beta);
        const g = b.layernormBackward(dout, f.cache);
        return { out: f.out, dx: g.dx, dgamma: g.dgamma, dbeta: g.dbeta };
      },
      shapes: { out: [6, 5], dx: [6, 5], dgamma: [5], dbeta: [5] },
      selfCheck: (b, mine) => gradientProblem((v) => b.layernormForward(v, gamma, beta).out, x, dout, mine['dx']!),
      checked: BACKWARD_CHECKED,
    });
  }
  if (needs.kind === 'conv' && needs.norm === 'groupnorm') {
    probes.push({
      name: 'groupnormForward / groupnormBackward',
      part: 'groupnorm',
      compute: (b) => {
        const f = b.groupnormForward(images, g4, b4, 2);
        const g = b.groupnormBackward(dimages, f.cache);
        return { out: f.out, dx: g.dx, dgamma: g.dgamma, dbeta: g.dbeta };
      },
      shapes: { out: [2, 4, 3, 3], dx: [2, 4, 3, 3], dgamma: [4], dbeta: [4] },
      selfCheck: (b, mine) => gradientProblem((v) => b.groupnormForward(v, g4, b4, 2).out, images, dimages, mine['dx']!),
      checked: BACKWARD_CHECKED,
    });
  }
  const initProbe = (name: InitializerName): Probe => ({
    name: INIT_FUNCTIONS[name],
    part: 'weightInit',
    compute: (b) => {
      const r = createRng('probe-init');
      return { w: name === 'xavier' ? b.xavierInit(30, 20, r) : name === 'he' ? b.heInit(30, 20, r) : b.smallRandomInit(30, 20, r, 0.01) };
    },
    shapes: { w: [30, 20] },
  });
  probes.push(initProbe(init));
  // --sanity's first check builds the network with small random weights.
  if (needs.sanity && init !== 'small') probes.push(initProbe('small'));
  if (needs.center !== 'none') {
    const center = needs.center;
    probes.push({
      name: 'preprocess',
      part: 'meanImage',
      compute: (b) => {
        const p = b.preprocess(splits, { center });
        return { train: p.train, val: p.val, test: p.test, mean: p.mean };
      },
      shapes: { train: [5, 2, 2, 3], val: [2, 2, 2, 3], test: [2, 2, 2, 3], mean: center === 'image' ? [2, 2, 3] : [3] },
    });
  }
  if (needs.sanity) {
    probes.push({
      name: 'gradCheckSparse',
      part: 'gradientCheck',
      // Σ x³ has the gradient 3x²: a correct check reports relative errors near 1e-10.
      compute: (b) => {
        const checks = b.gradCheckSparse((v) => v.data.reduce((s, e) => s + e ** 3, 0), cube, map(cube, (e) => 3 * e * e), 4, createRng('probe-gradcheck'));
        return { numerical: { shape: [checks.length], data: Float64Array.from(checks, (c) => c.numerical) }, relError: { shape: [checks.length], data: Float64Array.from(checks, (c) => c.relError) } };
      },
      shapes: { numerical: [4], relError: [4] },
      selfCheck: (_b, mine) => {
        const worst = Math.max(...mine['relError']!.data);
        return worst < 1e-6 ? null : `reports a relative error of ${worst.toExponential(1)} for a correct gradient (Σ x³ against 3x²)`;
      },
      checked: 'runs, and passes a correct gradient (Σ x³ against 3x²) with a tiny relative error',
    });
  }
  if (needs.sanity) probes.push(babysittingProbe(x, dout));
  if (needs.search) probes.push(searchProbe());
  return probes;
}

/** PReLU or maxout (exercise 10): forward and backward, dx checked against a numerical gradient. */
function learnedProbe(name: LearnedActivationName, x: Tensor, dout: Tensor, rng: ReturnType<typeof createRng>): Probe {
  if (name === 'prelu') {
    const alpha = map(randn([5], rng), (v) => 0.25 + 0.1 * v);
    return {
      name: 'preluForward / preluBackward',
      part: 'learned',
      compute: (b) => {
        const f = lecturePart(b, 'learned').preluForward(x, alpha);
        const g = lecturePart(b, 'learned').preluBackward(dout, f.cache);
        return { out: f.out, dx: g.dx, dalpha: g.dalpha };
      },
      shapes: { out: [6, 5], dx: [6, 5], dalpha: [5] },
      selfCheck: (b, mine) => gradientProblem((v) => lecturePart(b, 'learned').preluForward(v, alpha).out, x, dout, mine['dx']!),
      checked: BACKWARD_CHECKED,
    };
  }
  const W = randn([2, 5, 4], rng);
  const bias = randn([2, 4], rng);
  const dmax = randn([6, 4], rng);
  return {
    name: 'maxoutForward / maxoutBackward',
    part: 'learned',
    compute: (b) => {
      const f = lecturePart(b, 'learned').maxoutForward(x, W, bias);
      const g = lecturePart(b, 'learned').maxoutBackward(dmax, f.cache);
      return { out: f.out, dx: g.dx, dW: g.dW, db: g.db };
    },
    shapes: { out: [6, 4], dx: [6, 5], dW: [2, 5, 4], db: [2, 4] },
    selfCheck: (b, mine) => gradientProblem((v) => lecturePart(b, 'learned').maxoutForward(v, W, bias).out, x, dmax, mine['dx']!),
    checked: BACKWARD_CHECKED,
  };
}

const DIAGNOSES = ['lr-too-high', 'lr-too-low', 'bad-init', 'overfitting', 'healthy'] as const;
const VERDICTS = ['too-low', 'healthy', 'too-high'] as const;

/**
 * Exercise 07's functions on cases whose answers are not in doubt: an initial loss of 2.31 for 10
 * classes, a loss that rises with reg, a scripted run that memorizes at step 4, a curve that falls
 * and flattens with train and validation accuracy close together.
 */
function babysittingProbe(w: Tensor, dw: Tensor): Probe {
  const update = map(dw, (v) => -1e-3 * v);
  const curve = Array.from({ length: 20 }, (_, i) => 0.3 + 2 * Math.exp(-i / 4));
  return {
    name: 'checkInitialLoss / checkRegularization / overfitSmallData / updateToWeightRatio / updateRatioVerdict / diagnoseTraining',
    part: 'babysitting',
    compute: (b) => {
      const f = lecturePart(b, 'babysitting');
      const initial = f.checkInitialLoss(2.31, 10);
      const reg = f.checkRegularization([{ reg: 1, loss: 2.9 }, { reg: 0, loss: 2.31 }]);
      const overfit = f.overfitSmallData({ step: (s) => 2.3 / s, accuracy: (s) => Math.min(1, s / 4) }, 10);
      const ratio = f.updateToWeightRatio(w, update);
      const d = f.diagnoseTraining({ loss: curve, trainAcc: [0.5, 0.9], valAcc: [0.5, 0.86] });
      return {
        passed: vector([Number(initial.passed), Number(reg.passed), Number(overfit.passed)]),
        steps: vector([overfit.steps]),
        ratio: vector([ratio, VERDICTS.indexOf(f.updateRatioVerdict(ratio))]),
        diagnosis: vector([DIAGNOSES.indexOf(d.diagnosis), d.start, d.end, d.early, d.firstGap, d.lastGap]),
      };
    },
    shapes: { passed: [3], steps: [1], ratio: [2], diagnosis: [6] },
    selfCheck: (_b, mine) => {
      const passed = mine['passed']!.data;
      if (passed[0] !== 1) return 'checkInitialLoss fails an initial loss of 2.31 for 10 classes (ln 10 = 2.303)';
      if (passed[1] !== 1) return 'checkRegularization fails a loss that rises from 2.31 at reg 0 to 2.9 at reg 1';
      if (passed[2] !== 1 || mine['steps']!.data[0] !== 4) return `overfitSmallData does not stop at step 4 when the accuracy reaches 1 there (took ${mine['steps']!.data[0]} steps)`;
      if (mine['ratio']!.data[1] !== VERDICTS.indexOf('healthy')) return `updateRatioVerdict calls the ratio ${mine['ratio']!.data[0]!.toExponential(1)} ${VERDICTS[mine['ratio']!.data[1]!] ?? 'something else'}`;
      const diagnosis = DIAGNOSES[mine['diagnosis']!.data[0]!] ?? 'something else';
      return diagnosis === 'healthy' ? null : `diagnoseTraining calls a curve that falls and flattens, accuracies close, '${diagnosis}'`;
    },
    checked: 'runs, and gets the probe\'s clear cases right (an initial loss of ≈ ln 10, rising regularization, a run that memorizes, a healthy curve)',
  };
}

/** Exercise 08's functions on a small search: 4 draws, ranked, and the ranges around the best 2. */
function searchProbe(): Probe {
  const space: Space = { learningRate: { kind: 'logUniform', lo: 1e-4, hi: 1e-1 }, reg: { kind: 'logUniform', lo: 1e-6, hi: 1e-2 } };
  const scores = [0.3, 0.9, 0.5, 0.7];
  const range = (s: Space, name: string): number[] => {
    const d = s[name];
    return d && d.kind !== 'choice' ? [d.lo, d.hi] : [NaN, NaN];
  };
  return {
    name: 'randomSearch / rankTrials / coarseToFine',
    part: 'search',
    compute: (b) => {
      const f = lecturePart(b, 'search');
      const configs = f.randomSearch(space, 4, createRng('probe-search'));
      const results = configs.map((config, i) => ({ config, score: scores[i]! }));
      const ranked = f.rankTrials(results);
      const fine = f.coarseToFine(results, space, { top: 2 });
      return {
        draws: vector(configs.flatMap((c) => [Number(c['learningRate']), Number(c['reg'])])),
        ranked: vector(ranked.map((r) => r.score)),
        fine: vector([...range(fine, 'learningRate'), ...range(fine, 'reg')]),
      };
    },
    shapes: { draws: [8], ranked: [4], fine: [4] },
    selfCheck: (_b, mine) => {
      const draws = mine['draws']!.data;
      for (let i = 0; i < 4; i++) {
        if (!(draws[2 * i]! >= 1e-4 * (1 - 1e-9) && draws[2 * i]! <= 1e-1 * (1 + 1e-9))) return `randomSearch drew a learning rate of ${draws[2 * i]} outside [1e-4, 1e-1]`;
        if (!(draws[2 * i + 1]! >= 1e-6 * (1 - 1e-9) && draws[2 * i + 1]! <= 1e-2 * (1 + 1e-9))) return `randomSearch drew a reg of ${draws[2 * i + 1]} outside [1e-6, 1e-2]`;
      }
      if (Array.from(mine['ranked']!.data).join() !== '0.9,0.7,0.5,0.3') return `rankTrials ranks the scores 0.3, 0.9, 0.5, 0.7 as ${Array.from(mine['ranked']!.data).join(', ')}`;
      const [lo, hi] = mine['fine']!.data;
      const best = draws[2]!;
      return lo! <= best && best <= hi! ? null : `coarseToFine's learning-rate range [${lo}, ${hi}] leaves out the best trial's ${best}`;
    },
    checked: 'runs, draws inside the ranges, ranks best first, and keeps the best trial inside the fine range',
  };
}

const INIT_FUNCTIONS: Record<InitializerName, string> = { xavier: 'xavierInit', he: 'heInit', small: 'smallRandomInit' };

/**
 * Probes the functions a network of this kind needs: against `reference` when given, else on
 * their own (see the file's comment).
 */
export function probeBlocks(blocks: BuildingBlocks, needs: ProbeNeeds, reference: BuildingBlocks | null = null): ProbeResult[] {
  return probesFor(needs, needs.activation, needs.init).map((p) => runProbe(p, blocks, reference));
}

/**
 * For a part that is not ready, the flags that train without it, or null when the network cannot
 * do without it. Activations and initializers offer the student's other, working ones.
 */
export function trainWithout(result: ProbeResult, blocks: BuildingBlocks, needs: ProbeNeeds): string | null {
  const works = (probe: Probe): boolean => runProbe(probe, blocks, null).status === 'ok';
  switch (result.part) {
    case 'activations':
    case 'learned': {
      const plain = { ...needs, learned: null, sanity: false, search: false };
      const others = ACTIVATIONS.filter((a) => a !== needs.activation && works(probesFor(plain, a, needs.init)[0]!));
      return others.length > 0 ? `--activation ${others.join('|')}` : null;
    }
    case 'weightInit': {
      if (result.name === INIT_FUNCTIONS.small && needs.init !== 'small') return 'leave out --sanity';
      const others = INITIALIZERS.filter((i) => i !== needs.init && works(probesFor({ ...needs, center: 'none', sanity: false }, needs.activation, i).find((p) => p.part === 'weightInit')!));
      return others.length > 0 ? `--init ${others.join('|')}` : null;
    }
    case 'batchnorm':
    case 'groupnorm':
      return '--norm none';
    case 'meanImage':
      return '--center none';
    case 'gradientCheck':
    case 'babysitting':
      return 'leave out --sanity';
    case 'search':
      return 'leave out --search';
  }
}

/** One line for a probe that is not ready: its exercise, and how to go on. */
export function advice(result: ProbeResult, blocks: BuildingBlocks, needs: ProbeNeeds): string {
  const exercise = PARTS[result.part].exercise;
  const without = trainWithout(result, blocks, needs);
  const finish = result.status === 'not-implemented' ? `finish exercise ${exercise}` : `fix exercise ${exercise}`;
  return `${finish} (npm test exercises/${exercise})${without ? `, or train without it: ${without}` : ': the network cannot train without it'}`;
}
