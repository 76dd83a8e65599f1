// Per-tensor numerics of the current precision map: what quantizing each matrix did to its values (amax, scale,
// clipped, underflow, NaN), as counted while the engine packed it from the file (workers/quant/pack.ts), so no
// tensor is read again to show them. Both engines pack the same way and report the same figures.
import type { Forward } from './forward.ts';
import { LAYER_MATRICES } from './weights.ts';

export interface TensorNumerics {
  label: string; // e.g. "L3.w1"
  dtype: string;
  bytes: number;
  amax: number;
  scale: number;
  clipped: number;
  underflow: number;
  nan: number;
  /** The tied head reads the embedding's packed rows: its bytes are counted there (0 here). */
  sharedWith?: string;
}

/** In the views' order: embedding, every layer's wq .. w2, output. */
export function tensorNumerics(forward: Forward): TensorNumerics[] {
  const byLabel = new Map(forward.tensorStats().map((t) => [t.label, t]));
  const layers = Array.from({ length: forward.config.nLayers }, (_, l) => LAYER_MATRICES.map((m) => `L${l}.${m}`));
  const labels = ['embedding', ...layers.flat(), 'output'];
  const out: TensorNumerics[] = [];
  for (const label of labels) {
    const t = byLabel.get(label);
    if (t) out.push({ label, dtype: t.dtype, bytes: t.bytes, ...t.stats });
    else if (label === 'output' && byLabel.has('embedding')) { // a tied head sharing the embedding's rows
      const e = byLabel.get('embedding')!;
      out.push({ label, dtype: e.dtype, bytes: 0, ...e.stats, sharedWith: 'embedding' });
    }
  }
  return out;
}
