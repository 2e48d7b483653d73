/** Typical layer-norm and group-norm mistakes, as edits of the reference solution (see ../mistake.ts). */
import type { Mistake } from '../mistake.ts';

/** The line of the reference that views x as one row per (sample, group) and normalizes the rows. */
const ROWS = 'const rows = layernormForward(reshape(x, [N * G, Cg * HW]), ones([Cg * HW]), zeros([Cg * HW]), eps);';
const XHAT = 'const xhat = reshape(rows.out, [N, C, H, W]);';
const IMPORT = "import { assertShape, formatShape, ones, reshape, zeros, type Tensor } from '../../lib/index.ts';";
const IMPORT_WITH_TRANSPOSE = "import { assertShape, formatShape, ones, reshape, transpose, zeros, type Tensor } from '../../lib/index.ts';";

export const mistakes: Mistake[] = [
  {
    id: 'strided-channel-groups',
    fn: 'groupnormForward',
    hint:
      'The groups look strided (every G-th channel together, channel c in group c mod G). ' +
      'Groups are contiguous: channels 0 … C/G − 1 form group 0, the next C/G channels group 1, and so on.',
    file: 'groupnorm.ts',
    replace: [
      [IMPORT, IMPORT_WITH_TRANSPOSE],
      [
        ROWS,
        'const rows = layernormForward(reshape(transpose(reshape(x, [N, Cg, G, HW]), [0, 2, 1, 3]), [N * G, Cg * HW]), ones([Cg * HW]), zeros([Cg * HW]), eps);',
      ],
      [XHAT, 'const xhat = reshape(transpose(reshape(rows.out, [N, G, Cg, HW]), [0, 2, 1, 3]), [N, C, H, W]);'],
    ],
  },
  {
    id: 'groupnorm-statistics-over-batch',
    fn: 'groupnormForward',
    hint:
      'The statistics look shared across the samples of the batch, as in batch norm. Group norm computes a mean and ' +
      'a variance for each sample and each group separately, never across samples.',
    file: 'groupnorm.ts',
    replace: [
      [IMPORT, IMPORT_WITH_TRANSPOSE],
      [
        ROWS,
        'const rows = layernormForward(reshape(transpose(reshape(x, [N, G, Cg * HW]), [1, 0, 2]), [G, N * Cg * HW]), ones([N * Cg * HW]), zeros([N * Cg * HW]), eps);',
      ],
      [XHAT, 'const xhat = reshape(transpose(reshape(rows.out, [G, N, Cg * HW]), [1, 0, 2]), [N, C, H, W]);'],
    ],
  },
  {
    id: 'normalize-per-channel',
    fn: 'groupnormForward',
    hint:
      'Each channel looks normalized on its own (that is instance norm, G = C). Group norm pools the statistics of ' +
      'all C/G channels of a group: one mean and one variance over (C/G)·H·W values.',
    file: 'groupnorm.ts',
    replace: [[ROWS, 'const rows = layernormForward(reshape(x, [N * C, HW]), ones([HW]), zeros([HW]), eps);']],
  },
  {
    id: 'gamma-beta-per-group',
    fn: 'groupnormForward',
    hint:
      'gamma and beta look indexed by group. They hold one value per channel, [C]: channel c is scaled by gamma[c] ' +
      'and shifted by beta[c], whatever group it is in.',
    file: 'groupnorm.ts',
    replace: [
      [
        'out[k] = gamma.data[c]! * xhat.data[k]! + beta.data[c]!;',
        'out[k] = gamma.data[Math.floor(c / Cg)]! * xhat.data[k]! + beta.data[Math.floor(c / Cg)]!;',
      ],
    ],
  },
  {
    id: 'variance-d-minus-1',
    fn: 'layernormForward',
    hint: 'The variance looks unbiased (divided by D − 1). Layer norm and group norm use the biased variance: divide by the number of values.',
    file: 'groupnorm.ts',
    replace: [['    variance /= D;', '    variance /= Math.max(1, D - 1);']],
  },
  {
    id: 'eps-outside-sqrt',
    fn: 'layernormForward',
    hint: 'eps seems to be added after the square root. Normalize by √(σ² + ε), with ε inside the root.',
    file: 'groupnorm.ts',
    replace: [['invStd[i] = 1 / Math.sqrt(variance + eps);', 'invStd[i] = 1 / (Math.sqrt(variance) + eps);']],
  },
  {
    id: 'one-pass-variance',
    fn: 'layernormForward',
    hint:
      'The variance looks computed as E[x²] − μ², which loses every digit when the values sit far from 0 ' +
      '(near 1e6, x² is 1e12). Compute it from the centred values: (1/D) Σ (x − μ)².',
    file: 'groupnorm.ts',
    replace: [
      [
        '    for (let d = 0; d < D; d++) variance += (x.data[row + d]! - mu) ** 2;\n    variance /= D;',
        '    for (let d = 0; d < D; d++) variance += x.data[row + d]! ** 2;\n    variance = variance / D - mu * mu;',
      ],
    ],
  },
  {
    id: 'layernorm-statistics-over-batch',
    fn: 'layernormForward',
    hint:
      'The statistics look computed per feature over the batch (that is batch norm). Layer norm computes one mean ' +
      'and one variance per row, over its D features, so no sample depends on another.',
    file: 'groupnorm.ts',
    replace: [
      [
        [
          '    let mu = 0;',
          '    for (let d = 0; d < D; d++) mu += x.data[row + d]!;',
          '    mu /= D;',
          '    let variance = 0;',
          '    for (let d = 0; d < D; d++) variance += (x.data[row + d]! - mu) ** 2;',
          '    variance /= D;',
          '    invStd[i] = 1 / Math.sqrt(variance + eps);',
          '    for (let d = 0; d < D; d++) {',
        ].join('\n'),
        [
          '    for (let d = 0; d < D; d++) {',
          '      let mu = 0;',
          '      for (let j = 0; j < N; j++) mu += x.data[j * D + d]!;',
          '      mu /= N;',
          '      let variance = 0;',
          '      for (let j = 0; j < N; j++) variance += (x.data[j * D + d]! - mu) ** 2;',
          '      variance /= N;',
          '      invStd[i] = 1 / Math.sqrt(variance + eps);',
        ].join('\n'),
      ],
    ],
  },
  {
    id: 'backward-missing-mean-path',
    fn: 'layernormBackward',
    hint: 'dx misses the path through the mean μ: every x_id also moves its row mean, so dx needs the −(1/D) Σ dx̂ term.',
    file: 'groupnorm.ts',
    replace: [[' * (D * dxhat - sumDxhat - xhat', ' * (D * dxhat - xhat']],
  },
  {
    id: 'backward-missing-variance-path',
    fn: 'layernormBackward',
    hint: 'dx misses the path through the variance σ²: x̂ depends on x through σ² too, which gives the x̂ ⊙ Σ (dx̂ ⊙ x̂) term.',
    file: 'groupnorm.ts',
    replace: [[' - sumDxhat - xhat.data[row + d]! * sumDxhatXhat);', ' - sumDxhat);']],
  },
  {
    id: 'dgamma-summed-per-group',
    fn: 'groupnormBackward',
    hint:
      'dgamma looks summed over whole groups. gamma has one value per channel, so dgamma[c] sums dout ⊙ x̂ over ' +
      'the samples and pixels of channel c only.',
    file: 'groupnorm.ts',
    replace: [
      [
        '  const { dx } = layernormBackward(',
        [
          '  const Cg = C / cache.G;',
          '  const groupSums = new Float64Array(cache.G);',
          '  for (let c = 0; c < C; c++) groupSums[Math.floor(c / Cg)]! += dgamma[c]!;',
          '  for (let c = 0; c < C; c++) dgamma[c] = groupSums[Math.floor(c / Cg)]!;',
          '  const { dx } = layernormBackward(',
        ].join('\n'),
      ],
    ],
  },
  {
    id: 'backward-forgets-gamma',
    fn: 'groupnormBackward',
    hint: 'dx looks computed as if gamma were 1. The gradient reaching x̂ is dout scaled by gamma of its channel.',
    file: 'groupnorm.ts',
    replace: [['dxhat[k] = dout.data[k]! * gamma.data[c]!;', 'dxhat[k] = dout.data[k]!;']],
  },
];
