/**
 * The report of one training run: what the lecture tells you to look at while babysitting a
 * network — the loss curve, train vs validation accuracy (the gap is overfitting), the learning
 * rate schedule, the hyperparameter search, and the first layer's weights.
 */
import type { Tensor } from '../../lib/index.ts';
import { renderPage, table, type Section } from './page.ts';
import { normalizeToBytes, pngDataUrl } from './png.ts';
import { escapeXml, lineChart, PALETTE, scatterChart } from './svg.ts';

export interface SearchPoint {
  learningRate: number;
  reg: number;
  valAcc: number;
  stage: 'coarse' | 'fine';
}

export interface CheckLine {
  name: string;
  passed: boolean;
  detail: string;
}

export interface TrainingRecord {
  title: string;
  subtitle: string;
  /** Label / value rows for the summary table. */
  summary: readonly (readonly [string, string])[];
  lossHistory: readonly number[];
  batchesPerEpoch: number;
  /** Index 0 is before training. */
  trainAccHistory: readonly number[];
  valAccHistory: readonly number[];
  lrHistory: readonly number[];
  bestEpoch: number;
  /** Which code each part of the network came from: `[part, file or 'the kit']` rows. */
  builtFrom?: readonly (readonly [string, string])[];
  sanity?: readonly CheckLine[];
  search?: readonly SearchPoint[];
  /** First-layer weights: an affine `W1 [D, H]` with the image shape of D, or conv filters `[F, C, k, k]`. */
  firstLayer?: { kind: 'affine'; w: Tensor; image: readonly [number, number, number] } | { kind: 'conv'; w: Tensor };
  /** Confusion matrix on the test split: rows = true class, columns = predicted. */
  confusion?: { classes: readonly string[]; counts: readonly (readonly number[])[] };
}

const percent = (v: number): string => `${(100 * v).toFixed(1)}%`;

/** Moving average over `window` points, for a readable loss curve. */
export function movingAverage(values: readonly number[], window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= window) sum -= values[i - window]!;
    out.push(sum / Math.min(i + 1, window));
  }
  return out;
}

/**
 * One PNG per unit of the first layer, each normalized to its own min…max (as CS231n shows them):
 * column h of `W1 [D, H]` reshaped to the input image `[height, width, channels]`, or filter f of
 * `[F, C, k, k]` moved to channels last.
 */
export function firstLayerImages(first: NonNullable<TrainingRecord['firstLayer']>, max = 64): { url: string; label: string }[] {
  const images: { url: string; label: string }[] = [];
  if (first.kind === 'affine') {
    const [D, Hn] = first.w.shape as [number, number];
    const [h, w, c] = first.image;
    if (h * w * c !== D) return [];
    for (let unit = 0; unit < Math.min(Hn, max); unit++) {
      const column = new Float64Array(D);
      for (let d = 0; d < D; d++) column[d] = first.w.data[d * Hn + unit]!;
      images.push({ url: pngDataUrl(w, h, c === 3 ? 3 : 1, normalizeToBytes(c === 3 || c === 1 ? column : column.subarray(0, h * w))), label: `unit ${unit + 1}` });
    }
  } else {
    const [F, C, k] = first.w.shape as [number, number, number, number];
    for (let f = 0; f < Math.min(F, max); f++) {
      const hwc = new Float64Array(k * k * (C === 3 ? 3 : 1));
      for (let y = 0; y < k; y++) {
        for (let x = 0; x < k; x++) {
          if (C === 3) for (let c = 0; c < 3; c++) hwc[(y * k + x) * 3 + c] = first.w.data[((f * C + c) * k + y) * k + x]!;
          else hwc[y * k + x] = first.w.data[((f * C + 0) * k + y) * k + x]!;
        }
      }
      images.push({ url: pngDataUrl(k, k, C === 3 ? 3 : 1, normalizeToBytes(hwc)), label: `filter ${f + 1}${C !== 1 && C !== 3 ? ' (channel 1)' : ''}` });
    }
  }
  return images;
}

/** The report's HTML. */
export function trainingReport(r: TrainingRecord): string {
  const sections: Section[] = [];
  sections.push({ title: 'Summary', html: table(['', ''], r.summary, 'kv') });
  if (r.builtFrom && r.builtFrom.length > 0) {
    sections.push({
      title: 'Built from',
      note: 'Which code ran each part of the network: the exercises’ files, or the kit’s own layers (network/).',
      html: table(['part', 'code'], r.builtFrom, 'kv'),
    });
  }

  if (r.sanity && r.sanity.length > 0) {
    const rows = r.sanity.map(
      (c) => `<tr><td class="l ${c.passed ? 'ok' : 'bad'}">${c.passed ? 'pass' : 'FAIL'}</td><td class="l">${escapeXml(c.name)}</td><td class="l">${escapeXml(c.detail)}</td></tr>`,
    );
    sections.push({
      title: 'Sanity checks',
      note: 'Before training, as the lecture teaches: the initial loss, the effect of regularization, the gradients, and overfitting a tiny subset.',
      html: `<table><thead><tr><th class="l">result</th><th class="l">check</th><th class="l">detail</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    });
  }

  const iterations = r.lossHistory.map((v, i) => [i + 1, v] as const);
  const window = Math.max(1, Math.round(r.batchesPerEpoch / 4));
  const smooth = movingAverage(r.lossHistory, window).map((v, i) => [i + 1, v] as const);
  const epochMarks = r.valAccHistory.map((_, e) => e);
  sections.push({
    title: 'Loss',
    note: 'Per-minibatch loss (faint) and its moving average. It should fall fast, then slowly; flat from the start means the learning rate is too low, a jump up or NaN means it is too high.',
    html: lineChart(
      [
        { name: 'minibatch loss', points: iterations, color: PALETTE[0]!, faint: true },
        { name: `moving average (${window} steps)`, points: smooth, color: PALETTE[0]! },
      ],
      { title: 'Training loss', xLabel: `iteration (${r.batchesPerEpoch} per epoch)`, yLabel: 'loss', xInteger: true },
    ),
  });
  // Zoom on the trained epochs: next to the chance-level start, a 1% gap would be invisible.
  const from = r.valAccHistory.length > 1 ? 1 : 0;
  const shown = [...r.trainAccHistory.slice(from), ...r.valAccHistory.slice(from)].filter(Number.isFinite);
  const yDomain = [Math.max(0, Math.min(...shown) - 0.02), Math.min(1, Math.max(...shown) + 0.01)] as const;
  sections.push({
    title: 'Accuracy',
    note: `Train accuracy (on a 1,000-sample subset) and validation accuracy after each epoch; a growing gap means overfitting. Before training: ${percent(r.trainAccHistory[0] ?? NaN)} train, ${percent(r.valAccHistory[0] ?? NaN)} validation (chance is 10%). The parameters of the best validation epoch (${r.bestEpoch}) are kept.`,
    html: lineChart(
      [
        { name: 'train', points: r.trainAccHistory.map((v, e) => [epochMarks[e]!, v] as const).slice(from), color: PALETTE[0]!, dots: true },
        { name: 'validation', points: r.valAccHistory.map((v, e) => [epochMarks[e]!, v] as const).slice(from), color: PALETTE[1]!, dots: true },
      ],
      { title: 'Train vs validation accuracy', xLabel: 'epoch', yLabel: 'accuracy', yFormat: percent, xInteger: true, ...(shown.length > 0 ? { yDomain } : {}) },
    ),
  });
  sections.push({
    title: 'Learning-rate schedule',
    note: 'The learning rate used during each epoch (step decay after every epoch).',
    html: lineChart([{ name: 'learning rate', points: r.lrHistory.map((v, e) => [e + 1, v] as const), color: PALETTE[2]!, dots: true }], {
      title: 'Learning rate',
      xLabel: 'epoch',
      yLabel: 'learning rate',
      yScale: 'log',
      xInteger: true,
    }),
  });

  if (r.search && r.search.length > 0) {
    const best = r.search.reduce((a, b) => (b.valAcc > a.valAcc ? b : a));
    sections.push({
      title: 'Hyperparameter search',
      note: 'Random search, log-uniform in learning rate and regularization: coarse trials (circles) over wide ranges, then fine trials (diamonds) around the best ones. Colour is validation accuracy; the red outline is the best trial.',
      html:
        scatterChart(
          r.search.map((p) => ({
            x: p.learningRate,
            y: p.reg,
            value: p.valAcc,
            shape: p.stage === 'fine' ? 'diamond' : 'circle',
            highlight: p === best,
            label: `${p.stage}: lr ${p.learningRate.toExponential(2)}, reg ${p.reg.toExponential(2)}`,
          })),
          { title: 'Search: learning rate vs regularization', xLabel: 'learning rate', yLabel: 'regularization', valueLabel: 'val acc', valueFormat: percent },
        ) +
        table(
          ['rank', 'stage', 'learning rate', 'reg', 'val acc'],
          [...r.search]
            .sort((a, b) => b.valAcc - a.valAcc)
            .map((p, i) => [i + 1, p.stage, p.learningRate.toExponential(2), p.reg.toExponential(2), percent(p.valAcc)]),
        ),
    });
  }

  if (r.firstLayer) {
    const images = firstLayerImages(r.firstLayer);
    const columns = r.firstLayer.kind === 'conv' ? 16 : 8;
    sections.push({
      title: 'First-layer weights',
      note:
        r.firstLayer.kind === 'conv'
          ? 'Each conv filter as an image, scaled to its own range. Smooth, structured filters (edges, blobs) are a sign of good training; noise means too little training or too little regularization.'
          : 'Each hidden unit’s incoming weights shown as an image of the input, scaled to its own range: trained units look like strokes and digit parts; pure noise means undertrained or unregularized.',
      html: `<div class="weights" style="grid-template-columns: repeat(${columns}, minmax(0, ${r.firstLayer.kind === 'conv' ? 48 : 96}px))">${images
        .map((im) => `<img src="${im.url}" alt="${im.label}" title="${im.label}">`)
        .join('')}</div>`,
    });
  }

  if (r.confusion) {
    const { classes, counts } = r.confusion;
    sections.push({
      title: 'Confusion matrix (test split)',
      note: 'Rows: true class; columns: predicted class.',
      html: table(['true \\ predicted', ...classes], counts.map((row, i) => [classes[i]!, ...row])),
    });
  }
  return renderPage(r.title, r.subtitle, sections);
}
