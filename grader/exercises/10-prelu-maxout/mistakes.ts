/** Typical PReLU and maxout mistakes, as edits of the reference solution (see ../mistake.ts). */
import type { Mistake } from '../mistake.ts';

export const mistakes: Mistake[] = [
  {
    id: 'prelu-channels-last',
    fn: 'preluForward',
    hint: 'For [N, C, H, W] the slopes go to the wrong elements: the channel of x.data[i] is ⌊i / (H·W)⌋ mod C; i mod C is the channel only in a channels-last layout.',
    file: 'prelu-maxout.ts',
    replace: [['out[i] = v > 0 ? v : alpha.data[Math.floor(i / S) % C]! * v;', 'out[i] = v > 0 ? v : alpha.data[i % C]! * v;']],
  },
  {
    id: 'prelu-backward-relu',
    fn: 'preluBackward',
    hint: 'dx is 0 wherever x is negative, as for ReLU: there the output is alpha · x, so the gradient is scaled by alpha, not cut.',
    file: 'prelu-maxout.ts',
    replace: [['dx[i] = alpha.data[c]! * dout.data[i]!;', 'dx[i] = 0;']],
  },
  {
    id: 'prelu-kink-positive-side',
    fn: 'preluBackward',
    hint: 'At exactly x = 0 the gradient takes the x > 0 side: take the x ≤ 0 side (slope alpha), as leaky ReLU does in exercise 01.',
    file: 'prelu-maxout.ts',
    replace: [['if (v > 0) dx[i] = dout.data[i]!;', 'if (v >= 0) dx[i] = dout.data[i]!;']],
  },
  {
    id: 'prelu-dalpha-every-element',
    fn: 'preluBackward',
    hint: 'dalpha seems summed over every element: alpha only acts where x ≤ 0, so only those elements contribute.',
    file: 'prelu-maxout.ts',
    replace: [
      ['      dalpha[c]! += x.data[i]! * dout.data[i]!;\n', ''],
      ['    const c = Math.floor(i / S) % C;\n', '    const c = Math.floor(i / S) % C;\n    dalpha[c]! += x.data[i]! * dout.data[i]!;\n'],
    ],
  },
  {
    id: 'prelu-dalpha-without-x',
    fn: 'preluBackward',
    hint: 'dalpha looks like a sum of dout alone: the output is alpha · x there, so each element contributes dout · x.',
    file: 'prelu-maxout.ts',
    replace: [['dalpha[c]! += x.data[i]! * dout.data[i]!;', 'dalpha[c]! += dout.data[i]!;']],
  },
  {
    id: 'prelu-dalpha-first-sample',
    fn: 'preluBackward',
    hint: 'dalpha seems to count only part of the batch: a slope is shared by every sample (and every pixel of its channel), so sum over all of them.',
    file: 'prelu-maxout.ts',
    replace: [['dalpha[c]! += x.data[i]! * dout.data[i]!;', 'if (i < C * S) dalpha[c]! += x.data[i]! * dout.data[i]!;']],
  },
  {
    id: 'maxout-tie-last-piece',
    fn: 'maxoutBackward',
    hint: 'On a tie the last of the equal pieces wins: the smallest index must win (compare with >, not ≥).',
    file: 'prelu-maxout.ts',
    replace: [['if (s > best || j === 0) {', 'if (s >= best || j === 0) {']],
  },
  {
    id: 'maxout-gradient-to-every-piece',
    fn: 'maxoutBackward',
    hint: 'Every piece receives the gradient: only the piece that won the max is part of the output, so only it gets dout.',
    file: 'prelu-maxout.ts',
    replace: [
      ['      const j = winner[n * M + m]!;\n', ''],
      [
        '      db[j * M + m]! += g;\n      for (let d = 0; d < D; d++) {\n        dW[(j * D + d) * M + m]! += x.data[n * D + d]! * g;\n        dx[n * D + d]! += W.data[(j * D + d) * M + m]! * g;\n      }',
        '      for (let j = 0; j < k; j++) {\n        db[j * M + m]! += g;\n        for (let d = 0; d < D; d++) {\n          dW[(j * D + d) * M + m]! += x.data[n * D + d]! * g;\n          dx[n * D + d]! += W.data[(j * D + d) * M + m]! * g;\n        }\n      }',
      ],
    ],
  },
  {
    id: 'maxout-tie-shared',
    fn: 'maxoutBackward',
    hint: 'On a tie the gradient seems split between the equal pieces: it goes, whole, to the piece that won (the smallest index).',
    file: 'prelu-maxout.ts',
    replace: [
      [
        '        if (s > best || j === 0) {\n          best = s;\n          winner[n * M + m] = j; // strictly greater: the first of equal pieces keeps the win\n        }',
        '        if (s > best || j === 0) {\n          best = s;\n          winner[n * M + m] = j; // strictly greater: the first of equal pieces keeps the win\n        } else if (s === best) winner[n * M + m] = -1 - winner[n * M + m]!;',
      ],
      [
        '      const j = winner[n * M + m]!;\n',
        '      const w = winner[n * M + m]!;\n      const j = w < 0 ? -1 - w : w;\n      if (w < 0) {\n        const half = 0.5 * g;\n        db[j * M + m]! += half;\n        db[(j + 1) * M + m]! += half;\n        for (let d = 0; d < D; d++) {\n          dW[(j * D + d) * M + m]! += x.data[n * D + d]! * half;\n          dW[((j + 1) * D + d) * M + m]! += x.data[n * D + d]! * half;\n          dx[n * D + d]! += (W.data[(j * D + d) * M + m]! + W.data[((j + 1) * D + d) * M + m]!) * half;\n        }\n        continue;\n      }\n',
      ],
    ],
  },
  {
    id: 'maxout-dW-without-x',
    fn: 'maxoutBackward',
    hint: 'dW looks like dout alone: the winning piece is x · W + b, so its weights get x ⊙ dout.',
    file: 'prelu-maxout.ts',
    replace: [['dW[(j * D + d) * M + m]! += x.data[n * D + d]! * g;', 'dW[(j * D + d) * M + m]! += g;']],
  },
  {
    id: 'maxout-dx-first-piece',
    fn: 'maxoutBackward',
    hint: 'dx seems to use the weights of piece 0 for every output: use the weights of the piece that won.',
    file: 'prelu-maxout.ts',
    replace: [['dx[n * D + d]! += W.data[(j * D + d) * M + m]! * g;', 'dx[n * D + d]! += W.data[d * M + m]! * g;']],
  },
];
