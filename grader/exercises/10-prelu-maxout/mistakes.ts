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
    replace: [['data: dout.data.map((v, i) => (winner[i] === j ? v : 0)) };', 'data: dout.data.map((v) => v) };']],
  },
  {
    id: 'maxout-db-every-piece',
    fn: 'maxoutBackward',
    hint: 'db is the same for every piece: each piece’s bias only gets the gradient of the outputs that piece won.',
    file: 'prelu-maxout.ts',
    replace: [['for (let i = 0; i < N * M; i++) db[j * M + (i % M)]! += g.data[i]!;', 'for (let i = 0; i < N * M; i++) db[j * M + (i % M)]! += dout.data[i]!;']],
  },
  {
    id: 'maxout-dx-last-piece-only',
    fn: 'maxoutBackward',
    hint: 'dx seems to come from one piece only: every output reaches x through the piece that won it, so add up the contributions of all pieces.',
    file: 'prelu-maxout.ts',
    replace: [['for (let i = 0; i < N * D; i++) dx[i]! += dxj[i]!;', 'dx.set(dxj);']],
  },
  {
    id: 'maxout-dW-without-x',
    fn: 'maxoutBackward',
    hint: 'dW does not depend on x: the winning piece is x · W + b, so its weights get xᵀ · dout (of the outputs it won).',
    file: 'prelu-maxout.ts',
    replace: [['dW.set(matmul(xT, g).data, j * D * M);', 'dW.set(matmul({ shape: xT.shape, data: xT.data.map(() => 1) }, g).data, j * D * M);']],
  },
  {
    id: 'maxout-dx-first-piece',
    fn: 'maxoutBackward',
    hint: 'dx seems to use the weights of piece 0 for every output: use the weights of the piece that won.',
    file: 'prelu-maxout.ts',
    replace: [['const dxj = matmul(g, transpose(pieces[j]!)).data;', 'const dxj = matmul(g, transpose(pieces[0]!)).data;']],
  },
];
