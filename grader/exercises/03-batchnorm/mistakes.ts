/** Typical batch-norm mistakes, as edits of the reference solution (see ../mistake.ts). */
import type { Mistake } from '../mistake.ts';

export const mistakes: Mistake[] = [
  {
    id: 'variance-n-minus-1',
    fn: 'batchnormForward',
    hint: 'The batch variance looks unbiased (divided by N − 1). Batch norm uses the biased variance: divide by N.',
    file: 'batchnorm.ts',
    replace: [['variance[d]! += (c * c) / N;', 'variance[d]! += (c * c) / Math.max(1, N - 1);']],
  },
  {
    id: 'eps-outside-sqrt',
    fn: 'batchnormForward',
    hint: 'eps seems to be added after the square root. Normalize by √(σ² + ε), with ε inside the root.',
    file: 'batchnorm.ts',
    replace: [['const invStd = variance.map((v) => 1 / Math.sqrt(v + eps));', 'const invStd = variance.map((v) => 1 / (Math.sqrt(v) + eps));']],
  },
  {
    id: 'momentum-swapped',
    fn: 'batchnormForward',
    hint: 'The running statistics move too fast: momentum weighs the old running value, running = momentum · running + (1 − momentum) · batch.',
    file: 'batchnorm.ts',
    replace: [
      ['runningMean[d] = momentum * runningMean[d]! + (1 - momentum) * mu[d]!;', 'runningMean[d] = (1 - momentum) * runningMean[d]! + momentum * mu[d]!;'],
      ['runningVar[d] = momentum * runningVar[d]! + (1 - momentum) * variance[d]!;', 'runningVar[d] = (1 - momentum) * runningVar[d]! + momentum * variance[d]!;'],
    ],
  },
  {
    id: 'test-mode-uses-batch-statistics',
    fn: 'batchnormForward',
    hint: 'Test mode seems to normalize with the statistics of the batch. At test time use runningMean and runningVar.',
    file: 'batchnorm.ts',
    replace: [["if (mode === 'train') {", "if (mode === 'train' || mode === 'test') {"]],
  },
  {
    id: 'backward-ignores-test-mode',
    fn: 'batchnormBackward',
    hint: 'After a test-mode forward the gradient still flows through the batch mean and variance. In test mode they are the running statistics, constants: only the direct path through x̂ remains.',
    file: 'batchnorm.ts',
    replace: [["  if (cache.mode === 'test') {\n    // μ and σ² are constants", "  if (cache.mode !== cache.mode) {\n    // μ and σ² are constants"]],
  },
  {
    id: 'normalize-over-features',
    fn: 'batchnormForward',
    hint: 'The statistics look computed per row (over features), which is layer norm. Batch norm averages each feature over the N rows.',
    file: 'batchnorm.ts',
    replace: [
      ['for (let i = 0; i < N; i++) for (let d = 0; d < D; d++) mu[d]! += x.data[i * D + d]! / N;', 'for (let i = 0; i < N; i++) { let m = 0; for (let d = 0; d < D; d++) m += x.data[i * D + d]! / D; for (let d = 0; d < D; d++) mu[d]! += m / N; }'],
    ],
  },
  {
    id: 'backward-missing-mean-path',
    fn: 'batchnormBackward',
    hint: 'dx misses the path through the batch mean μ: every x_id also moves μ_d, so dx needs the −(1/N) Σ_i term.',
    file: 'batchnorm.ts',
    replace: [['for (let k = 0; k < N * D; k++) dx[k]! += dmu[k % D]! / N;', '']],
  },
  {
    id: 'backward-missing-variance-path',
    fn: 'batchnormBackward',
    hint: 'dx misses the path through the batch variance σ²: x̂ depends on x through σ² too.',
    file: 'batchnorm.ts',
    replace: [['dx[k] = dxhat[k]! * invStd.data[d]! + (2 / N) * xmu.data[k]! * dvar[d]!;', 'dx[k] = dxhat[k]! * invStd.data[d]!;']],
  },
  {
    id: 'dgamma-without-xhat',
    fn: 'batchnormBackward',
    hint: 'dgamma should sum dout ⊙ x̂ over the batch: γ multiplies the normalized input, not the centred one.',
    file: 'batchnorm.ts',
    replace: [['dgamma[d]! += dout.data[k]! * xhat.data[k]!;\n      dxhat[k]', 'dgamma[d]! += dout.data[k]! * xmu.data[k]!;\n      dxhat[k]']],
  },
  {
    id: 'alt-missing-xhat-term',
    fn: 'batchnormBackwardAlt',
    hint: 'The closed form needs all three terms: N·dx̂ − Σ dx̂ − x̂ ⊙ Σ (dx̂ ⊙ x̂).',
    file: 'batchnorm.ts',
    replace: [[' - xhat.data[k]! * g * dgamma[d]!);', ');']],
  },
];
