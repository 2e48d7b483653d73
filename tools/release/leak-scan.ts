/**
 * Scans a folder that is about to reach students for anything hidden: hidden fixture values,
 * hidden case ids, and lines of solution bodies. Every file is read as text — sources, briefs,
 * lockfile, package scripts, source maps — nothing is skipped but `node_modules/` and `.git/`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What must never appear in a student release. */
export interface Secrets {
  /** Numbers from hidden fixtures, as the JSON text they are written in (long enough to be specific). */
  values: Set<string>;
  /** Case ids that exist only in hidden fixtures or hidden suites. */
  caseIds: Set<string>;
  /** Trimmed lines from between `// BEGIN SOLUTION` and `// END SOLUTION` that students never see. */
  solutionLines: Set<string>;
}

export interface Leak {
  file: string;
  line: number;
  kind: 'hidden fixture value' | 'hidden case id' | 'solution line';
  text: string;
}

const NUMBER = /-?\d+\.\d+(?:e[-+]?\d+)?|-?\d+e[-+]?\d+/g;
const CASE_ID = /[a-z0-9]+(?:-[a-z0-9]+)+/g;

/** A number is specific enough to be a leak when it carries at least 8 significant digits. */
function specific(text: string): boolean {
  return text.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').length >= 8;
}

/** Every number written in a piece of JSON text that is specific enough to recognise. */
export function numbersIn(text: string): string[] {
  return (text.match(NUMBER) ?? []).filter(specific).map((n) => n.replace(/^-/, ''));
}

/** The lines inside solution blocks (trimmed, without comments and `//>` stub lines), long enough to be specific. */
export function solutionBodyLines(source: string): string[] {
  const lines: string[] = [];
  let inside = false;
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (line === '// BEGIN SOLUTION') inside = true;
    else if (line === '// END SOLUTION') inside = false;
    else if (inside && line.length >= 24 && !line.startsWith('//') && !line.startsWith('*') && !line.startsWith('/*')) lines.push(line);
  }
  return lines;
}

function walk(dir: string, root = dir): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === '.git') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...walk(path, root));
    else files.push(path);
  }
  return files;
}

/** Finds every secret in every file under `dir`. */
export function scanForLeaks(dir: string, secrets: Secrets): Leak[] {
  const leaks: Leak[] = [];
  for (const path of walk(dir)) {
    const file = relative(dir, path);
    const text = readFileSync(path, 'latin1');
    text.split('\n').forEach((line, i) => {
      for (const n of line.match(NUMBER) ?? []) {
        const bare = n.replace(/^-/, '');
        if (secrets.values.has(bare)) leaks.push({ file, line: i + 1, kind: 'hidden fixture value', text: n });
      }
      for (const id of line.match(CASE_ID) ?? []) {
        if (secrets.caseIds.has(id)) leaks.push({ file, line: i + 1, kind: 'hidden case id', text: id });
      }
      const trimmed = line.trim();
      if (secrets.solutionLines.has(trimmed)) leaks.push({ file, line: i + 1, kind: 'solution line', text: trimmed.slice(0, 80) });
    });
  }
  return leaks;
}
