/**
 * The experiments behind `npm run experiment`: for now `init`, which reproduces the lecture's
 * activation-statistics figures as an HTML report (runs/experiment-init/report.html) and prints the
 * per-layer stds. `experiment.ts` is the executable entry point.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setGemmThreads, startGemmThreads, gemmThreads } from './gemm-threads.ts';
import { isNotImplementedError } from '../lib/index.ts';
import { defaultImplementation, ImplementationError, loadBuildingBlocks } from './building-blocks.ts';
import { processIo, ROOT, type Io } from './cli.ts';
import { runInitExperiment, type InitResult } from './init-experiment.ts';
import { renderPage, table, writePage, type Section } from './report/page.ts';
import { histogram, lineChart, PALETTE } from './report/svg.ts';

const USAGE = `Usage: npm run experiment -- init [--out <dir>] [--seed <s>] [--impl solutions|exercises|<dir>]

  --impl    whose functions to run: the reference solutions (the default where the kit has them),
            your exercises/ (the default in the student kit), or a submission folder

  init    the lecture's weight-initialization experiment: 10 layers × 500 units, 1,000 random inputs;
          tanh with W = 0.01·randn (collapses), 1.0·randn (saturates), Xavier (keeps unit scale);
          ReLU with Xavier vs He. Writes runs/experiment-init/report.html.
`;

/** The report page for the experiment's results. */
export function initReport(results: readonly InitResult[], note: string): string {
  const layers = results[0]!.stats.length;
  const series = (pick: (s: { mean: number; std: number }) => number) =>
    results.map((r, i) => ({
      name: r.setting.label,
      points: r.stats.map((s, l) => [l + 1, pick(s)] as const),
      color: PALETTE[i % PALETTE.length]!,
      dots: true,
      dashed: r.setting.activation === 'relu',
    }));
  const sections: Section[] = [
    {
      title: 'What to look for',
      html: table(
        ['setting', 'the lecture says', 'std, layer 1', `std, layer ${layers}`, `${'saturated (tanh) / zero (ReLU)'}, layer ${layers}`],
        results.map((r) => [r.setting.label, r.setting.expect, r.stats[0]!.std.toExponential(2), r.stats.at(-1)!.std.toExponential(2), `${(100 * r.saturated.at(-1)!).toFixed(0)}%`]),
        '',
        2,
      ),
      note,
    },
    {
      title: 'Standard deviation per layer',
      note: 'Log scale. Flat is healthy; a line falling to 0 means vanishing activations (and vanishing weight gradients).',
      html: lineChart(series((s) => s.std), { title: 'Activation std by layer', xLabel: 'layer', yLabel: 'std (log scale)', yScale: 'log', xInteger: true, height: 340 }),
    },
    {
      title: 'Mean per layer',
      note: 'tanh stays zero-centred; ReLU outputs are positive, so their mean is positive and follows the std.',
      html: lineChart(series((s) => s.mean), { title: 'Activation mean by layer', xLabel: 'layer', yLabel: 'mean', xInteger: true, height: 300 }),
    },
  ];
  for (const [i, r] of results.entries()) {
    const relu = r.setting.activation === 'relu';
    const hi = relu ? Math.max(1e-12, ...r.samples.map((s) => s.reduce((m, v) => Math.max(m, v), 0))) : 1;
    const lo = relu ? 0 : -1;
    // ReLU's exact zeros (half the units) would dwarf everything else: histogram the positive part.
    const shown = r.samples.map((s) => (relu ? s.filter((v) => v > 0) : s));
    sections.push({
      title: `Histograms: ${r.setting.label}`,
      note: `${r.setting.expect}. One histogram per layer (1 → ${layers}), x from ${lo} to ${hi.toPrecision(2)}${relu ? '; the exact zeros (about half the units) are left out' : ''}.`,
      html: `<div class="grid">${shown.map((s, l) => histogram(s, { title: `layer ${l + 1}, std ${r.stats[l]!.std.toExponential(1)}`, lo, hi, color: PALETTE[i % PALETTE.length]! })).join('')}</div>`,
    });
  }
  return renderPage('Weight initialization: activation statistics', 'CS231n lecture 7 · 10 tanh / ReLU layers of 500 units · 1,000 inputs ~ N(0, 1)', sections);
}

/** Runs an experiment. Returns the exit code. */
export async function experimentMain(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let values: { out?: string; seed?: string; impl?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: { out: { type: 'string' }, seed: { type: 'string' }, impl: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    io.err(`experiment: ${(error as Error).message.split('\n')[0]} (see --help)`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const [name, ...rest] = positionals;
  if (name !== 'init' || rest.length > 0) {
    io.err(name === undefined ? 'experiment: name an experiment, e.g. npm run experiment -- init' : `experiment: unknown experiment '${[name, ...rest].join(' ')}' (available: init)`);
    return 2;
  }
  const started = performance.now();
  let blocks;
  try {
    blocks = await loadBuildingBlocks(values.impl ?? defaultImplementation(ROOT), ROOT);
  } catch (error) {
    if (error instanceof ImplementationError) {
      io.err(`experiment: ${error.message}`);
      return 1;
    }
    throw error;
  }
  setGemmThreads(gemmThreads().available);
  await startGemmThreads();
  let results: InitResult[];
  try {
    results = runInitExperiment(blocks, { seed: values.seed ?? 0 });
  } catch (error) {
    if (!isNotImplementedError(error)) throw error;
    io.err(`experiment: ${(error as Error).message}: the init experiment runs exercise 01's tanh and ReLU and all of exercise 02`);
    return 1;
  }
  io.out(`activation std per layer (10 layers × 500 units, 1,000 inputs; exercise 02's activationStatistics, ${blocks.source}):`);
  io.out(`  ${'setting'.padEnd(22)} ${Array.from({ length: 10 }, (_, l) => `L${l + 1}`.padStart(8)).join('')}`);
  for (const r of results) io.out(`  ${r.setting.label.padEnd(22)} ${r.stats.map((s) => s.std.toExponential(1).padStart(8)).join('')}   ${r.setting.expect}`);
  const out = values.out ?? join('runs', 'experiment-init');
  writePage(join(out, 'report.html'), initReport(results, `Built from ${blocks.source}. Seed ${values.seed ?? 0}.`));
  io.out(`report: ${join(out, 'report.html')} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return 0;
}
