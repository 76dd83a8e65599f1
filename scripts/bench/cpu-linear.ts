// Speed of the CPU linears (workers/reference/linear.ts) at stories260K's shapes, against a plain dot-product loop
// in the same run: tok/s as the model's 36 linears per token would give, best of interleaved repeats.
// (Moved here from tests/unit/quant-linear.test.ts: speed is a benchmark figure, not a test threshold.)
//   npx tsx scripts/bench/cpu-linear.ts [--repeats N]
import { loadavg } from 'node:os';
import { createCpuLinear } from '../../workers/reference/linear.ts';
import { mulberry32 } from '../../workers/model/sampler.ts';
import { spec } from '../../tests/linear-specs.ts';
import { num, parseArgs } from '../cli/args.ts';

const args = parseArgs(process.argv.slice(2), { repeats: 'string' });
const repeats = num(args, 'repeats', 8, { int: true, min: 1 });

function random(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

function naive(w: Float32Array, n: number, k: number, x: Float32Array, y: Float32Array) {
  for (let i = 0; i < n; i++) {
    let a = 0;
    for (let j = 0; j < k; j++) a += w[i * k + j] * x[j];
    y[i] = a;
  }
}

// dim 64, hidden 172, 8 heads / 4 kv heads (kv dim 32), 5 layers, vocab 512
const shapes: [number, number][] = [[64, 64], [32, 64], [32, 64], [64, 64], [172, 64], [172, 64], [64, 172], [512, 64]];
const x = random(172, 5), y = new Float32Array(512);
const ws = shapes.map(([n, k], i) => random(n * k, i));
const perToken = (run: (i: number) => void) => () => { for (let l = 0; l < 5; l++) for (let i = 0; i < 7; i++) run(i); run(7); };
const plain = perToken((i) => naive(ws[i], shapes[i][0], shapes[i][1], x, y));
console.log(`CPU linears at stories260K shapes, best of ${repeats} interleaved runs of 300 tokens (load average ${loadavg()[0].toFixed(2)})`);
for (const dtype of ['f32', 'fp8e4m3'] as const) {
  const lins = shapes.map(([n, k], i) => createCpuLinear(ws[i], n, k, spec({ dtype: i === 7 ? 'f32' : dtype })));
  const ours = perToken((i) => lins[i].apply(x, 1, y));
  let best = 0, bestPlain = 0;
  for (let rep = 0; rep < repeats; rep++) {
    for (const [f, isOurs] of [[ours, true], [plain, false]] as const) {
      const tokens = 300, t0 = performance.now();
      for (let t = 0; t < tokens; t++) f();
      const tokS = tokens / ((performance.now() - t0) / 1000);
      if (isOurs) best = Math.max(best, tokS); else bestPlain = Math.max(bestPlain, tokS);
    }
  }
  console.log(`${dtype} weights: ${best.toFixed(0)} tok/s, plain loop ${bestPlain.toFixed(0)} tok/s, ratio ${(best / bestPlain).toFixed(2)}`);
}
