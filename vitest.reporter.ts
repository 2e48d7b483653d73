/**
 * The student's reporter (vitest.config.ts uses it for the exercises): vitest's default output,
 * except that a test failing only because a function is still a stub takes one line,
 *
 *   × batchnormForward › returns out [N, D] · not implemented yet: batchnormForward (exercises/03-batchnorm/batchnorm.ts)
 *
 * and is left out of the error details at the end, which keep the full diagnostics of every real
 * failure. Untouched stubs thus fit one screen per exercise instead of a thousand lines.
 */
import type { RunnerTask, RunnerTestFile } from 'vitest';
import { DefaultReporter, type TestCase, type TestModuleState } from 'vitest/node';

type Task = RunnerTask;

// ANSI colours as vitest's own output uses them, off when NO_COLOR is set.
const paint = (open: number, close: number) => (text: string): string => (process.env['NO_COLOR'] ? text : `\x1b[${open}m${text}\x1b[${close}m`);
const red = paint(31, 39);
const dim = paint(2, 22);
const banner = (text: string): string => paint(41, 49)(paint(1, 22)(text));
type Errors = readonly { name?: string; message?: string }[] | undefined;

/** The stub's message when every error of a test is a NotImplementedError, else null. */
export function notImplementedOnly(errors: Errors): string | null {
  if (!errors || errors.length === 0 || !errors.every((e) => e.name === 'NotImplementedError')) return null;
  return errors[0]!.message ?? null;
}

function tasksOf(task: Task): Task[] {
  return 'tasks' in task ? [task, ...task.tasks.flatMap(tasksOf)] : [task];
}

export default class StudentReporter extends DefaultReporter {
  protected override printTestCase(moduleState: TestModuleState, test: TestCase): void {
    const result = test.result();
    const message = result.state === 'failed' ? notImplementedOnly(result.errors) : null;
    if (message === null) {
      super.printTestCase(moduleState, test);
      return;
    }
    let depth = 1;
    for (let p = test.parent; p.type === 'suite'; p = p.parent) depth++;
    const padding = '  '.repeat(depth);
    this.log(`${red(` ${padding}× ${test.name}`)} ${dim(`· ${message}`)}`);
  }

  override reportSummary(files: RunnerTestFile[], errors: unknown[]): void {
    this.printRealFailures(files, errors);
    this.reportTestSummary(files, errors, 0);
  }

  /** The full diagnostics of every failure that is not just a stub, as vitest prints them. */
  private printRealFailures(files: RunnerTestFile[], errors: unknown[]): void {
    const failed = files.flatMap((f) => tasksOf(f)).filter((t) => (t.result?.errors?.length ?? 0) > 0 && notImplementedOnly(t.result?.errors) === null);
    const stubs = files.flatMap((f) => tasksOf(f)).filter((t) => t.type === 'test' && t.result?.state === 'fail' && notImplementedOnly(t.result?.errors) !== null).length;
    if (failed.length > 0) this.error(`\n${banner(` Failed ${failed.length === 1 ? 'test' : 'tests'} ${failed.length} `)}${stubs > 0 ? `  (and ${stubs} on stubs, one line each above)` : ''}\n`);
    for (const task of failed) {
      const project = this.ctx.getProjectByName(task.file?.projectName ?? '');
      this.error(`${banner(' FAIL ')} ${this.getFullName(task, ' > ')}`);
      for (const error of task.result?.errors ?? []) this.ctx.logger.printError(error, { project, verbose: this.verbose, task });
    }
    if (errors.length > 0) {
      this.ctx.logger.printUnhandledErrors(errors);
      this.error();
    }
  }
}
