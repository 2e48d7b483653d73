/**
 * `npm run bench:train` — samples per second of one training step (forward, backward, SGD update)
 * of a 784-512-512-10 ReLU network on a batch of 256, with and without batch norm, for the kit and,
 * in the same run, for TensorFlow.js's pure-JS CPU backend on the same network. Median of 5 steps
 * after 2 warm-up steps.
 *
 * Fairness notes, printed with the results:
 * - tfjs-core ships no registered gradients (the `@tensorflow/tfjs` union package adds them), so
 *   the TF.js step writes the backward pass by hand with TF.js ops — the same arithmetic as the
 *   kit, without autodiff's tape. TF.js runs in production mode (debug checks off) and in float32
 *   (its only float type on the CPU backend); the kit in float64.
 * - TF.js's CPU backend is single-threaded; the kit is measured on 1 thread and on all cores.
 */
import { availableParallelism, loadavg } from 'node:os';
import { createRng, randn, type Tensor } from '../lib/index.ts';
import { setGemmThreads, startGemmThreads } from '../network/gemm-threads.ts';
import { KIT_ROOT, loadBuildingBlocks } from '../network/building-blocks.ts';
import { FullyConnectedNet } from '../network/fc-net.ts';
import { sgd } from '../network/optim.ts';

const REFERENCE = await loadBuildingBlocks('solutions', KIT_ROOT);

const BATCH = 256;
const DIMS = [784, 512, 512, 10] as const;
const WARMUP = 2;
const RUNS = 5;
const LR = 1e-2;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median wall time of `step` in ms, after warm-up. */
function time(step: () => void): { ms: number; all: number[] } {
  for (let i = 0; i < WARMUP; i++) step();
  const all: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    step();
    all.push(performance.now() - t);
  }
  return { ms: median(all), all };
}

const rng = createRng('bench:train');
const x = randn([BATCH, DIMS[0]], rng);
const y = Int32Array.from({ length: BATCH }, () => rng.randint(0, 10));

/** One kit step: the model's loss and gradients, then SGD on every parameter. */
function kitStep(normalization: 'none' | 'batchnorm'): () => void {
  const net = new FullyConnectedNet({ inputDim: DIMS[0], hiddenDims: [DIMS[1], DIMS[2]], numClasses: DIMS[3], normalization, seed: 0 }, REFERENCE);
  return () => {
    const { grads } = net.loss(x, y);
    const next: Record<string, Tensor> = {};
    for (const [name, w] of Object.entries(net.params)) next[name] = sgd(w, grads[name]!, { learningRate: LR }).w;
    net.params = next;
  };
}

type Tf = typeof import('@tensorflow/tfjs-core');

/** One TF.js step, backward by hand (see the note above). */
function tfStep(tf: Tf, normalization: 'none' | 'batchnorm'): () => void {
  const he = (i: number, o: number) => tf.mul(tf.randomNormal([i, o], 0, 1, 'float32', 1), Math.sqrt(2 / i));
  let params: Record<string, import('@tensorflow/tfjs-core').Tensor> = {
    W1: he(DIMS[0], DIMS[1]), b1: tf.zeros([DIMS[1]]), W2: he(DIMS[1], DIMS[2]), b2: tf.zeros([DIMS[2]]), W3: he(DIMS[2], DIMS[3]), b3: tf.zeros([DIMS[3]]),
    gamma1: tf.ones([DIMS[1]]), beta1: tf.zeros([DIMS[1]]), gamma2: tf.ones([DIMS[2]]), beta2: tf.zeros([DIMS[2]]),
  };
  const xs = tf.tensor2d(Float32Array.from(x.data), [BATCH, DIMS[0]], 'float32');
  const onehot = tf.oneHot(tf.tensor1d(y, 'int32'), DIMS[3]);
  const eps = 1e-5;
  return () => {
    const next = tf.tidy(() => {
      const p = params;
      const g: Record<string, import('@tensorflow/tfjs-core').Tensor> = {};
      // Forward: affine → [batch norm] → relu, twice, then affine.
      const layer = (h: import('@tensorflow/tfjs-core').Tensor, l: number) => {
        const a = tf.add(tf.matMul(h, p[`W${l}`]!), p[`b${l}`]!);
        if (normalization === 'none') return { a, xhat: a, invStd: a, z: a, out: tf.relu(a) };
        const { mean, variance } = tf.moments(a, 0);
        const invStd = tf.rsqrt(tf.add(variance, eps));
        const xhat = tf.mul(tf.sub(a, mean), invStd);
        const z = tf.add(tf.mul(xhat, p[`gamma${l}`]!), p[`beta${l}`]!);
        return { a, xhat, invStd, z, out: tf.relu(z) };
      };
      const l1 = layer(xs, 1);
      const l2 = layer(l1.out, 2);
      const scores = tf.add(tf.matMul(l2.out, p['W3']!), p['b3']!);
      const probs = tf.softmax(scores);
      const loss = tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.log(probs)), 1)));
      // Backward.
      const dscores = tf.div(tf.sub(probs, onehot), BATCH);
      g['W3'] = tf.matMul(l2.out, dscores, true, false);
      g['b3'] = tf.sum(dscores, 0);
      let dh = tf.matMul(dscores, p['W3']!, false, true);
      const back = (l: number, cache: ReturnType<typeof layer>, input: import('@tensorflow/tfjs-core').Tensor, needDx: boolean) => {
        let da: import('@tensorflow/tfjs-core').Tensor;
        if (normalization === 'none') da = tf.mul(dh, tf.step(cache.a));
        else {
          const dz = tf.mul(dh, tf.step(cache.z));
          g[`gamma${l}`] = tf.sum(tf.mul(dz, cache.xhat), 0);
          g[`beta${l}`] = tf.sum(dz, 0);
          const dxhat = tf.mul(dz, p[`gamma${l}`]!);
          // dx = (1/N)·invStd·(N·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂))
          da = tf.mul(tf.div(cache.invStd, BATCH), tf.sub(tf.sub(tf.mul(dxhat, BATCH), tf.sum(dxhat, 0)), tf.mul(cache.xhat, tf.sum(tf.mul(dxhat, cache.xhat), 0))));
        }
        g[`W${l}`] = tf.matMul(input, da, true, false);
        g[`b${l}`] = tf.sum(da, 0);
        if (needDx) dh = tf.matMul(da, p[`W${l}`]!, false, true);
      };
      back(2, l2, l1.out, true);
      back(1, l1, xs, false);
      const updated: Record<string, import('@tensorflow/tfjs-core').Tensor> = {};
      for (const [name, w] of Object.entries(p)) updated[name] = g[name] ? tf.sub(w, tf.mul(g[name]!, LR)) : tf.clone(w);
      return { updated, loss };
    });
    next.loss.dataSync(); // wait for the step to finish
    next.loss.dispose();
    for (const t of Object.values(params)) t.dispose();
    params = next.updated;
  };
}

const fmt = (v: number): string => Math.round(v).toLocaleString('en-US');

async function main(): Promise<void> {
  const cores = availableParallelism();
  const load = loadavg()[0]!;
  console.log(`bench:train — one training step of ${DIMS.join('-')} (ReLU), batch ${BATCH}, SGD; median of ${RUNS} after ${WARMUP} warm-up steps`);
  console.log(`machine: ${cores} cores, Node ${process.version}, load average ${load.toFixed(2)}${load > cores * 0.5 ? '  (busy: numbers will be noisy)' : ''}`);

  // Silence TF.js's "install tfjs-node" banner: production mode only skips debug checks.
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  await tf.ready();

  const rows: { label: string; ms: number; base?: string }[] = [];
  for (const normalization of ['none', 'batchnorm'] as const) {
    const tfResult = time(tfStep(tf, normalization));
    const tfLabel = `TF.js cpu (pure JS, float32), ${normalization === 'none' ? 'no norm' : 'batch norm'}`;
    rows.push({ label: tfLabel, ms: tfResult.ms });
    for (const threads of [...new Set([1, cores])]) {
      setGemmThreads(threads);
      await startGemmThreads();
      const kit = time(kitStep(normalization));
      rows.push({ label: `kit (float64, ${threads} thread${threads > 1 ? 's' : ''}), ${normalization === 'none' ? 'no norm' : 'batch norm'}`, ms: kit.ms, base: tfLabel });
    }
  }
  setGemmThreads(1);
  const tfMs = new Map(rows.map((r) => [r.label, r.ms]));
  console.log('');
  console.log(`  ${'implementation'.padEnd(44)} ${'ms/step'.padStart(8)} ${'samples/s'.padStart(10)} ${'vs TF.js'.padStart(9)}`);
  for (const r of rows) {
    const ratio = r.base ? `${(tfMs.get(r.base)! / r.ms).toFixed(1)}×` : '1.0×';
    console.log(`  ${r.label.padEnd(44)} ${r.ms.toFixed(1).padStart(8)} ${fmt((BATCH * 1000) / r.ms).padStart(10)} ${ratio.padStart(9)}`);
  }
  console.log('');
  console.log('notes: tfjs-core registers no gradients (the @tensorflow/tfjs bundle adds them), so the TF.js step is written');
  console.log('       by hand with TF.js ops: the same arithmetic as the kit, without an autodiff tape. TF.js runs in production');
  console.log('       mode (debug checks off), float32, on one thread (its CPU backend has no threads); the kit in float64.');
  console.log('       Goal of the issue: kit ≥ 5× TF.js CPU.');
}

await main();
