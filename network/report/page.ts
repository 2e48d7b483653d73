/**
 * The HTML page around the charts: one self-contained file (inline CSS, SVG, PNG data URLs, no
 * scripts, nothing fetched), readable offline and attachable to an e-mail.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CHART_CSS, escapeXml } from './svg.ts';

export interface Section {
  title: string;
  /** Trusted HTML (charts, tables) for the body of the section. */
  html: string;
  /** One sentence under the title: what to look at. */
  note?: string;
}

const PAGE_CSS = `
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 24px; color: #111; background: #fafafa; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 6px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p.sub, p.note { color: #555; margin: 4px 0 10px; font-size: 14px; }
table { border-collapse: collapse; font-size: 13px; background: #fff; }
td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th { background: #f0f0f0; }
td.l, th.l, table.kv td { text-align: left; }
table.kv thead { display: none; }
.grid { display: flex; flex-wrap: wrap; gap: 12px; }
.weights { display: grid; gap: 3px; }
.weights img { image-rendering: pixelated; width: 100%; border: 1px solid #ccc; background: #fff; }
.ok { color: #1a7f37; } .bad { color: #c62828; }
footer { margin-top: 32px; color: #777; font-size: 12px; }
`;

/** Renders a report page. */
export function renderPage(title: string, subtitle: string, sections: readonly Section[]): string {
  const body = sections
    .map((s) => `<section><h2>${escapeXml(s.title)}</h2>${s.note ? `<p class="note">${escapeXml(s.note)}</p>` : ''}${s.html}</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>${PAGE_CSS}${CHART_CSS}</style></head>
<body>
<h1>${escapeXml(title)}</h1>
<p class="sub">${escapeXml(subtitle)}</p>
${body}
<footer>gradlab · generated ${escapeXml(new Date().toISOString())} · self-contained: charts are inline SVG, images are PNG data URLs</footer>
</body></html>
`;
}

/** A simple table; `header` and `rows` are plain text, escaped here. The first `leftColumns` columns are left-aligned (text), the rest right-aligned (numbers). */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[], className = '', leftColumns = 1): string {
  const cell = (v: string | number, i: number, tag: 'td' | 'th'): string => `<${tag}${i < leftColumns ? ' class="l"' : ''}>${escapeXml(String(v))}</${tag}>`;
  return `<table class="${className}"><thead><tr>${header.map((h, i) => cell(h, i, 'th')).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((v, i) => cell(v, i, 'td')).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** Writes the page, creating its folder. */
export function writePage(path: string, html: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, html);
}
