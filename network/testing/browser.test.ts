/**
 * The browser finder, and the report suite's behaviour without a browser: one line and a pass
 * outside CI, a failure that says what to install in CI.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { KIT_ROOT } from '../building-blocks.ts';
import { browserMissing, findBrowser } from './browser.ts';

const dir = mkdtempSync(join(tmpdir(), 'gradlab-browser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('findBrowser', () => {
  test('takes CHROMIUM_PATH when it is an executable, and nothing else when it is set', () => {
    const fake = join(dir, 'my-chromium');
    writeFileSync(fake, '#!/bin/sh\n');
    chmodSync(fake, 0o755);
    expect(findBrowser({ CHROMIUM_PATH: fake })).toEqual({ found: true, path: fake });
    expect(findBrowser({ CHROMIUM_PATH: join(dir, 'none'), PATH: dir })).toMatchObject({ found: false, mandatory: false });
  });

  test('finds a chromium on PATH', () => {
    const bin = join(dir, 'bin');
    const fake = join(bin, 'chromium-browser');
    rmSync(bin, { recursive: true, force: true });
    mkdirSync(bin);
    writeFileSync(fake, '#!/bin/sh\n');
    chmodSync(fake, 0o755);
    // /usr/bin/chromium, Debian's, comes first when the machine has it.
    expect(findBrowser({ PATH: bin })).toEqual({ found: true, path: existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : fake });
  });

  test('a missing browser is mandatory only in CI, and the message says what to install', () => {
    const missing = { CHROMIUM_PATH: join(dir, 'none') };
    const local = findBrowser(missing);
    const ci = findBrowser({ ...missing, CI: 'true' });
    expect(local).toMatchObject({ found: false, mandatory: false });
    expect(ci).toMatchObject({ found: false, mandatory: true });
    if (!local.found && !ci.found) {
      expect(browserMissing(local)).toMatch(/^skipped the report tests in a browser: no Chromium at CHROMIUM_PATH=.*apt-get install chromium/);
      expect(browserMissing(ci)).toMatch(/need a browser in CI .*apt-get install chromium/);
    }
  });
});

/** Runs the report suite in a child vitest with no browser to be found. */
function reportSuiteWithoutBrowser(ci: boolean): { status: number | null; output: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, CHROMIUM_PATH: join(dir, 'no-chromium'), GRADLAB_IMPL: '' };
  delete env['CI'];
  if (ci) env['CI'] = 'true';
  const r = spawnSync(process.execPath, [join(KIT_ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'network/report.test.ts'], { cwd: KIT_ROOT, env, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('the report suite without a browser', { timeout: 60_000 }, () => {
  test('outside CI: passes, skipping, and says so in one line', () => {
    const r = reportSuiteWithoutBrowser(false);
    expect(r.status).toBe(0);
    expect(r.output.split('\n').filter((l) => l.includes('skipped the report tests in a browser'))).toHaveLength(1);
  });

  test('in CI: fails, and says what to install', () => {
    const r = reportSuiteWithoutBrowser(true);
    expect(r.status).toBe(1);
    expect(r.output).toContain('the report tests need a browser in CI (CI is set); install Debian');
  });
});
