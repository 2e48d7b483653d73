/**
 * The functions f of exercise 05's tests (gradient checking), named by the fixture cases (a
 * fixture cannot hold a function: each case names one of these tables and carries its `params`),
 * with the closed-form gradients the tests compare against; and the trainers of exercise 07's
 * `overfitSmallData` (an object of two functions, `step` and `accuracy`). Shared by the fixture
 * generator, the public suite and the grader's hidden suite, so a case means the same function
 * everywhere.
 */
import { add, map, matmul, type Tensor } from '../index.ts';

export type Params = Readonly<Record<string, Tensor>>;

/**
 * How a test function was made — its table, name and params — which is all it takes to make it
 * again elsewhere: the grader rebuilds these functions inside its sandbox (they hide nothing), so
 * a student's gradient check calls them there instead of across the boundary.
 */
export interface TestFunctionDescription {
  table: 'scalarFunctions' | 'arrayFunctions' | 'trainers';
  name: string;
  params: Params;
  /** Set by `recorded`: the function keeps a copy of every x it is called with. */
  records?: true;
  /** Set by `failingOnCall`: the function throws on this call (1 = the first). */
  failsOnCall?: number;
}

/** What a test function has seen, for the test to read afterwards (see `recorded`, `failingOnCall`). */
export interface TestFunctionState<Call = Tensor> {
  /** Copies of the inputs it was called with, for a `recorded` function; a trainer's log ('step 1', 'accuracy 1', …). */
  calls: Call[];
  /** How many times it has been called (a trainer: both of its functions together). */
  count: number;
}

const descriptions = new WeakMap<object, TestFunctionDescription>();
const states = new WeakMap<object, TestFunctionState<unknown>>();

/** A function, or an object of functions (a trainer): what the tables below make. */
const isMade = (value: unknown): value is object => typeof value === 'function' || (typeof value === 'object' && value !== null);

/** The description of a function or trainer made from one of the tables below, or undefined for any other value. */
export function describeTestFunction(fn: unknown): TestFunctionDescription | undefined {
  return isMade(fn) ? descriptions.get(fn) : undefined;
}

/** What a test function or trainer has seen so far (its calls, when recorded, and their count). */
export function testFunctionState(fn: unknown): TestFunctionState<unknown> | undefined {
  return isMade(fn) ? states.get(fn) : undefined;
}

/**
 * Brings a test function to a state seen elsewhere (the grader copies the state of the function it
 * rebuilt in the sandbox back into the test's own, after the student's code ran).
 */
export function restoreTestFunctionState(fn: unknown, state: TestFunctionState<unknown>): void {
  const own = testFunctionState(fn);
  if (!own) return;
  own.calls.splice(0, own.calls.length, ...state.calls);
  own.count = state.count;
}

/** Wraps `inner` with a state, per its description's options, and remembers how it was made. */
function withState<T>(inner: (x: Tensor) => T, description: TestFunctionDescription, state?: TestFunctionState): (x: Tensor) => T {
  const own: TestFunctionState = { calls: state ? [...state.calls] : [], count: state?.count ?? 0 };
  const fn = Object.assign(
    (x: Tensor): T => {
      own.count++;
      if (description.records) own.calls.push({ shape: [...x.shape], data: x.data.slice() });
      if (description.failsOnCall === own.count) throw new Error('f failed on purpose');
      return inner(x);
    },
    description.records ? { calls: own.calls } : {},
  );
  descriptions.set(fn, description);
  states.set(fn, own);
  rawFunctions.set(fn, inner);
  return fn;
}

/** The function (or trainer) a description names, made afresh with the given state (see `describeTestFunction`). */
export function rebuildTestFunction(description: TestFunctionDescription, state?: TestFunctionState<unknown>): unknown {
  if (description.table === 'trainers') {
    const factory = Object.hasOwn(trainerFactories, description.name) ? trainerFactories[description.name] : undefined;
    if (!factory) throw new RangeError(`rebuildTestFunction: no trainers.${description.name}`);
    return trainerWithState(factory, { table: 'trainers', name: description.name, params: description.params }, state as TestFunctionState<string> | undefined);
  }
  const table: Readonly<Record<string, (params: Params) => (x: Tensor) => unknown>> = description.table === 'scalarFunctions' ? scalarFunctions : arrayFunctions;
  const factory = Object.hasOwn(table, description.name) ? table[description.name] : undefined;
  if (!factory) throw new RangeError(`rebuildTestFunction: no ${description.table}.${description.name}`);
  const { table: t, name, params } = description;
  return withState(factory(params), { table: t, name, params, ...(description.records ? { records: true as const } : {}), ...(description.failsOnCall ? { failsOnCall: description.failsOnCall } : {}) }, state as TestFunctionState | undefined);
}

/** The undecorated function behind a test function (or the function itself). */
function raw<T>(fn: (x: Tensor) => T): (x: Tensor) => T {
  return (rawFunctions.get(fn) as ((x: Tensor) => T) | undefined) ?? fn;
}

const rawFunctions = new WeakMap<object, unknown>();

/** The same test function, keeping a copy of every x it is called with in its `calls`. */
export function recorded<T>(fn: (x: Tensor) => T): ((x: Tensor) => T) & { readonly calls: Tensor[] } {
  const description = descriptions.get(fn);
  if (!description) throw new TypeError('recorded: only a test function of lib/testing/functions.ts can be recorded');
  return withState(raw(fn), { ...description, records: true }) as ((x: Tensor) => T) & { readonly calls: Tensor[] };
}

/** The same test function, throwing `Error('f failed on purpose')` on its `n`-th call. */
export function failingOnCall<T>(fn: (x: Tensor) => T, n: number): (x: Tensor) => T {
  const description = descriptions.get(fn);
  if (!description) throw new TypeError('failingOnCall: only a test function of lib/testing/functions.ts can fail on purpose');
  return withState(raw(fn), { ...description, failsOnCall: n });
}

/** Wraps each factory of a table so that every function it makes remembers how it was made. */
function described<T>(table: TestFunctionDescription['table'], factories: Readonly<Record<string, (params: Params) => (x: Tensor) => T>>) {
  const out: Record<string, (params: Params) => (x: Tensor) => T> = {};
  for (const [name, factory] of Object.entries(factories)) {
    out[name] = (params: Params) => {
      return withState(factory(params), { table, name, params });
    };
  }
  return Object.freeze(out) as Readonly<Record<string, (params: Params) => (x: Tensor) => T>>;
}

/**
 * Softmax cross-entropy of the scores `X W` against labels `y`, averaged over the N rows:
 * `L(W) = −(1/N) Σ_n log softmax(X_n W)_{y_n}` with X `[N, D]`, W `[D, K]`, y `[N]` (class indices).
 */
export function softmaxLoss(X: Tensor, y: Tensor, W: Tensor): number {
  const scores = matmul(X, W);
  const [N, K] = scores.shape as [number, number];
  let loss = 0;
  for (let n = 0; n < N; n++) {
    let top = -Infinity;
    for (let k = 0; k < K; k++) top = Math.max(top, scores.data[n * K + k]!);
    let z = 0;
    for (let k = 0; k < K; k++) z += Math.exp(scores.data[n * K + k]! - top);
    loss -= scores.data[n * K + y.data[n]!]! - top - Math.log(z);
  }
  return loss / N;
}

/** Scalar functions `f(x) → number` by name; `params` are the case's. */
export const scalarFunctions = described<number>('scalarFunctions', {
  /** Σ x³: the centred difference is exactly 3x² + h², a forward one 3x² + 3xh + h². */
  sumCubes: () => (x) => x.data.reduce((s, v) => s + v * v * v, 0),
  /** ½ xᵀ A x + bᵀ x over the flattened x, A `[n, n]` not symmetric: every element couples to every other. */
  quadratic:
    ({ A, b }) =>
    (x) => {
      const n = x.data.length;
      let s = 0;
      for (let i = 0; i < n; i++) {
        s += b!.data[i]! * x.data[i]!;
        for (let j = 0; j < n; j++) s += 0.5 * x.data[i]! * A!.data[i * n + j]! * x.data[j]!;
      }
      return s;
    },
  /** Σ x²: at x = 0 the centred difference is exactly 0, and so is the gradient 2x. */
  sumSquares: () => (x) => x.data.reduce((s, v) => s + v * v, 0),
  /** Σ (i + 1)·x_i² over the flattened x: separable, with a different weight for every element. */
  weightedSquares: () => (x) => x.data.reduce((s, v, i) => s + (i + 1) * v * v, 0),
  /** Softmax loss as a function of the weights W, as in a real gradient check. */
  softmaxLoss:
    ({ X, y }) =>
    (W) =>
      softmaxLoss(X!, y!, W),
});

/** Tensor-valued functions `f(x) → Tensor` by name. */
export const arrayFunctions = described<Tensor>('arrayFunctions', {
  /** Elementwise tanh. */
  tanh: () => (x) => map(x, Math.tanh),
  /** Elementwise x³ (with h, the centred difference is dout ⊙ (3x² + h²)). */
  cube: () => (x) => map(x, (v) => v * v * v),
  /** An affine layer x W + b: x `[N, D]`, W `[D, M]`, b `[M]`. */
  affine:
    ({ W, b }) =>
    (x) =>
      add(matmul(x, W!), b!),
  /** A x with x on the right: A `[K, D]`, x `[D, M]`. */
  leftProduct:
    ({ A }) =>
    (x) =>
      matmul(A!, x),
  /** Elementwise sine. */
  sin: () => (x) => map(x, Math.sin),
  /** x W with x on the left: x `[N, D]`, W `[D, M]`. */
  rightProduct:
    ({ W }) =>
    (x) =>
      matmul(x, W!),
  /** tanh(A x) as a function of the right factor: A `[N, D]`, x `[D, M]` (a tanh layer's weights). */
  tanhOfProduct:
    ({ A }) =>
    (x) =>
      map(matmul(A!, x), Math.tanh),
  /** The flattened x times W `[n, M]`, as a tensor of rank 1: the output's rank differs from x's. */
  flatProduct:
    ({ W }) =>
    (x) => ({ shape: [W!.shape[1]!], data: matmul({ shape: [1, x.data.length], data: x.data }, W!).data }),
  /** The input itself: its output shares data with the argument. */
  identity: () => (x) => x,
  /** The input's data under a flat shape: a view that shares memory with the argument. */
  flatView: () => (x) => ({ shape: [x.data.length], data: x.data }),
  /** tanh(x W) flattened to one axis: the output has neither x's shape nor x's rank. */
  tanhLayerFlat:
    ({ W }) =>
    (x) => {
      const out = map(matmul(x, W!), Math.tanh);
      return { shape: [out.data.length], data: out.data };
    },
});

/** Σ x³, whose gradient is 3x². */
export const sumCubes = scalarFunctions['sumCubes']!({});

/** Analytic gradient of `softmaxLoss` with respect to W: `Xᵀ (P − Y) / N`. */
export function softmaxLossGradient(X: Tensor, y: Tensor, W: Tensor): Tensor {
  const scores = matmul(X, W);
  const [N, D] = X.shape as [number, number];
  const K = W.shape[1]!;
  const dW = new Float64Array(D * K);
  for (let n = 0; n < N; n++) {
    const row = scores.data.subarray(n * K, (n + 1) * K);
    const top = Math.max(...row);
    const e = Array.from(row, (v) => Math.exp(v - top));
    const z = e.reduce((s, v) => s + v, 0);
    for (let k = 0; k < K; k++) {
      const dScore = (e[k]! / z - (y.data[n] === k ? 1 : 0)) / N;
      for (let d = 0; d < D; d++) dW[d * K + k]! += X.data[n * D + d]! * dScore;
    }
  }
  return { shape: [D, K], data: dW };
}

// ---------------------------------------------------------------------------------------------
// Trainers: what exercise 07's `overfitSmallData(trainer, maxSteps)` drives. A trainer is an object
// of two functions, described as a whole (table 'trainers'), so that both share one log of calls.
// ---------------------------------------------------------------------------------------------

/** The training loop `overfitSmallData` drives, with the log of every call it received. */
export interface TestTrainer {
  /** Runs training step s (s = 1, 2, …); returns its loss. */
  step: (s: number) => number;
  /** The accuracy after step s, in [0, 1]. */
  accuracy: (s: number) => number;
  /** 'step 1', 'accuracy 1', 'step 2', … in the order of the calls. */
  readonly calls: readonly string[];
}

type TrainerFactory = (params: Params) => { step: (s: number) => number; accuracy: (s: number) => number };

/**
 * A trainer around `factory(params)`: every call is logged, and must pass a step number
 * s = 1, 2, … (a RangeError says so otherwise). Both functions are pure in s, so a trainer made
 * again from its description, anywhere (the grader's sandbox), answers every call as the original.
 */
function trainerWithState(factory: TrainerFactory, description: TestFunctionDescription, state?: TestFunctionState<string>): TestTrainer {
  const own: TestFunctionState<string> = { calls: state ? [...state.calls] : [], count: state?.count ?? 0 };
  const inner = factory(description.params);
  const logged =
    (what: 'step' | 'accuracy') =>
    (s: number): number => {
      own.count++;
      own.calls.push(`${what} ${String(s)}`);
      if (!Number.isInteger(s) || s < 1) throw new RangeError(`trainer.${what} was called with s = ${String(s)}: pass the step number, 1, 2, …`);
      return inner[what](s);
    };
  const trainer: TestTrainer = { step: logged('step'), accuracy: logged('accuracy'), calls: own.calls };
  descriptions.set(trainer, description);
  states.set(trainer, own);
  return trainer;
}

/** Entry s (from 1) of a script, its last entry past the end. */
const played = (list: Tensor, s: number): number => list.data[Math.min(s, list.data.length) - 1]!;

/** The fraction of rows of X W whose largest score (the first, on ties) is at the row's label. */
function linearAccuracy(X: Tensor, y: Tensor, W: Tensor): number {
  const scores = matmul(X, W);
  const [N, K] = scores.shape as [number, number];
  let right = 0;
  for (let n = 0; n < N; n++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (scores.data[n * K + k]! > scores.data[n * K + best]!) best = k;
    if (best === y.data[n]) right++;
  }
  return right / N;
}

const trainerFactories: Readonly<Record<string, TrainerFactory>> = {
  /** Plays back a script: step s returns losses[s − 1], accuracy(s) is accuracies[s − 1]. */
  scripted: ({ losses, accuracies }) => ({ step: (s) => played(losses!, s), accuracy: (s) => played(accuracies!, s) }),
  /**
   * A linear softmax classifier (scores X W) on X `[N, D]` with labels y `[N]`, trained by plain
   * SGD from W0 `[D, K]` with the rate `learningRate [1]`: step s returns the loss at the weights
   * of s − 1 steps (and takes step s), accuracy(s) is the training accuracy after s steps. The
   * weights of every step are kept, so a call for any s costs at most the steps not yet taken.
   */
  linearSoftmax: ({ X, y, W0, learningRate }) => {
    const lr = learningRate!.data[0]!;
    const weights: Tensor[] = [W0!];
    const after = (steps: number): Tensor => {
      while (weights.length <= steps) {
        const W = weights[weights.length - 1]!;
        const dW = softmaxLossGradient(X!, y!, W);
        weights.push(map(W, (w, k) => w - lr * dW.data[k]!));
      }
      return weights[steps]!;
    };
    return { step: (s) => softmaxLoss(X!, y!, after(s - 1)), accuracy: (s) => linearAccuracy(X!, y!, after(s)) };
  },
};

const vector = (values: readonly number[]): Tensor => ({ shape: [values.length], data: Float64Array.from(values) });

/**
 * A trainer that plays back a script: step s (from 1) returns losses[s − 1] and the accuracy after
 * step s is accuracies[s − 1]; past the end of a list its last value repeats. Its `calls` log
 * every call in order.
 */
export function scriptedTrainer(losses: readonly number[], accuracies: readonly number[]): TestTrainer {
  return trainerWithState(trainerFactories['scripted']!, { table: 'trainers', name: 'scripted', params: { losses: vector(losses), accuracies: vector(accuracies) } });
}

/**
 * A real trainer: a linear softmax classifier (scores = X W) on X `[N, D]` with labels y `[N]`,
 * plain SGD from W0 `[D, K]` (see `trainerFactories.linearSoftmax`). With D > N the points are
 * separable, so a loop that works memorizes them.
 */
export function linearSoftmaxTrainer(X: Tensor, y: Tensor, W0: Tensor, learningRate: number): TestTrainer {
  return trainerWithState(trainerFactories['linearSoftmax']!, { table: 'trainers', name: 'linearSoftmax', params: { X, y, W0, learningRate: vector([learningRate]) } });
}

/** Analytic gradient of `quadratic`: ½ (A + Aᵀ) x + b. */
export function quadraticGradient(A: Tensor, b: Tensor, x: Tensor): Tensor {
  const n = x.data.length;
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    g[i] = b.data[i]!;
    for (let j = 0; j < n; j++) g[i]! += 0.5 * (A.data[i * n + j]! + A.data[j * n + i]!) * x.data[j]!;
  }
  return { shape: [...x.shape], data: g };
}


/** Unit roundoff of float64, 2⁻⁵³. */
const U = 2 ** -53;

/**
 * For each scalar function, a bound on the rounding error of one evaluation, whatever order its
 * sums are taken in: n terms summed carry at most γₙ·Σ|terms| ≤ (n + 1)·u·Σ|terms| (Higham §4.2),
 * each product or power a few more u of its own size. A centred difference divides the
 * difference of two such evaluations by 2h, which is how much two correct numerical gradients can
 * differ when they evaluate f at points one ulp apart (`x[i] += h … x[i] -= 2h` instead of
 * `old ± h`), or how far either is from the exact difference quotient.
 */
export const scalarRounding: Readonly<Record<string, (params: Params) => (x: Tensor) => number>> = {
  sumCubes: () => (x) => (x.data.length + 3) * U * x.data.reduce((s, v) => s + Math.abs(v) ** 3, 0),
  quadratic:
    ({ A, b }) =>
    (x) => {
      const n = x.data.length;
      let s = 0;
      for (let i = 0; i < n; i++) {
        s += Math.abs(b!.data[i]! * x.data[i]!);
        for (let j = 0; j < n; j++) s += 0.5 * Math.abs(x.data[i]! * A!.data[i * n + j]! * x.data[j]!);
      }
      return (n * n + n + 4) * U * s;
    },
  sumSquares: () => (x) => (x.data.length + 2) * U * x.data.reduce((s, v) => s + v * v, 0),
  weightedSquares: () => (x) => (x.data.length + 3) * U * x.data.reduce((s, v, i) => s + (i + 1) * v * v, 0),
  softmaxLoss:
    ({ X, y }) =>
    (W) => {
      // Per example: each score s_k = X_n W_k errs by (D + 2)·u·Σ_d |X_nd W_dk|; the loss term
      // −(s_y − top − log Σ exp(s_k − top)) moves by at most 3 times the largest score error, plus
      // (K + 6)·u of 1 + |log z| + |s_y − top| for the exponentials, the sum and the logarithm.
      const [N, D] = X!.shape as [number, number];
      const K = W.shape[1]!;
      const scores = matmul(X!, W);
      let total = 0;
      for (let n = 0; n < N; n++) {
        let top = -Infinity;
        let scoreError = 0;
        for (let k = 0; k < K; k++) {
          top = Math.max(top, scores.data[n * K + k]!);
          let mag = 0;
          for (let d = 0; d < D; d++) mag += Math.abs(X!.data[n * D + d]! * W.data[d * K + k]!);
          scoreError = Math.max(scoreError, (D + 2) * U * mag);
        }
        let z = 0;
        for (let k = 0; k < K; k++) z += Math.exp(scores.data[n * K + k]! - top);
        total += 3 * scoreError + (K + 6) * U * (1 + Math.abs(Math.log(z)) + Math.abs(scores.data[n * K + y!.data[n]!]! - top));
      }
      return total / N + U * Math.abs(softmaxLoss(X!, y!, W));
    },
};

/** For each tensor-valued function, a bound on the rounding error of each output of one evaluation (see `scalarRounding`). */
export const arrayRounding: Readonly<Record<string, (params: Params) => (x: Tensor) => Tensor>> = {
  tanh: () => (x) => map(x, () => 2 * U),
  cube: () => (x) => map(x, (v) => 3 * U * Math.abs(v) ** 3),
  affine:
    ({ W, b }) =>
    (x) => {
      const D = x.shape[1]!;
      return add(map(matmul(map(x, Math.abs), map(W!, Math.abs)), (v) => (D + 3) * U * v), map(b!, (v) => 2 * U * Math.abs(v)));
    },
  leftProduct:
    ({ A }) =>
    (x) =>
      map(matmul(map(A!, Math.abs), map(x, Math.abs)), (v) => (A!.shape[1]! + 2) * U * v),
  sin: () => (x) => map(x, () => 2 * U),
  rightProduct:
    ({ W }) =>
    (x) =>
      map(matmul(map(x, Math.abs), map(W!, Math.abs)), (v) => (x.shape[1]! + 2) * U * v),
  tanhOfProduct:
    ({ A }) =>
    (x) =>
      map(matmul(map(A!, Math.abs), map(x, Math.abs)), (v) => (A!.shape[1]! + 2) * U * v + 2 * U),
  flatProduct:
    ({ W }) =>
    (x) => ({ shape: [W!.shape[1]!], data: matmul({ shape: [1, x.data.length], data: x.data.map(Math.abs) }, map(W!, Math.abs)).data.map((v) => (x.data.length + 2) * U * v) }),
  identity: () => (x) => map(x, () => 0),
  flatView: () => (x) => ({ shape: [x.data.length], data: new Float64Array(x.data.length) }),
  tanhLayerFlat:
    ({ W }) =>
    (x) => {
      const out = map(matmul(map(x, Math.abs), map(W!, Math.abs)), (v) => (x.shape[1]! + 2) * U * v + 2 * U);
      return { shape: [out.data.length], data: out.data };
    },
};
