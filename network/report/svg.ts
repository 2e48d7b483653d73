/**
 * Small SVG charts for the HTML reports: line charts (linear or log axes), a scatter plot coloured
 * by a value, and histograms. Plain strings, no dependencies, no scripts: a chart is data drawn
 * once. Every mark carries a `<title>`, which browsers show as a tooltip.
 */

export type Scale = 'linear' | 'log';

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
  color: string;
  /** Draw faint and thin (e.g. raw per-iteration loss under its moving average). */
  faint?: boolean;
  dashed?: boolean;
  /** Draw a dot at every point (for short series, e.g. per-epoch accuracy). */
  dots?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  xScale?: Scale;
  yScale?: Scale;
  /** Fixed y range; otherwise from the data. */
  yDomain?: readonly [number, number];
  width?: number;
  height?: number;
  /** Only whole-number ticks on x (epochs, iterations). */
  xInteger?: boolean;
  /** Formats y tick labels (e.g. as percentages). */
  yFormat?: (v: number) => string;
}

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

const MARGIN = { top: 34, right: 16, bottom: 44, left: 62 };

/** Escapes text for SVG and HTML. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A compact number: 3 significant digits, exponent form when very small or large. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) return String(Number(v.toPrecision(3)));
  return v.toExponential(0).replace('e+', 'e');
}

/** "Nice" ticks (steps of 1, 2 or 5 × 10ᵏ) covering [lo, hi]. */
export function linearTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Powers of ten covering [lo, hi] (lo > 0). */
export function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  // NOTE: Number(`1e${e}`), not 10 ** e: 10 ** -4 is 0.00009999999999999999 in floating point.
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) ticks.push(Number(`1e${e}`));
  return ticks.filter((t) => t >= lo * 0.999 && t <= hi * 1.001);
}

interface Axis {
  map: (v: number) => number;
  ticks: number[];
}

function makeAxis(scale: Scale, lo: number, hi: number, from: number, to: number, integer = false): Axis {
  const axis = makeAxisTicks(scale, lo, hi, from, to);
  if (!integer) return axis;
  const whole = axis.ticks.filter((t) => Number.isInteger(t));
  return { map: axis.map, ticks: whole.length > 0 ? whole : [Math.ceil(lo)] };
}

function makeAxisTicks(scale: Scale, lo: number, hi: number, from: number, to: number): Axis {
  if (scale === 'log') {
    const [l, h] = [Math.log10(lo), Math.log10(hi)];
    const span = h - l || 1;
    let ticks = logTicks(lo, hi);
    // Less than a decade or so: powers of ten are too sparse, so use round values in between.
    if (ticks.length < 3) ticks = linearTicks(lo, hi, 5).filter((t) => t > 0);
    return { map: (v) => from + ((Math.log10(v) - l) / span) * (to - from), ticks };
  }
  const span = hi - lo || 1;
  return { map: (v) => from + ((v - lo) / span) * (to - from), ticks: linearTicks(lo, hi) };
}

function domain(values: number[], scale: Scale, pad: number): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v) && (scale === 'linear' || v > 0));
  if (finite.length === 0) return scale === 'log' ? [1e-3, 1] : [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (scale === 'log') return lo === hi ? [lo / 2, hi * 2] : [lo / 1.15, hi * 1.15];
  if (lo === hi) return [lo - 1, hi + 1];
  const margin = (hi - lo) * pad;
  lo -= margin;
  hi += margin;
  return [lo, hi];
}

/** Frame, grid lines, ticks, labels and title shared by every chart. */
function frame(o: ChartOptions, x: Axis, y: Axis, w: number, h: number, xFormat: (v: number) => string, yFormat: (v: number) => string): string {
  const [x0, x1, y0, y1] = [MARGIN.left, w - MARGIN.right, h - MARGIN.bottom, MARGIN.top];
  const parts: string[] = [];
  for (const t of y.ticks) {
    const py = y.map(t);
    parts.push(`<line x1="${x0}" x2="${x1}" y1="${py.toFixed(1)}" y2="${py.toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${x0 - 6}" y="${(py + 4).toFixed(1)}" text-anchor="end" class="tick">${escapeXml(yFormat(t))}</text>`);
  }
  for (const t of x.ticks) {
    const px = x.map(t);
    parts.push(`<line x1="${px.toFixed(1)}" x2="${px.toFixed(1)}" y1="${y0}" y2="${y0 + 4}" class="axis"/>`);
    parts.push(`<text x="${px.toFixed(1)}" y="${y0 + 17}" text-anchor="middle" class="tick">${escapeXml(xFormat(t))}</text>`);
  }
  parts.push(`<line x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}" class="axis"/><line x1="${x0}" x2="${x0}" y1="${y0}" y2="${y1}" class="axis"/>`);
  parts.push(`<text x="${(x0 + x1) / 2}" y="${h - 8}" text-anchor="middle" class="label">${escapeXml(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle" class="label">${escapeXml(o.yLabel)}</text>`);
  parts.push(`<text x="${x0}" y="20" class="title">${escapeXml(o.title)}</text>`);
  return parts.join('');
}

function svgOpen(w: number, h: number, title: string, kind: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${kind}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${escapeXml(title)}">`;
}

/** A line chart of one or more series, with a legend when there are several. */
export function lineChart(series: readonly Series[], o: ChartOptions): string {
  // Several named series get a legend column to the right of the plot, never over the lines.
  const legendWidth = series.filter((s) => !s.faint).length > 1 ? 170 : 0;
  const w = (o.width ?? 640) + legendWidth;
  const h = o.height ?? 300;
  const xs = o.xScale ?? 'linear';
  const ys = o.yScale ?? 'linear';
  const all = series.flatMap((s) => s.points);
  const [xlo, xhi] = domain(all.map((p) => p[0]), xs, 0);
  const [ylo, yhi] = o.yDomain ?? domain(all.map((p) => p[1]), ys, 0.05);
  const x = makeAxis(xs, xlo, xhi, MARGIN.left, w - MARGIN.right - legendWidth, o.xInteger);
  const y = makeAxis(ys, ylo, yhi, h - MARGIN.bottom, MARGIN.top);
  const parts = [svgOpen(w, h, o.title, 'line'), frame(o, x, y, w - legendWidth, h, formatTick, o.yFormat ?? formatTick)];
  const clipY = (v: number): number => Math.min(Math.max(v, MARGIN.top), h - MARGIN.bottom);
  for (const s of series) {
    const pts = s.points.filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py) && (xs === 'linear' || px > 0) && (ys === 'linear' || py > 0));
    if (pts.length === 0) continue;
    const d = pts.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${x.map(px).toFixed(1)},${clipY(y.map(py)).toFixed(1)}`).join('');
    const style = s.faint ? ' stroke-width="1" opacity="0.35"' : ' stroke-width="2"';
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}"${style}${s.dashed ? ' stroke-dasharray="5 4"' : ''}><title>${escapeXml(s.name)}</title></path>`);
    if (s.dots) {
      for (const [px, py] of pts) {
        parts.push(`<circle cx="${x.map(px).toFixed(1)}" cy="${clipY(y.map(py)).toFixed(1)}" r="3" fill="${s.color}"><title>${escapeXml(`${s.name}: ${formatTick(px)}, ${(o.yFormat ?? formatTick)(py)}`)}</title></circle>`);
      }
    }
  }
  const named = series.filter((s) => !s.faint);
  if (named.length > 1) {
    named.forEach((s, i) => {
      const ly = MARGIN.top + 6 + i * 16;
      const lx = w - MARGIN.right - legendWidth + 12;
      parts.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`);
      parts.push(`<text x="${lx + 24}" y="${ly + 4}" class="legend">${escapeXml(s.name)}</text>`);
    });
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Viridis-like colour for t in [0, 1] (dark purple → teal → yellow), readable and colour-blind safe. */
export function colorScale(t: number): string {
  const stops = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ] as const;
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const f = u - i;
  const [a, b] = [stops[i]!, stops[i + 1]!];
  const c = a.map((v, k) => Math.round(v + f * (b[k]! - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

export interface ScatterPoint {
  x: number;
  y: number;
  /** The value that sets the colour. */
  value: number;
  /** 'circle' or 'diamond' (e.g. coarse vs fine search trials). */
  shape?: 'circle' | 'diamond';
  highlight?: boolean;
  label: string;
}

/** A scatter plot coloured by `value`, with a colour bar; log axes by default. */
export function scatterChart(points: readonly ScatterPoint[], o: ChartOptions & { valueLabel: string; valueFormat?: (v: number) => string }): string {
  const w = o.width ?? 640;
  const h = o.height ?? 340;
  const xs = o.xScale ?? 'log';
  const ys = o.yScale ?? 'log';
  const right = 70;
  const [xlo, xhi] = domain(points.map((p) => p.x), xs, 0.05);
  const [ylo, yhi] = domain(points.map((p) => p.y), ys, 0.05);
  const x = makeAxis(xs, xlo, xhi, MARGIN.left, w - MARGIN.right - right);
  const y = makeAxis(ys, ylo, yhi, h - MARGIN.bottom, MARGIN.top);
  const values = points.map((p) => p.value).filter(Number.isFinite);
  const [vlo, vhi] = values.length ? [Math.min(...values), Math.max(...values)] : [0, 1];
  const t = (v: number): number => (vhi > vlo ? (v - vlo) / (vhi - vlo) : 1);
  const fmt = o.valueFormat ?? formatTick;
  const parts = [svgOpen(w, h, o.title, 'scatter'), frame(o, x, y, w - right, h, formatTick, formatTick)];
  // Worst first, so the best trials are drawn on top.
  for (const p of [...points].sort((a, b) => a.value - b.value)) {
    const [px, py] = [x.map(p.x), y.map(p.y)];
    const fill = colorScale(t(p.value));
    const stroke = p.highlight ? ' stroke="#d62728" stroke-width="2.5"' : ' stroke="#333" stroke-width="0.6"';
    const title = `<title>${escapeXml(`${p.label} → ${o.valueLabel} ${fmt(p.value)}`)}</title>`;
    if (p.shape === 'diamond') {
      const r = 7;
      parts.push(`<path d="M${px.toFixed(1)},${(py - r).toFixed(1)}L${(px + r).toFixed(1)},${py.toFixed(1)}L${px.toFixed(1)},${(py + r).toFixed(1)}L${(px - r).toFixed(1)},${py.toFixed(1)}Z" fill="${fill}"${stroke}>${title}</path>`);
    } else {
      parts.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="6" fill="${fill}"${stroke}>${title}</circle>`);
    }
  }
  // Colour bar.
  const [bx, by0, by1] = [w - right + 18, MARGIN.top + 10, h - MARGIN.bottom];
  const steps = 24;
  for (let i = 0; i < steps; i++) {
    const yy = by1 - ((i + 1) / steps) * (by1 - by0);
    parts.push(`<rect x="${bx}" y="${yy.toFixed(1)}" width="14" height="${((by1 - by0) / steps + 0.5).toFixed(1)}" fill="${colorScale((i + 0.5) / steps)}"/>`);
  }
  parts.push(`<text x="${bx + 18}" y="${by0 + 4}" class="tick">${escapeXml(fmt(vhi))}</text><text x="${bx + 18}" y="${by1}" class="tick">${escapeXml(fmt(vlo))}</text>`);
  parts.push(`<text x="${bx - 4}" y="${by0 - 8}" class="tick">${escapeXml(o.valueLabel)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

/** A histogram of `values` over `bins` equal bins of [lo, hi]; values outside are clamped in. */
export function histogram(values: ArrayLike<number>, o: { title: string; lo: number; hi: number; bins?: number; color?: string; width?: number; height?: number }): string {
  const bins = o.bins ?? 40;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(((v - o.lo) / (o.hi - o.lo)) * bins)));
    counts[b]!++;
  }
  const w = o.width ?? 150;
  const h = o.height ?? 110;
  const [x0, x1, y0, y1] = [8, w - 8, h - 22, 22];
  const top = Math.max(1, ...counts);
  const bw = (x1 - x0) / bins;
  const parts = [svgOpen(w, h, o.title, 'histogram')];
  parts.push(`<text x="${w / 2}" y="14" text-anchor="middle" class="tick">${escapeXml(o.title)}</text>`);
  counts.forEach((c, i) => {
    if (c === 0) return;
    const bh = (c / top) * (y0 - y1);
    parts.push(`<rect x="${(x0 + i * bw).toFixed(1)}" y="${(y0 - bh).toFixed(1)}" width="${Math.max(0.5, bw - 0.4).toFixed(1)}" height="${bh.toFixed(1)}" fill="${o.color ?? PALETTE[0]}"/>`);
  });
  parts.push(`<line x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}" class="axis"/>`);
  parts.push(`<text x="${x0}" y="${h - 6}" class="tick">${escapeXml(formatTick(o.lo))}</text><text x="${x1}" y="${h - 6}" text-anchor="end" class="tick">${escapeXml(formatTick(o.hi))}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

/** The CSS the charts' classes refer to; include it once per page. */
export const CHART_CSS = `
svg.chart { background: #fff; font-family: system-ui, sans-serif; max-width: 100%; height: auto; }
svg.chart .grid { stroke: #e5e5e5; stroke-width: 1; }
svg.chart .axis { stroke: #555; stroke-width: 1; }
svg.chart .tick { font-size: 11px; fill: #444; }
svg.chart .label { font-size: 12px; fill: #222; }
svg.chart .legend { font-size: 12px; fill: #222; }
svg.chart .title { font-size: 14px; font-weight: 600; fill: #111; }
`;
