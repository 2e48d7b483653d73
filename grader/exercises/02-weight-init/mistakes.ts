/** Typical weight-initialization mistakes, as edits of the reference solution (see ../mistake.ts). */
import type { Mistake } from '../mistake.ts';

const file = 'weight-init.ts';
const XAVIER = 'return map(randn([fanIn, fanOut], rng), (v) => v / Math.sqrt(fanIn));';
const HE = 'return map(randn([fanIn, fanOut], rng), (v) => v * Math.sqrt(2 / fanIn));';
const STATS = 'stats.push({ mean: mean(h).data[0]!, std: Math.sqrt(variance(h).data[0]!) });';

export const mistakes: Mistake[] = [
  {
    id: 'xavier-scaled-by-fan-out',
    fn: 'xavierInit',
    hint: 'Xavier weights look scaled by the number of outputs. Each unit sums fanIn inputs, so the scale is 1/√fanIn.',
    file,
    replace: [[XAVIER, 'return map(randn([fanIn, fanOut], rng), (v) => v / Math.sqrt(fanOut));']],
  },
  {
    id: 'xavier-variance-not-std',
    fn: 'xavierInit',
    hint: 'Xavier weights look divided by fanIn itself. Variance 1/fanIn means a standard deviation of 1/√fanIn: scale the normal draws by the square root.',
    file,
    replace: [[XAVIER, 'return map(randn([fanIn, fanOut], rng), (v) => v / fanIn);']],
  },
  {
    id: 'xavier-glorot-average',
    fn: 'xavierInit',
    hint: 'The weights look like Glorot’s 2 / (fanIn + fanOut) variance. This kit’s xavierInit uses the lecture’s 1 / fanIn.',
    file,
    replace: [[XAVIER, 'return map(randn([fanIn, fanOut], rng), (v) => v * Math.sqrt(2 / (fanIn + fanOut)));']],
  },
  {
    id: 'he-without-two',
    fn: 'heInit',
    hint: 'He weights look like Xavier weights. ReLU halves the second moment, so He doubles the variance: 2 / fanIn.',
    file,
    replace: [[HE, 'return map(randn([fanIn, fanOut], rng), (v) => v * Math.sqrt(1 / fanIn));']],
  },
  {
    id: 'he-scaled-by-fan-out',
    fn: 'heInit',
    hint: 'He weights look scaled by the number of outputs. The variance is 2 / fanIn.',
    file,
    replace: [[HE, 'return map(randn([fanIn, fanOut], rng), (v) => v * Math.sqrt(2 / fanOut));']],
  },
  {
    id: 'shape-fan-out-by-fan-in',
    fn: 'xavierInit',
    hint: 'W has the shape [fanOut, fanIn]. The layer computes h · W with h [N, fanIn], so W is [fanIn, fanOut].',
    file,
    replace: [[XAVIER, 'return map(randn([fanOut, fanIn], rng), (v) => v / Math.sqrt(fanIn));']],
  },
  {
    id: 'math-random',
    fn: 'heInit',
    hint: 'The weights do not depend on the seed. Draw every weight with rng.randn(), in row-major order, never with Math.random.',
    file,
    replace: [
      [
        HE,
        'const gauss = () => Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());\n  return map(randn([fanIn, fanOut], rng), () => gauss() * Math.sqrt(2 / fanIn));',
      ],
    ],
  },
  {
    id: 'small-ignores-scale',
    fn: 'smallRandomInit',
    hint: 'smallRandomInit seems to ignore its scale argument. The default is 0.01; a given scale replaces it.',
    file,
    replace: [['return map(randn([fanIn, fanOut], rng), (v) => v * scale);', 'return map(randn([fanIn, fanOut], rng), (v) => v * 0.01);']],
  },
  {
    id: 'stats-sample-std',
    fn: 'activationStatistics',
    hint: 'The std looks like the sample std (divided by N·D − 1). Report the population std: divide by the number of activations N·D.',
    file,
    replace: [[STATS, 'stats.push({ mean: mean(h).data[0]!, std: Math.sqrt(variance(h, undefined, { ddof: 1 }).data[0]!) });']],
  },
  {
    id: 'stats-of-pre-activations',
    fn: 'activationStatistics',
    hint: 'The statistics look taken before the nonlinearity. Report each layer’s activations act(h · W), the values the next layer receives.',
    file,
    replace: [
      [
        `h = map(matmul(h, w), act);\n    // mean and variance over every axis; variance divides by the count (ddof = 0).\n    ${STATS}`,
        'const z = matmul(h, w);\n    h = map(z, act);\n    stats.push({ mean: mean(z).data[0]!, std: Math.sqrt(variance(z).data[0]!) });',
      ],
    ],
  },
  {
    id: 'stats-per-unit-average',
    fn: 'activationStatistics',
    hint: 'The std looks averaged over units (each column’s own std). Take the std of all N·D activations of the layer together.',
    file,
    replace: [[STATS, 'stats.push({ mean: mean(h).data[0]!, std: mean(map(variance(h, 0), Math.sqrt)).data[0]! });']],
  },
  {
    id: 'stats-ignore-activation',
    fn: 'activationStatistics',
    hint: "The activation argument seems ignored: 'relu' must apply max(0, ·) between layers, 'tanh' the hyperbolic tangent.",
    file,
    replace: [["const act = activation === 'tanh' ? Math.tanh : (v: number) => (v > 0 ? v : 0);", 'const act = Math.tanh;']],
  },
];
