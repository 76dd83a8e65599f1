// Where one forward's GPU time goes, apart from drawing: the engine's profile() (workers/gpu/profile.ts) times
// every dispatch of a decode step and a prefill chunk; this sums them per kernel type over the layers, per layer
// (embedding and head apart), and per group of kernels (the FFN matmuls, attention ...), and says it in a
// sentence for screen readers. Pure; tested in tests/unit/kernel-profile.test.ts.
import type { KernelTime } from '../../workers/api.ts';

/** Kernels that do the same kind of work, coloured alike (Okabe–Ito hues; the head follows the text colour). */
export type KernelGroup = 'embedding' | 'norms' | 'attnMatmuls' | 'rope' | 'attention' | 'ffnMatmuls' | 'swiglu' | 'head' | 'other';

export const GROUPS: { group: KernelGroup; name: string; color: string }[] = [
  { group: 'embedding', name: 'embedding', color: '#999999' },
  { group: 'norms', name: 'RMSNorms', color: '#CC79A7' },
  { group: 'attnMatmuls', name: 'attention matmuls', color: '#0072B2' },
  { group: 'rope', name: 'RoPE', color: '#56B4E9' },
  { group: 'attention', name: 'attention', color: '#009E73' },
  { group: 'ffnMatmuls', name: 'FFN matmuls', color: '#E69F00' },
  { group: 'swiglu', name: 'SwiGLU', color: '#D55E00' },
  { group: 'head', name: 'LM head', color: 'currentColor' },
  { group: 'other', name: 'other', color: '#bbbbbb' },
];
export const groupInfo = (g: KernelGroup) => GROUPS.find((x) => x.group === g)!;

const KERNEL_GROUP: Record<string, KernelGroup> = {
  embed: 'embedding',
  attn_norm: 'norms', ffn_norm: 'norms', final_norm: 'norms',
  wq: 'attnMatmuls', wk: 'attnMatmuls', wv: 'attnMatmuls', wo: 'attnMatmuls',
  rope_q: 'rope', rope_k: 'rope',
  attention: 'attention',
  w1: 'ffnMatmuls', w3: 'ffnMatmuls', w2: 'ffnMatmuls',
  swiglu: 'swiglu',
  head: 'head',
};
export const kernelGroup = (kernel: string): KernelGroup => KERNEL_GROUP[kernel] ?? 'other';

/** One bar: a kernel type summed over the layers, or one layer's kernels (stacked by group). */
export interface ProfileBar {
  key: string; // the kernel ("wq") or the layer ("embedding", "L3", "head")
  label: string; // what the axis prints
  ms: number;
  share: number; // of the whole step, 0..1
  group: KernelGroup; // a kernel's group; for a layer: the group that took most of its time
  parts: { group: KernelGroup; ms: number }[]; // by group, in GROUPS order, non-zero only
  count: number; // dispatches summed
}

export const totalMs = (times: KernelTime[]) => times.reduce((s, k) => s + k.ms, 0);

function bars(times: KernelTime[], keyOf: (k: KernelTime) => string, labelOf: (key: string) => string): ProfileBar[] {
  const total = totalMs(times);
  const byKey = new Map<string, KernelTime[]>();
  for (const k of times) {
    const key = keyOf(k);
    const list = byKey.get(key);
    if (list) list.push(k);
    else byKey.set(key, [k]); // a Map keeps first appearance: the forward's order
  }
  return [...byKey].map(([key, ks]) => {
    const parts = GROUPS.map(({ group }) => ({ group, ms: totalMs(ks.filter((k) => kernelGroup(k.kernel) === group)) })).filter((p) => p.ms > 0);
    const ms = totalMs(ks);
    const main = parts.reduce<{ group: KernelGroup; ms: number } | null>((a, p) => (a && a.ms >= p.ms ? a : p), null);
    return { key, label: labelOf(key), ms, share: total > 0 ? ms / total : 0, group: main?.group ?? kernelGroup(ks[0].kernel), parts, count: ks.length };
  });
}

/** Time per kernel type, summed over the layers, in the forward's order (embed, attn_norm, wq … w2, final_norm, head). */
export function byKernel(times: KernelTime[]): ProfileBar[] {
  return bars(times, (k) => k.kernel, (key) => key);
}

/** Time per layer; the embedding before the layers and the final norm with the head after them, as their own bars. */
export function byLayer(times: KernelTime[]): ProfileBar[] {
  const keyOf = (k: KernelTime) => (k.layer !== null ? `L${k.layer}` : k.kernel === 'embed' ? 'embedding' : 'head');
  const order = (key: string) => (key === 'embedding' ? -1 : key === 'head' ? Infinity : Number(key.slice(1)));
  return bars(times, keyOf, (key) => (key === 'embedding' ? 'emb' : key === 'head' ? 'head' : key.slice(1))).sort((a, b) => order(a.key) - order(b.key));
}

/** Time per group of kernels, largest first. */
export function byGroup(times: KernelTime[]): { group: KernelGroup; name: string; ms: number; share: number }[] {
  const total = totalMs(times);
  return GROUPS.map(({ group, name }) => {
    const ms = totalMs(times.filter((k) => kernelGroup(k.kernel) === group));
    return { group, name, ms, share: total > 0 ? ms / total : 0 };
  })
    .filter((g) => g.ms > 0)
    .sort((a, b) => b.ms - a.ms);
}

/** Kernel times are often a few microseconds: "0.012 ms", "1.25 ms", "12.5 ms". */
export function formatKernelMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms === 0) return '0 ms';
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return ms >= 0.001 ? `${ms.toFixed(3)} ms` : '<0.001 ms';
}

/** "48%", "0.4%": a share of the step. */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return '–';
  const pct = 100 * share;
  return pct > 0 && pct < 0.95 ? `${pct.toFixed(1)}%` : `${pct.toFixed(0)}%`; // 0.96 reads "1%", not "1.0%"
}

export type ProfilePhase = 'decode' | 'prefill';

/** "Decode step (1 token): 4.20 ms on the GPU. FFN matmuls 48%, attention 21% … Slowest layer: 3 (0.812 ms)." */
export function describeProfile(phase: ProfilePhase, times: KernelTime[], tokens: number): string {
  const what = phase === 'decode' ? 'Decode step (1 token)' : `Prefill chunk (${tokens} token${tokens === 1 ? '' : 's'})`;
  const total = totalMs(times);
  if (!(total > 0)) return `${what}: no GPU time was measured.`;
  const groups = byGroup(times).map((g) => `${g.name} ${formatShare(g.share)}`).join(', ');
  const layers = byLayer(times).filter((b) => b.key.startsWith('L'));
  const slowest = layers.reduce<ProfileBar | null>((a, b) => (a && a.ms >= b.ms ? a : b), null);
  return `${what}: ${formatKernelMs(total)} on the GPU. ${groups}.` + (slowest ? ` Slowest layer: ${slowest.key.slice(1)} (${formatKernelMs(slowest.ms)}).` : '');
}

