/** Typical gradient-checking mistakes, as edits of the reference solution (see ../mistake.ts). */
import type { Mistake } from '../mistake.ts';

/** numericalGradient perturbing x itself (as CS231n's loop does) instead of a copy. */
const IN_PLACE: readonly [string, string] = [
  'checkStep(fn, h);\n  const probe: Tensor = { shape: [...x.shape], data: x.data.slice() };',
  'checkStep(fn, h);\n  const probe = x;',
];

export const mistakes: Mistake[] = [
  {
    id: 'forward-differences',
    fn: 'numericalGradient',
    hint: 'The gradient looks like a forward difference (f(x + h) − f(x)) / h, whose error shrinks only like h. Evaluate f on both sides of x.',
    file: 'gradient-check.ts',
    replace: [
      ['probe.data[i] = old - h;\n    const fMinus', 'probe.data[i] = old;\n    const fMinus'],
      ['grad[i] = (fPlus - fMinus) / (2 * h);', 'grad[i] = (fPlus - fMinus) / h;'],
    ],
  },
  {
    id: 'divide-by-h',
    fn: 'numericalGradient',
    hint: 'The gradient is twice what it should be: f(x + h) and f(x − h) are 2h apart, so divide their difference by 2h.',
    file: 'gradient-check.ts',
    replace: [['grad[i] = (fPlus - fMinus) / (2 * h);', 'grad[i] = (fPlus - fMinus) / h;']],
  },
  {
    id: 'x-not-restored',
    fn: 'numericalGradient',
    hint: 'x is different after the call: after perturbing an element, put its old value back before moving on.',
    file: 'gradient-check.ts',
    replace: [IN_PLACE, ['    probe.data[i] = old; // the next element must be perturbed around x, not around x − h·e_i\n', '']],
  },
  {
    id: 'x-restored-to-x-plus-h',
    fn: 'numericalGradient',
    hint: 'Each element ends up h away from where it started: restore the value you saved before perturbing, not x + h.',
    file: 'gradient-check.ts',
    replace: [IN_PLACE, ['probe.data[i] = old; // the next element', 'probe.data[i] = old + h; // the next element']],
  },
  {
    id: 'x-not-restored-when-f-throws',
    fn: 'numericalGradient',
    hint: 'When f throws, x is left perturbed: restore it in a finally block, or perturb a copy of x.',
    file: 'gradient-check.ts',
    // Restores after each evaluation, as CS231n does, but not when f throws in between.
    replace: [IN_PLACE],
  },
  {
    id: 'array-without-dout',
    fn: 'numericalGradientArray',
    hint: 'dx does not depend on dout: weight each output difference by dout before summing, since the gradient is that of Σ f(x) ⊙ dout.',
    file: 'gradient-check.ts',
    replace: [['s += (pos[j]! - neg[j]!) * dout.data[j]!;', 's += pos[j]! - neg[j]!;']],
  },
  {
    id: 'array-forward-differences',
    fn: 'numericalGradientArray',
    hint: 'dx looks like a forward difference (f(x + h) − f(x)) / h: evaluate f on both sides of x and divide by 2h.',
    file: 'gradient-check.ts',
    replace: [
      ['probe.data[i] = old - h;\n    const neg', 'probe.data[i] = old;\n    const neg'],
      ['grad[i] = s / (2 * h);', 'grad[i] = s / h;'],
    ],
  },
  {
    id: 'array-output-not-copied',
    fn: 'numericalGradientArray',
    hint: 'f(x + h) seems to change when you evaluate f(x − h): f may return its argument\'s data, so copy the output before perturbing again.',
    file: 'gradient-check.ts',
    replace: [['return out.data.slice();', 'return out.data;']],
  },
  {
    id: 'rel-error-without-floor',
    fn: 'relError',
    hint: 'relError(0, 0) is NaN, or two tiny numbers look far apart: divide by max(1e-8, |a| + |b|).',
    file: 'gradient-check.ts',
    replace: [['/ Math.max(1e-8, Math.abs(a) + Math.abs(b));', '/ (Math.abs(a) + Math.abs(b));']],
  },
  {
    id: 'rel-error-max-denominator',
    fn: 'relError',
    hint: 'The denominator looks like the larger of |a| and |b|: CS231n divides by their sum, |a| + |b| (floored at 1e-8).',
    file: 'gradient-check.ts',
    replace: [['/ Math.max(1e-8, Math.abs(a) + Math.abs(b));', '/ Math.max(1e-8, Math.abs(a), Math.abs(b));']],
  },
  {
    id: 'rel-error-average',
    fn: 'relError',
    hint: 'relError looks like an average over the elements: report the worst element (the maximum), so one bad entry cannot hide.',
    file: 'gradient-check.ts',
    replace: [['worst = Math.max(worst, r);', 'worst += r / a.data.length;']],
  },
  {
    id: 'rel-error-ignores-nan',
    fn: 'relError',
    hint: 'A NaN element is skipped: a comparison like r > worst is false for NaN. Let NaN through, so a NaN gradient never looks close.',
    file: 'gradient-check.ts',
    replace: [
      ['    if (Number.isNaN(r)) return NaN;\n', ''],
      ['worst = Math.max(worst, r);', 'if (r > worst) worst = r;'],
    ],
  },
  {
    id: 'sparse-forward-differences',
    fn: 'gradCheckSparse',
    hint: 'The numerical value of each check looks like a forward difference: use (f(x + h·e_i) − f(x − h·e_i)) / 2h.',
    file: 'gradient-check.ts',
    replace: [
      ['probe.data[offset] = old - h;', 'probe.data[offset] = old;'],
      ['const numerical = (fPlus - fMinus) / (2 * h);', 'const numerical = (fPlus - fMinus) / h;'],
    ],
  },
  {
    id: 'sparse-flat-index',
    fn: 'gradCheckSparse',
    hint: 'The indices do not follow the documented draw: one rng.randint(0, shape[k]) per axis k, in axis order.',
    file: 'gradient-check.ts',
    replace: [
      ['createRng, describe, isTensor', 'createRng, describe, isTensor, unravelIndex'],
      ['const index = x.shape.map((d) => random.randint(0, d));', 'const index = unravelIndex(random.randint(0, x.data.length), x.shape);'],
    ],
  },
  {
    id: 'sparse-index-off-by-one',
    fn: 'gradCheckSparse',
    hint: 'The last position of an axis is never checked: randint(low, high) already excludes high, so draw randint(0, shape[k]).',
    file: 'gradient-check.ts',
    replace: [['random.randint(0, d)', 'random.randint(0, Math.max(1, d - 1))']],
  },
];
