// Self-test: run a short sequence through the active engine and the CPU reference (f32, same precision map)
// and compare the logits. "CPU match" catches a numerically wrong kernel that still produces fluent text.
import type { SelfTestResult } from '../api.ts';
import type { LoadedModel } from '../loader/types.ts';
import { CpuForward } from '../reference/forward.ts';
import type { Forward } from './forward.ts';
import { argmax } from './sampler.ts';

/** Largest model (weight bytes) the self-test copies onto the CPU to compare against. */
export const SELF_TEST_MAX_BYTES = 256 << 20;

export async function selfTest(model: LoadedModel, forward: Forward): Promise<SelfTestResult> {
  if (forward.weightBytes() > SELF_TEST_MAX_BYTES) {
    throw new Error(`the self-test builds a CPU copy of the weights, too large for this model (${(forward.weightBytes() / 2 ** 20).toFixed(0)} MiB): use \`cli eval\` instead`);
  }
  const text = 'Once upon a time, there was a little cat. 12 + 30 = 42.';
  const tokens = model.tokenizer.encode(text, { bos: true }).slice(0, Math.min(32, forward.maxSeq));
  const reference = await CpuForward.create(model.config, model.weights, forward.precision, tokens.length);
  const want = reference.forwardSync(tokens, 0, true);
  reference.dispose();
  const got = await forward.forward(tokens, 0, true);
  const vocab = model.config.vocabSize;
  let agree = 0, maxAbsDiff = 0;
  for (let r = 0; r < tokens.length; r++) {
    const a = want.subarray(r * vocab, (r + 1) * vocab), b = got.subarray(r * vocab, (r + 1) * vocab);
    if (argmax(a) === argmax(b)) agree++;
    for (let i = 0; i < vocab; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[i] - b[i]));
  }
  const top1Agreement = agree / tokens.length;
  const ok = top1Agreement >= 0.95 && Number.isFinite(maxAbsDiff);
  return {
    ok,
    engine: forward.kind,
    top1Agreement,
    maxAbsDiff,
    message: `${forward.kind} vs CPU reference over ${tokens.length} tokens: top-1 agreement ${(top1Agreement * 100).toFixed(1)}%, max |Δlogit| ${maxAbsDiff.toExponential(2)}`,
  };
}
