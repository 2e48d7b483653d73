/**
 * Finds a Chromium for the tests that open our HTML reports in a real browser (playwright-core
 * drives it; it never downloads one). Where none is found the browser tests are skipped with one
 * line saying so, except in CI (`CI` set), where a missing browser is a failure: `.ci/run`
 * installs Debian's Chromium.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Executable names tried on PATH, in order. */
const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

export type BrowserLookup =
  | { found: true; path: string }
  | { found: false; mandatory: boolean; message: string };

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `CHROMIUM_PATH` when set (nothing else is tried then, so it can also point at nothing to test the
 * skip), else /usr/bin/chromium (Debian's), else the first of the usual names on `PATH`.
 */
export function findBrowser(env: NodeJS.ProcessEnv = process.env): BrowserLookup {
  const mandatory = Boolean(env['CI']) && env['CI'] !== 'false' && env['CI'] !== '0';
  const given = env['CHROMIUM_PATH'];
  if (given) {
    if (existsSync(given) && executable(given)) return { found: true, path: given };
    return { found: false, mandatory, message: `no Chromium at CHROMIUM_PATH=${given}` };
  }
  const candidates = ['/usr/bin/chromium', ...(env['PATH'] ?? '').split(delimiter).filter(Boolean).flatMap((dir) => NAMES.map((n) => join(dir, n)))];
  const path = candidates.find((c) => existsSync(c) && executable(c));
  if (path) return { found: true, path };
  return { found: false, mandatory, message: `no Chromium found (looked for /usr/bin/chromium and ${NAMES.join(', ')} on PATH)` };
}

/** The one line printed when the browser tests are skipped, and the error when CI needs them. */
export function browserMissing(lookup: Extract<BrowserLookup, { found: false }>): string {
  return lookup.mandatory
    ? `${lookup.message}: the report tests need a browser in CI (CI is set); install Debian's Chromium (apt-get install chromium) or set CHROMIUM_PATH`
    : `skipped the report tests in a browser: ${lookup.message}; install Chromium (Debian: apt-get install chromium) or set CHROMIUM_PATH to run them`;
}
