/**
 * Before training on a student's building blocks, run each function the chosen network needs on a
 * small input and compare with the reference: a stub says so in one line instead of crashing in
 * epoch 1, and a subtly wrong function is flagged before it quietly ruins the run.
 */
import { compareAllClose, createRng, isNotImplementedError, randn, type Tensor } from '../../lib/index.ts';
import { REFERENCE, type ActivationName, type BuildingBlocks, type InitializerName } from './building-blocks.ts';

export interface ProbeResult {
  name: string;
  status: 'ok' | 'differs' | 'not-implemented' | 'error';
  detail: string;
}

export interface ProbeNeeds {
  kind: 'fc' | 'conv';
  /** null for an activation that is not exercise 01's (PReLU and maxout, exercise 10). */
  activation: ActivationName | null;
  norm: string;
  init: InitializerName;
}

const TOL = { rtol: 1e-6, atol: 1e-9 };

/** Max |a − b| over two tensors (Infinity when the shapes differ). */
function gap(a: Tensor, b: Tensor): number {
  if (a.data.length !== b.data.length || a.shape.join() !== b.shape.join()) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!));
  return Number.isNaN(worst) ? Infinity : worst;
}

/** Runs one probe: `compute(blocks)` returns named outputs, compared with the reference's. */
function probe(name: string, blocks: BuildingBlocks, compute: (b: BuildingBlocks) => Record<string, Tensor>): ProbeResult {
  let mine: Record<string, Tensor>;
  try {
    mine = compute(blocks);
  } catch (error) {
    if (isNotImplementedError(error)) return { name, status: 'not-implemented', detail: (error as Error).message };
    return { name, status: 'error', detail: `threw ${(error as Error).name}: ${(error as Error).message.split('\n')[0]}` };
  }
  const reference = compute(REFERENCE);
  for (const [key, want] of Object.entries(reference)) {
    const got = mine[key];
    if (got === undefined || compareAllClose(got, want, TOL).kind !== 'ok') {
      return { name, status: 'differs', detail: `${key} differs from the reference (max |difference| ${got ? gap(got, want).toExponential(1) : 'n/a'})` };
    }
  }
  return { name, status: 'ok', detail: 'matches the reference' };
}

/** Probes the functions a network of this kind needs. */
export function probeBlocks(blocks: BuildingBlocks, needs: ProbeNeeds): ProbeResult[] {
  const rng = createRng('probe');
  const x = randn([6, 5], rng);
  const dout = randn([6, 5], rng);
  const gamma = randn([5], rng);
  const beta = randn([5], rng);
  const results: ProbeResult[] = [];
  const act = needs.activation;
  if (act !== null) {
    results.push(
      probe(`${act}Forward / ${act}Backward`, blocks, (b) => {
        const f = b.activations[act].forward(x);
        return { out: f.out, dx: b.activations[act].backward(dout, f.cache) };
      }),
    );
  }
  if (needs.kind === 'fc' && needs.norm === 'batchnorm') {
    results.push(
      probe('batchnormForward / batchnormBackward', blocks, (b) => {
        const f = b.batchnormForward(x, gamma, beta, { mode: 'train' });
        const g = b.batchnormBackward(dout, f.cache);
        const t = b.batchnormForward(x, gamma, beta, { mode: 'test', runningMean: f.runningMean, runningVar: f.runningVar });
        return { out: f.out, runningMean: f.runningMean, runningVar: f.runningVar, dx: g.dx, dgamma: g.dgamma, dbeta: g.dbeta, testOut: t.out };
      }),
    );
  }
  if (needs.kind === 'fc' && needs.norm === 'layernorm') {
    results.push(
      probe('layernormForward / layernormBackward', blocks, (b) => {
        const f = b.layernormForward(x, gamma, beta);
        const g = b.layernormBackward(dout, f.cache);
        return { out: f.out, dx: g.dx, dgamma: g.dgamma, dbeta: g.dbeta };
      }),
    );
  }
  if (needs.kind === 'conv' && needs.norm === 'groupnorm') {
    const images = randn([2, 4, 3, 3], rng);
    const dimages = randn([2, 4, 3, 3], rng);
    const g4 = randn([4], rng);
    const b4 = randn([4], rng);
    results.push(
      probe('groupnormForward / groupnormBackward', blocks, (b) => {
        const f = b.groupnormForward(images, g4, b4, 2);
        const g = b.groupnormBackward(dimages, f.cache);
        return { out: f.out, dx: g.dx, dgamma: g.dgamma, dbeta: g.dbeta };
      }),
    );
  }
  const initName = { xavier: 'xavierInit', he: 'heInit', small: 'smallRandomInit' }[needs.init];
  results.push(
    probe(initName, blocks, (b) => {
      const r = createRng('probe-init');
      const w = needs.init === 'xavier' ? b.xavierInit(30, 20, r) : needs.init === 'he' ? b.heInit(30, 20, r) : b.smallRandomInit(30, 20, r, 0.01);
      return { w };
    }),
  );
  // NOTE: inputs are drawn once, outside the closures, so both implementations see the same numbers.
  const splits = { train: randn([5, 2, 2, 3], rng), val: randn([2, 2, 2, 3], rng), test: randn([2, 2, 2, 3], rng) };
  results.push(
    probe('preprocess', blocks, (b) => {
      const p = b.preprocess(splits, { center: 'image' });
      return { train: p.train, val: p.val, test: p.test, mean: p.mean };
    }),
  );
  return results;
}
