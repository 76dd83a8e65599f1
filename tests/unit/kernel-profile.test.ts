// GPU time per kernel as the Throughput view aggregates it: per kernel type over the layers, per layer (embedding
// and head apart), per kernel group, and the sentence for screen readers.
import { describe, expect, it } from 'vitest';
import type { KernelTime } from '../../workers/api.ts';
import { LAYER_STEPS, stepNames } from '../../workers/gpu/profile.ts';
import { byGroup, byKernel, byLayer, describeProfile, formatKernelMs, formatShare, kernelGroup, totalMs } from '../../src/viz/kernelProfile.ts';

/** A profile shaped like the engine's: every dispatch of a 3-layer forward, with made-up times. */
function fake(ms: (k: { layer: number | null; kernel: string }) => number): KernelTime[] {
  return stepNames(true, true, 0, 3).map((k) => ({ ...k, label: k.layer === null ? k.kernel : `L${k.layer}.${k.kernel}`, ms: ms(k) }));
}

// matmuls 1 ms each (w1, w3, w2 2 ms), layer 1 twice as slow, everything else 0.1 ms, the head 3 ms
const times = fake((k) =>
  k.kernel === 'head' ? 3 : ['w1', 'w3', 'w2'].includes(k.kernel) ? 2 * (k.layer === 1 ? 2 : 1) : ['wq', 'wk', 'wv', 'wo'].includes(k.kernel) ? 1 * (k.layer === 1 ? 2 : 1) : 0.1);

describe('kernel profile aggregation', () => {
  it('sums each kernel type over the layers, in the forward order, with its share of the step', () => {
    const bars = byKernel(times);
    expect(bars.map((b) => b.key)).toEqual(['embed', ...LAYER_STEPS, 'final_norm', 'head']);
    const w1 = bars.find((b) => b.key === 'w1')!;
    expect(w1.ms).toBeCloseTo(2 + 4 + 2);
    expect(w1.count).toBe(3);
    expect(w1.group).toBe('ffnMatmuls');
    const total = totalMs(times);
    expect(bars.reduce((s, b) => s + b.ms, 0)).toBeCloseTo(total);
    expect(bars.reduce((s, b) => s + b.share, 0)).toBeCloseTo(1);
    expect(w1.share).toBeCloseTo(8 / total);
  });

  it('gives each layer a bar stacked by group, the embedding first and the final norm with the head last', () => {
    const bars = byLayer(times);
    expect(bars.map((b) => b.key)).toEqual(['embedding', 'L0', 'L1', 'L2', 'head']);
    expect(bars.map((b) => b.label)).toEqual(['emb', '0', '1', '2', 'head']);
    expect(bars[4].ms).toBeCloseTo(3.1); // final_norm + head
    expect(bars[2].ms).toBeCloseTo(2 * (4 + 6) + 0.1 * 6); // layer 1: 4 attention and 3 FFN matmuls, 6 small kernels
    expect(bars[2].parts.map((p) => p.group)).toEqual(['norms', 'attnMatmuls', 'rope', 'attention', 'ffnMatmuls', 'swiglu']);
    expect(bars[2].parts.reduce((s, p) => s + p.ms, 0)).toBeCloseTo(bars[2].ms);
    expect(bars[2].group).toBe('ffnMatmuls');
    expect(bars[4].group).toBe('head');
  });

  it('groups kernels, largest first, and names unknown kernels "other"', () => {
    const groups = byGroup(times);
    expect(groups[0]).toMatchObject({ group: 'ffnMatmuls', name: 'FFN matmuls' });
    expect(groups.reduce((s, g) => s + g.share, 0)).toBeCloseTo(1);
    expect(kernelGroup('rope_k')).toBe('rope');
    expect(kernelGroup('some_new_kernel')).toBe('other');
  });

  it('says the step in a sentence and formats small times and shares', () => {
    const total = totalMs(times);
    const s = describeProfile('decode', times, 1);
    expect(s.startsWith(`Decode step (1 token): ${formatKernelMs(total)} on the GPU. FFN matmuls ${formatShare(24 / total)}, attention matmuls`)).toBe(true);
    expect(s).toContain('Slowest layer: 1 (');
    expect(describeProfile('prefill', times, 32)).toMatch(/^Prefill chunk \(32 tokens\): /);
    expect(describeProfile('decode', fake(() => 0), 1)).toBe('Decode step (1 token): no GPU time was measured.');
    expect(formatKernelMs(0.0123)).toBe('0.012 ms');
    expect(formatKernelMs(4.2)).toBe('4.20 ms');
    expect(formatKernelMs(0)).toBe('0 ms');
    expect(formatShare(0.481)).toBe('48%');
    expect(formatShare(0.004)).toBe('0.4%');
    expect(byKernel([])).toEqual([]);
    expect(byLayer([])).toEqual([]);
  });
});
