/**
 * The `test_code` of Exercism's results: the body of the test a student failed, taken from the
 * public suite's source (or the shared check module it calls). Hidden tests show no code, only
 * their case id and description: their source is not the student's to read.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestOutcome } from '../results.ts';

/** The `{ … }` block that starts at or after `from`, brace-matched (strings and comments skipped roughly). */
function blockAfter(text: string, from: number): string | null {
  const open = text.indexOf('{', from);
  if (open < 0) return null;
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(open + 1, i);
  }
  return null;
}

function dedent(body: string): string {
  const lines = body.replace(/^\s*\n/, '').replace(/\s+$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n');
}

/** A finder of test code for the outcomes of the kit at `root` (it reads each source once). */
export function testCodeFinder(root: string): (o: TestOutcome) => string {
  const texts = new Map<string, string | null>();
  const text = (rel: string): string | null => {
    if (!texts.has(rel)) texts.set(rel, existsSync(join(root, rel)) ? readFileSync(join(root, rel), 'utf8') : null);
    return texts.get(rel)!;
  };
  return (o) => {
    if (o.visibility === 'hidden') return `// a hidden test${o.caseId ? ` (case ${o.caseId})` : ''}: ${o.description}`;
    const files = [o.suite, `lib/testing/checks/${o.exercise}.ts`, 'lib/testing/checks/common.ts'];
    for (const file of files) {
      const source = text(file);
      if (!source) continue;
      for (const quote of ["'", '"', '`']) {
        const at = source.indexOf(`${quote}${o.title}${quote}`);
        if (at < 0) continue;
        const body = blockAfter(source, at + o.title.length + 2);
        if (body !== null) return dedent(body);
      }
    }
    return o.caseId ? `// the fixture case '${o.caseId}' of ${o.suite}: ${o.description}` : `// ${o.suite}: ${o.title}`;
  };
}
