/**
 * The grading CLI's smaller commands (runs in the grading process):
 *
 *   npm run grade -- doctor                                  which isolation layers this machine gives the sandbox
 *   npm run grade -- explain <grade-output-dir> <case-id>    what an instructor needs to answer an appeal
 *   npm run grade -- exercism <slug> <input-dir> <output-dir> Exercism's test-runner interface, one exercise
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildKit, disposeKitBuild } from './build.ts';
import { sandboxCommand } from './layers.ts';
import type { Layers } from './plan.ts';
import type { GradeReport } from './reports/report.ts';
import type { TestOutcome } from './results.ts';

const LAYER_NAMES: [keyof Omit<Layers, 'notes'>, string][] = [
  ['isolate', 'V8 isolate (isolated-vm): no process, no handles, no Node modules'],
  ['permissionModel', "Node's permission model: the sandbox process reads only its own code"],
  ['unprivilegedUser', 'an unprivileged user (nobody)'],
  ['noNetwork', 'a network namespace of its own: no network at all'],
  ['cpuLimit', "the kernel's CPU-time limit on the whole submission (RLIMIT_CPU)"],
  ['wallLimit', "a wall-clock limit on the whole submission, kept by the grading process"],
];

/** `doctor`: probes the layers as a grading would, and says which are active and why not. Exit 1 when one is off. */
export async function doctor(root: string, write: (text: string) => void): Promise<number> {
  const build = await buildKit(root);
  try {
    const { layers, command } = sandboxCommand(root, build.hostFile, { totalCpuSeconds: 120, hostHeapMb: 512 });
    const lines = LAYER_NAMES.map(([key, name]) => `${layers[key] ? '✓' : '✗'} ${name}`);
    write(`${['The sandbox of a submission runs in:', ...lines.map((l) => `  ${l}`)].join('\n')}\n`);
    if (layers.notes.length > 0) write(`${['Not active here:', ...layers.notes.map((n) => `  - ${n}`)].join('\n')}\n`);
    write(`Command: ${command.join(' ')}\n`);
    return LAYER_NAMES.every(([key]) => layers[key]) ? 0 : 1;
  } finally {
    disposeKitBuild();
  }
}

/** The hidden fixture case with this id, if one exists (inputs and expected values, as stored). */
function fixtureCase(root: string, exercise: string, caseId: string): unknown {
  for (const visibility of ['hidden', 'public']) {
    const file = join(root, 'fixtures', exercise, `${visibility}.json`);
    if (!existsSync(file)) continue;
    const fixture = JSON.parse(readFileSync(file, 'utf8')) as { cases: { id: string }[] };
    const found = fixture.cases.find((c) => c.id === caseId);
    if (found) return { file: `fixtures/${exercise}/${visibility}.json`, ...found };
  }
  return undefined;
}

/**
 * `explain`: for one case of a graded submission, everything the instructor needs to answer the
 * student: the test, how it failed (the full assertion message: where the values differ, got
 * against expected), the case's inputs and expected values when it is a fixture case, or how to
 * regenerate it when it is a per-student variant. Reads grade.json, which students never receive.
 */
export function explain(root: string, outDir: string, caseId: string, write: (text: string) => void): number {
  const file = join(outDir, 'grade.json');
  if (!existsSync(file)) {
    write(`explain: no grade.json in ${outDir}\n`);
    return 2;
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as GradeReport;
  const matches = report.outcomes.filter((o) => o.caseId === caseId || o.title === caseId);
  if (matches.length === 0) {
    const failed = report.outcomes.filter((o) => o.status === 'failed' && o.caseId).map((o) => o.caseId);
    write(`explain: no case '${caseId}' in ${file}${failed.length > 0 ? `; failed cases: ${[...new Set(failed)].join(', ')}` : ''}\n`);
    return 2;
  }
  for (const o of matches) {
    write(describe(report, o, fixtureCase(root, o.exercise, o.caseId ?? '')));
  }
  return 0;
}

function describe(report: GradeReport, o: TestOutcome, stored: unknown): string {
  const lines = [
    `${o.exercise} › ${o.group} › ${o.title}`,
    `  suite: ${o.suite} (${o.visibility})`,
    `  submission: ${report.submission}, seed ${report.seed}`,
    `  status: ${o.status}`,
  ];
  if (o.failure) {
    lines.push(`  kind of failure: ${o.failure.category}`, `  what the student read: ${o.failure.summary}`);
    const message = o.failure.instructorDetail ?? o.failure.detail;
    if (message) lines.push('  the assertion, in full:', ...message.split('\n').map((l) => `    ${l}`));
  }
  for (const d of o.diagnoses) lines.push(`  diagnosed: ${d.mistake} (${d.fn}): ${d.hint}`);
  if (stored) {
    lines.push('  the case, as stored (inputs and expected values):', ...JSON.stringify(stored, null, 2).split('\n').map((l) => `    ${l}`));
  } else if (o.group === 'variants' || o.visibility === 'hidden') {
    lines.push(
      "  the case is drawn from the student's seed: regrade to look at it again with",
      `    npm run grade -- ${report.submission} --seed ${report.seed} --only ${o.exercise}`,
    );
  }
  return `${lines.join('\n')}\n\n`;
}
