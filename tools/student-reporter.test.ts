/**
 * The student's compact output (vitest.reporter.ts): on untouched stubs, one line per test, each
 * with its "not implemented yet: fn (file)", and none of the error blocks a real failure gets.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { notImplementedOnly } from '../vitest.reporter.ts';
import { ROOT } from './stubs.ts';

test('notImplementedOnly: the stub message when every error is a NotImplementedError, else null', () => {
  const stub = { name: 'NotImplementedError', message: 'not implemented yet: f (exercises/00-x/x.ts)' };
  expect(notImplementedOnly([stub])).toBe(stub.message);
  expect(notImplementedOnly([stub, { name: 'AssertionError', message: 'out differs' }])).toBeNull();
  expect(notImplementedOnly([])).toBeNull();
  expect(notImplementedOnly(undefined)).toBeNull();
});

test('npm run test:student on one exercise of stubs: a header, one line per test, the summary', { timeout: 60_000 }, () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--mode', 'student', 'exercises/06-mean-image'], {
    cwd: ROOT,
    env: { ...process.env, GRADLAB_IMPL: '', NO_COLOR: '1' },
    encoding: 'utf8',
  });
  const lines = `${r.stdout}${r.stderr}`.split('\n');
  const failing = lines.filter((l) => /^ +× /.test(l));
  const total = Number(/Tests +(\d+) failed/.exec(lines.join('\n'))?.[1]);
  expect(failing.length).toBe(total);
  expect(failing.every((l) => / · not implemented yet: \w+ \(exercises\/06-mean-image\/mean-image\.ts\)$/.test(l))).toBe(true);
  expect(lines.some((l) => l.includes('FAIL '))).toBe(false);
  expect(lines.length).toBeLessThan(total + 15);
});
