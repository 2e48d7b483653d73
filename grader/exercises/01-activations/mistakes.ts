/** Typical activation-function mistakes, as edits of the reference solution (see ../mistake.ts). */
import type { Mistake } from '../mistake.ts';

const file = 'activations.ts';

/** The sigmoid forward pass of the reference, ending with its cache; edits that need x in the cache extend it. */
const SIGMOID_CACHE = '    return e / (1 + e);\n  });\n  return { out, cache: { out } };';
const SIGMOID_CACHE_WITH_X = '    return e / (1 + e);\n  });\n  return { out, cache: { out, x } };';
const TANH_CACHE = "const out = map(x, Math.tanh);\n  return { out, cache: { out } };";
const TANH_CACHE_WITH_X = "const out = map(x, Math.tanh);\n  return { out, cache: { out, x } };";

export const mistakes: Mistake[] = [
  {
    id: 'sigmoid-derivative-of-x',
    fn: 'sigmoidBackward',
    hint: 'σ′ looks computed from the input x. The derivative σ(1 − σ) is written in terms of the sigmoid output σ(x).',
    file,
    replace: [
      [SIGMOID_CACHE, SIGMOID_CACHE_WITH_X],
      ['const { out } = cache;\n  assertShape(\'sigmoidBackward\'', 'const out = (cache as unknown as { x: Tensor }).x;\n  assertShape(\'sigmoidBackward\''],
    ],
  },
  {
    id: 'sigmoid-derivative-of-output-again',
    fn: 'sigmoidBackward',
    hint: 'σ(1 − σ) seems applied to σ of the cached output, i.e. the sigmoid is taken twice. Use the forward output as it is.',
    file,
    replace: [['(g, s) => g * s * (1 - s)', '(g, o) => { const s = 1 / (1 + Math.exp(-o)); return g * s * (1 - s); }']],
  },
  {
    id: 'sigmoid-ignores-dout',
    fn: 'sigmoidBackward',
    hint: 'dx looks like the local derivative alone. The chain rule multiplies it by the upstream gradient dout.',
    file,
    replace: [['(g, s) => g * s * (1 - s)', '(_g, s) => s * (1 - s)']],
  },
  {
    id: 'sigmoid-overflow-forward',
    fn: 'sigmoidForward',
    hint: 'The sigmoid gives NaN for large positive inputs: e^x / (1 + e^x) is Infinity / Infinity there. Use a form that only exponentiates non-positive numbers.',
    file,
    replace: [['if (v >= 0) return 1 / (1 + Math.exp(-v));\n    const e', 'const e']],
  },
  {
    id: 'sigmoid-overflow-backward',
    fn: 'sigmoidBackward',
    hint: 'The sigmoid gradient is NaN for large negative inputs: e^(−x) / (1 + e^(−x))² overflows there. Write σ′ with the cached output.',
    file,
    replace: [
      [SIGMOID_CACHE, SIGMOID_CACHE_WITH_X],
      [
        "const { out } = cache;\n  assertShape('sigmoidBackward', 'dout', dout, out.shape);\n  return map2(dout, out, (g, s) => g * s * (1 - s));",
        "const { out } = cache;\n  assertShape('sigmoidBackward', 'dout', dout, out.shape);\n  return map2(dout, (cache as unknown as { x: Tensor }).x, (g, v) => (g * Math.exp(-v)) / (1 + Math.exp(-v)) ** 2);",
      ],
    ],
  },
  {
    id: 'tanh-derivative-of-x',
    fn: 'tanhBackward',
    hint: 'tanh′ looks computed as 1 − x² from the input. The derivative is 1 − tanh²(x), from the forward output.',
    file,
    replace: [
      [TANH_CACHE, TANH_CACHE_WITH_X],
      [
        "return map2(dout, out, (g, t) => g * (1 - t * t));",
        "return map2(dout, (cache as unknown as { x: Tensor }).x, (g, v) => g * (1 - v * v));",
      ],
    ],
  },
  {
    id: 'tanh-derivative-not-squared',
    fn: 'tanhBackward',
    hint: 'tanh′ should be 1 − tanh²(x): the output is squared.',
    file,
    replace: [['(g, t) => g * (1 - t * t)', '(g, t) => g * (1 - t)']],
  },
  {
    id: 'tanh-overflow',
    fn: 'tanhForward',
    hint: 'tanh gives NaN for large |x|: a quotient of exponentials is Infinity / Infinity there. Math.tanh is stable.',
    file,
    replace: [['const out = map(x, Math.tanh);', 'const out = map(x, (v) => (Math.exp(v) - Math.exp(-v)) / (Math.exp(v) + Math.exp(-v)));']],
  },
  {
    id: 'relu-gradient-unmasked',
    fn: 'reluBackward',
    hint: 'The ReLU gradient passes dout where x < 0. Where the unit was off, nothing flows back.',
    file,
    replace: [['(g, v) => (v > 0 ? g : 0)', '(g) => g']],
  },
  {
    id: 'relu-gradient-at-zero',
    fn: 'reluBackward',
    hint: 'At exactly x = 0 the ReLU gradient should be 0 (the CS231n convention: dout where x > 0, strictly).',
    file,
    replace: [['(g, v) => (v > 0 ? g : 0)', '(g, v) => (v >= 0 ? g : 0)']],
  },
  {
    id: 'relu-mutates-input',
    fn: 'reluForward',
    hint: 'reluForward seems to write into x. Forward passes must return a new tensor and leave their input untouched.',
    file,
    replace: [
      [
        'const out = map(x, (v) => (v > 0 ? v : 0));\n  return { out, cache: { x } };',
        'for (let i = 0; i < x.data.length; i++) x.data[i] = Math.max(0, x.data[i]!);\n  const out = x;\n  return { out, cache: { x } };',
      ],
    ],
  },
  {
    id: 'leaky-relu-default-alpha',
    fn: 'leakyReluForward',
    hint: 'With no alpha given, leaky ReLU should use the slope 0.01.',
    file,
    replace: [['export function leakyReluForward(x: Tensor, alpha = 0.01)', 'export function leakyReluForward(x: Tensor, alpha = 0.1)']],
  },
  {
    id: 'leaky-relu-slope-on-positives',
    fn: 'leakyReluBackward',
    hint: 'The leaky slope alpha seems applied on the positive side. It scales the gradient where x ≤ 0; for x > 0 the gradient is dout.',
    file,
    replace: [['(g, v) => (v > 0 ? g : alpha * g)', '(g, v) => (v > 0 ? alpha * g : g)']],
  },
  {
    id: 'leaky-relu-backward-ignores-alpha',
    fn: 'leakyReluBackward',
    hint: 'leakyReluBackward seems to use the default slope. Use the alpha the forward pass was called with (keep it in the cache).',
    file,
    replace: [['(g, v) => (v > 0 ? g : alpha * g)', '(g, v) => (v > 0 ? g : 0.01 * g)']],
  },
  {
    id: 'leaky-relu-gradient-at-zero',
    fn: 'leakyReluBackward',
    hint: 'At exactly x = 0 the leaky ReLU gradient should use the slope alpha: the brief\'s rule is 1 if x > 0 (strictly), else alpha.',
    file,
    replace: [['(g, v) => (v > 0 ? g : alpha * g)', '(g, v) => (v >= 0 ? g : alpha * g)']],
  },
  {
    id: 'elu-gradient-at-zero',
    fn: 'eluBackward',
    hint: 'At exactly x = 0 the ELU gradient should be alpha · e^0 = alpha: the brief\'s rule is 1 if x > 0 (strictly), else alpha · e^x.',
    file,
    replace: [['(v > 0 ? g : g * alpha * Math.exp(v))', '(v >= 0 ? g : g * alpha * Math.exp(v))']],
  },
  {
    id: 'elu-derivative-is-output',
    fn: 'eluBackward',
    hint: 'For x ≤ 0 the ELU gradient looks like out = α(e^x − 1). The derivative of α(e^x − 1) is α·e^x, which is out + α.',
    file,
    replace: [['g * alpha * Math.exp(v)', 'g * alpha * Math.expm1(v)']],
  },
  {
    id: 'elu-derivative-without-alpha',
    fn: 'eluBackward',
    hint: 'For x ≤ 0 the ELU derivative is α·e^x; the gradient seems to miss the factor α (visible when α ≠ 1).',
    file,
    replace: [['g * alpha * Math.exp(v)', 'g * Math.exp(v)']],
  },
  {
    id: 'elu-forward-without-alpha',
    fn: 'eluForward',
    hint: 'For x ≤ 0 ELU is α(e^x − 1); the output seems to miss the factor α (visible when α ≠ 1).',
    file,
    replace: [['(v > 0 ? v : alpha * Math.expm1(v))', '(v > 0 ? v : Math.expm1(v))']],
  },
];
