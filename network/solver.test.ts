/**
 * The solver on real digits: it learns, it keeps the best parameters, it decays the learning rate,
 * it stops on a diverging loss, and a run interrupted and resumed from a JSON checkpoint gives the
 * same numbers as an uninterrupted one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { head, type Split } from './data/dataset.ts';
import { loadMnist } from './data/mnist.ts';
import { FullyConnectedNet } from './fc-net.ts';
import type { Params } from './model.ts';
import { Solver, type SolverSnapshot } from './solver.ts';
import { KIT_ROOT, loadBuildingBlocks } from './building-blocks.ts';

const REFERENCE = await loadBuildingBlocks('solutions', KIT_ROOT);

const mnist = loadMnist();
const flat = (s: Split): Split => ({ x: { shape: [s.y.length, 784], data: s.x.data }, y: s.y });
const train = flat(head(mnist.train, 400));
const val = flat(head(mnist.val, 200));
const net = (seed = 0, keep = 1) => new FullyConnectedNet({ inputDim: 784, hiddenDims: [32], numClasses: 10, normalization: 'batchnorm', dropoutKeepRatio: keep, seed }, REFERENCE);
const dir = mkdtempSync(join(tmpdir(), 'gradlab-solver-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sameParams = (a: Params, b: Params): boolean => Object.keys(a).every((k) => a[k]!.data.every((v, i) => v === b[k]!.data[i]));

describe('Solver', () => {
  test('Solver › learns real digits: validation accuracy far above chance after 3 epochs', () => {
    const solver = new Solver(net(), { train, val }, { updateRule: 'adam', optimConfig: { learningRate: 3e-3 }, numEpochs: 3, batchSize: 50 });
    solver.train();
    expect(solver.valAccHistory).toHaveLength(4);
    expect(solver.bestValAcc).toBeGreaterThan(0.75);
    expect(solver.lossHistory).toHaveLength(3 * 8);
    expect(solver.lossHistory.at(-1)!).toBeLessThan(solver.lossHistory[0]!);
  });

  test('Solver › keeps the best-validation parameters and puts them back at the end', () => {
    const model = net(1);
    const solver = new Solver(model, { train, val }, { updateRule: 'sgd', optimConfig: { learningRate: 0.05 }, numEpochs: 3, batchSize: 50 });
    solver.train();
    expect(solver.bestValAcc).toBe(Math.max(...solver.valAccHistory));
    expect(solver.valAccHistory[solver.bestEpoch]).toBe(solver.bestValAcc);
    expect(sameParams(model.params, solver.bestParams!)).toBe(true);
  });

  test('Solver › multiplies the learning rate by lrDecay after every epoch', () => {
    const solver = new Solver(net(), { train, val }, { updateRule: 'sgdMomentum', optimConfig: { learningRate: 0.01 }, lrDecay: 0.5, numEpochs: 3, batchSize: 100 });
    solver.train();
    expect(solver.lrHistory).toEqual([0.01, 0.005, 0.0025]);
    expect(solver.optimConfigs['W1']!.momentum).toBe(0.9);
  });

  test('Solver › stops when the loss stops being finite', () => {
    const plain = new FullyConnectedNet({ inputDim: 784, hiddenDims: [32, 32], numClasses: 10 }, REFERENCE);
    const solver = new Solver(plain, { train, val }, { updateRule: 'sgd', optimConfig: { learningRate: 1e30 }, numEpochs: 3, batchSize: 50 });
    solver.train();
    expect(solver.diverged).not.toBeNull();
    expect(solver.epoch).toBeLessThan(3);
  });

  test('Solver › 2 epochs straight equal 1 epoch, a JSON checkpoint, and 1 more epoch (adam state, dropout, batch norm)', () => {
    const options = { updateRule: 'adam' as const, optimConfig: { learningRate: 2e-3 }, lrDecay: 0.9, batchSize: 40, seed: 7, augment: undefined };
    const straight = new Solver(net(3, 0.8), { train, val }, { ...options, numEpochs: 2 });
    straight.train();

    const first = new Solver(net(3, 0.8), { train, val }, { ...options, numEpochs: 1 });
    first.train();
    const path = join(dir, 'ckpt.json');
    saveCheckpoint(path, { solver: first.snapshot() });
    const resumedModel = net(99, 0.8); // other initial weights: restore must replace them all
    const resumed = new Solver(resumedModel, { train, val }, { ...options, numEpochs: 2 });
    resumed.restore(loadCheckpoint(path)['solver'] as SolverSnapshot);
    resumed.train();

    expect(resumed.lossHistory).toEqual(straight.lossHistory);
    expect(resumed.valAccHistory).toEqual(straight.valAccHistory);
    expect(sameParams(resumed.lastParams, straight.lastParams)).toBe(true);
    expect(sameParams(resumed.lastState, straight.lastState)).toBe(true);
    expect(sameParams(resumedModel.params, straight.model.params)).toBe(true);
  });
});
