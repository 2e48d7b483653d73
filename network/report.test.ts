/**
 * The HTML reports, opened in headless Chromium (Debian's `chromium`, driven by playwright-core):
 * they must load without a console error, draw every chart with real marks, and decode every
 * weight image. Wherever a Chromium is found they run (see testing/browser.ts); where none is,
 * they are skipped with one line saying so — except in CI, where a missing browser fails the suite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KIT_ROOT, loadBuildingBlocks } from './building-blocks.ts';
import { main, type Io } from './cli.ts';
import { initReport } from './experiment-cli.ts';
import { runInitExperiment } from './init-experiment.ts';
import { writePage } from './report/page.ts';
import { browserMissing, findBrowser } from './testing/browser.ts';

const lookup = findBrowser();
if (!lookup.found) {
  if (lookup.mandatory) throw new Error(browserMissing(lookup));
  // One line, outside vitest's per-test console capture, so it reads as a note and not as a log.
  process.stderr.write(`${browserMissing(lookup)}\n`);
}
// Made by the first hook, not on import: a file whose tests are all skipped runs no hook, and a
// folder made on import would be left behind.
let dir = '';
let browser: BrowserContext;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gradlab-report-'));
  if (!lookup.found) return;
  // NOTE: the machine has no network: without these flags Chromium keeps retrying its background
  // services and floods the log with refused connections.
  browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: lookup.path,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Rendered {
  errors: string[];
  charts: { kind: string; width: number; height: number; marks: number }[];
  images: { total: number; decoded: number };
  text: string;
}

/**
 * Runs in the page (a string, because it is browser code: the kit type-checks for Node, without
 * the DOM's types). Counts, per chart, the marks with a non-empty bounding box: drawn paths,
 * circles, and filled rects; and which images decoded.
 */
const MEASURE = `(() => {
  const charts = [...document.querySelectorAll('svg.chart')].map((svg) => {
    const box = svg.getBoundingClientRect();
    const marks = [...svg.querySelectorAll('path, circle, rect')].filter((el) => {
      const b = el.getBBox();
      return b.width > 0 || b.height > 0;
    }).length;
    return { kind: svg.getAttribute('data-chart') || '', width: box.width, height: box.height, marks };
  });
  const imgs = [...document.querySelectorAll('img')];
  return {
    charts,
    images: { total: imgs.length, decoded: imgs.filter((i) => i.complete && i.naturalWidth > 0).length },
    text: document.body.innerText,
  };
})()`;

/** Opens a report and measures what the browser actually drew. */
async function render(path: string): Promise<Rendered> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
  const result = (await page.evaluate(MEASURE)) as Omit<Rendered, 'errors'>;
  await page.close();
  return { errors, ...result };
}

describe.skipIf(!lookup.found)('reports in Chromium', { timeout: 60_000 }, () => {
  test('training report › loss, accuracy, learning rate and search charts, weight images and the summary render without errors', async () => {
    const out = join(dir, 'train');
    const io: Io = { out: () => {}, err: () => {}, progress: null };
    const code = await main(['--limit', '300', '--hidden', '16', '--epochs', '2', '--search', '2', '--search-size', '200', '--augment', '0', '--threads', '1', '--out', out], io);
    expect(code).toBe(0);
    const r = await render(join(out, 'report.html'));
    expect(r.errors).toEqual([]);
    expect(r.charts.map((c) => c.kind)).toEqual(['line', 'line', 'line', 'scatter']);
    for (const c of r.charts) {
      expect(c.width).toBeGreaterThan(300);
      expect(c.height).toBeGreaterThan(150);
      expect(c.marks).toBeGreaterThanOrEqual(2);
    }
    expect(r.images).toEqual({ total: 16, decoded: 16 });
    expect(r.text).toContain('test accuracy');
    expect(r.text).toContain('Confusion matrix');
  });

  test('init experiment report › std and mean charts and 50 histograms render without errors', async () => {
    const path = join(dir, 'init', 'report.html');
    const reference = await loadBuildingBlocks('solutions', KIT_ROOT);
    writePage(path, initReport(runInitExperiment(reference, { units: 60, samples: 100 }), 'test run'));
    const r = await render(path);
    expect(r.errors).toEqual([]);
    expect(r.charts.filter((c) => c.kind === 'line')).toHaveLength(2);
    const histograms = r.charts.filter((c) => c.kind === 'histogram');
    expect(histograms).toHaveLength(50);
    expect(histograms.every((h) => h.marks > 0)).toBe(true);
    expect(r.text).toContain('tanh saturates');
  });
});
