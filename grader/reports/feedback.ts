/**
 * `feedback.md` and `feedback.html`: what a student reads. Per exercise: the points, the likely
 * mistakes, every failed public test with its full diagnostics, and every failed hidden test with
 * its case id, description and kind of failure only. Text that came from the submission (error
 * messages, prints) only ever appears inside code fences, and the HTML is rendered by markdown-it
 * with raw HTML disabled, so a submission cannot inject markup.
 */
import MarkdownIt from 'markdown-it';
import type { TestOutcome } from '../results.ts';
import { round2, type ExerciseScore } from '../score.ts';
import { summarySentence, type GradeReport } from './report.ts';

/**
 * Control characters (but newline and tab) and the bidirectional-text controls that can make text
 * read differently from what it is (U+202A–E, U+2066–9, U+200E/F, U+061C), written as visible
 * escapes: a file name or a message cannot reorder or hide what feedback shows.
 */
export function visible(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Escapes text for a Markdown paragraph or table cell. */
export function mdText(text: string): string {
  return visible(text)
    .replace(/\r?\n/g, ' ')
    .replace(/([\\`*_[\]<>|#!~])/g, '\\$1');
}

/** A fenced code block that no backtick run inside `text` can close. */
export function mdFence(raw: string, info = 'text'): string {
  const text = visible(raw);
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text.replace(/\s+$/, '')}\n${fence}`;
}

/** An inline code span that no backtick run inside `text` can close. */
export function mdCode(text: string): string {
  const flat = visible(text).replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${flat.startsWith('`') || flat.endsWith('`') ? ` ${flat} ` : flat}${ticks}`;
}

const MAX_DETAIL = 3000;
const MAX_DETAILED_FAILURES = 25;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n… (${text.length - max} more characters)`;
}

function points(p: number, max: number): string {
  return `${round2(p)} / ${round2(max)}`;
}

/** Renders summaries: backticked labels from the suites stay code, the rest is escaped text. */
function summaryMarkdown(summary: string): string {
  return summary
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith('`') && part.endsWith('`') && part.length >= 2 ? mdCode(part.slice(1, -1)) : mdText(part)))
    .join('');
}

function exerciseHeading(e: ExerciseScore): string {
  return `${e.exercise} — ${e.title}`;
}

function publicFailure(o: TestOutcome): string[] {
  const lines = [`#### ${mdText(`${o.group} › ${o.title}`)}`, '', summaryMarkdown(o.failure?.summary ?? 'failed'), ''];
  if (o.failure?.detail) lines.push(mdFence(clip(o.failure.detail, MAX_DETAIL)), '');
  if (o.output && o.output.bytes > 0) {
    const shown = o.output.stdout + (o.output.stderr ? `\n[stderr]\n${o.output.stderr}` : '');
    const more = o.output.bytes > shown.length ? ` (first ${shown.length} of ${o.output.bytes} bytes)` : '';
    lines.push(`Printed by your code during this test${more}:`, '', mdFence(shown), '');
  }
  return lines;
}

function hiddenFailures(list: TestOutcome[]): string[] {
  const lines = ['| Case | Function | Description | What went wrong |', '| --- | --- | --- | --- |'];
  for (const o of list) {
    lines.push(`| ${o.caseId ? mdCode(o.caseId) : ''} | ${o.fn ? mdCode(o.fn) : ''} | ${mdText(o.description)} | ${summaryMarkdown(o.failure?.summary ?? 'failed')} |`);
  }
  return lines;
}

/** The feedback page in Markdown. */
export function feedbackMarkdown(report: GradeReport): string {
  const { score } = report;
  const out: string[] = [`# Grade: ${points(score.points, score.maxPoints)} points`, '', mdText(summarySentence(report)), ''];
  out.push(`Per-student variant cases were drawn from the seed ${mdCode(report.seed)}.`, '');
  out.push('| Exercise | Points | Public tests passed | Hidden tests passed |', '| --- | ---: | ---: | ---: |');
  for (const e of score.exercises) {
    const hidden = report.hiddenExercises.includes(e.exercise) ? `${e.hidden.passed} / ${e.hidden.total}` : 'none';
    out.push(`| ${mdText(exerciseHeading(e))} | ${points(e.points, e.maxPoints)} | ${e.public.passed} / ${e.public.total} | ${hidden} |`);
  }
  out.push('');
  if (report.notes.length > 0) {
    out.push('**About your submission:**', '');
    for (const note of report.notes) out.push(`- ${mdText(note)}`);
    out.push('');
  }
  if (report.status === 'error') {
    out.push('**The grader could not run everything.** Your instructor has been told; this is not a problem of your code.', '');
  }
  for (const e of score.exercises) {
    const tests = report.outcomes.filter((o) => o.exercise === e.exercise);
    const failed = tests.filter((o) => o.status === 'failed');
    out.push(`## ${mdText(exerciseHeading(e))}: ${points(e.points, e.maxPoints)}`, '');
    if (failed.length === 0) {
      out.push(
        report.hiddenExercises.includes(e.exercise)
          ? `Every public and hidden test of this exercise passed.`
          : `Every public test of this exercise passed (it has no hidden tests).`,
        '',
      );
      continue;
    }
    const notImplemented = failed.filter((o) => o.failure?.category === 'not-implemented' || o.failure?.category === 'not-submitted');
    if (notImplemented.length === tests.length) {
      out.push(`Not started: every test reports ${mdCode('not implemented yet')}. The brief is exercises/${e.exercise}/README.md.`, '');
      continue;
    }
    if (e.diagnoses.length > 0) {
      out.push('**Likely mistakes** (your outputs match a known mistake on the failing cases):', '');
      for (const d of e.diagnoses) out.push(`- ${mdCode(d.fn)}: ${mdText(d.hint)}`);
      out.push('');
    }
    out.push('| Group | Points | Passed |', '| --- | ---: | ---: |');
    for (const g of e.groups) out.push(`| ${mdText(g.group)} | ${points(g.points, g.maxPoints)} | ${g.all.passed} / ${g.all.total} |`);
    out.push('');
    const pub = failed.filter((o) => o.visibility === 'public');
    const hid = failed.filter((o) => o.visibility === 'hidden');
    if (pub.length > 0) {
      out.push(`### Public tests that failed (${pub.length})`, '', `Run them yourself: ${mdCode(`npm test exercises/${e.exercise}`)}.`, '');
      for (const o of pub.slice(0, MAX_DETAILED_FAILURES)) out.push(...publicFailure(o));
      if (pub.length > MAX_DETAILED_FAILURES) {
        out.push(`… and ${pub.length - MAX_DETAILED_FAILURES} more:`, '');
        for (const o of pub.slice(MAX_DETAILED_FAILURES)) out.push(`- ${mdText(`${o.group} › ${o.title}`)}: ${summaryMarkdown(o.failure?.summary ?? 'failed')}`);
        out.push('');
      }
    }
    if (hid.length > 0) {
      out.push(`### Hidden tests that failed (${hid.length})`, '', 'Hidden tests say which case failed and how, never the expected values.', '');
      out.push(...hiddenFailures(hid), '');
    }
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; vertical-align: top; }
th { background: #f3f3f3; }
pre { background: #f6f8fa; padding: 0.6rem; overflow-x: auto; font-size: 13px; }
code { font-size: 0.92em; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; margin-top: 2rem; }
`;

/** The feedback page as a standalone HTML document (markdown-it, raw HTML disabled). */
export function feedbackHtml(markdown: string, title = 'gradlab feedback'): string {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  const body = md.render(markdown);
  const escapedTitle = title.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>${escapedTitle}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n${body}</body>\n</html>\n`;
}
