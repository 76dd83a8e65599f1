// The quantization views' state: the numerics of the current map, the precision change in flight, the brush
// (which format a click paints), the tensor under the pointer, and the measured quality against the precision the
// model's file stores (its reference: bf16 for a BF16 checkpoint, f32 for an F32 one).
// Everything here changes on a click or once per answer, never per token.
import { create } from 'zustand';
import type { QualityMetrics, TensorNumerics } from '../../workers/api.ts';
import type { WeightDtype } from '../viz/weightBytes.ts';

/** What a click on the map paints: a storage format and, for FP8, whether the inputs are FP8 too (W8A8). */
export interface Brush {
  dtype: WeightDtype;
  w8a8: boolean;
}

/** One measurement: `precision` the map measured, `reference` the stored precision it was compared against (the
 * engine always names it; optional so that records made by hand, in tests, need not). */
export type QualityResult = QualityMetrics & { precision: string; reference?: string };

/** One measurement: the model and map (URL form) it was measured under, and the conversation it ran on. */
export interface QualityRecord {
  at: string;
  model: string;
  key: string;
  label: string;
  conversation: number; // bumps when the conversation's text changes: only same-conversation rows compare
  result: QualityResult;
}

/**
 * idle: no model; empty: no conversation yet; manual: a large model, measured when asked (the figures shown, if
 * any, are from before the last change); measuring; ready: the figures are of this map on this conversation;
 * cancelled: stopped by Cancel or by a new message; error.
 */
export type QualityStatus = 'idle' | 'empty' | 'manual' | 'measuring' | 'ready' | 'cancelled' | 'error';

/** Where a running measurement is (from the engine's onProgress): step i of n, in words. */
export interface QualityProgress {
  step: string;
  done: number;
  total: number;
}

interface QuantSlice {
  /** Bumps on every model load: what was measured on the previous model never mixes with this one. */
  epoch: number;
  numerics: TensorNumerics[] | null;
  /** The map (URL form) the numerics belong to. */
  numericsKey: string | null;
  /** A precision change running in the engine (what it is, for the spinner), or null. */
  pending: string | null;
  brush: Brush;
  /** The tensor the inspector shows: 'embedding', 'output' or 'L3.w1'. */
  focus: string | null;
  qualityStatus: QualityStatus;
  qualityError: string | null;
  qualityProgress: QualityProgress | null;
  /** The newest measurement of the current map on the current conversation. */
  quality: QualityRecord | null;
  /** Every measurement, oldest first (for the comparison table and the export). */
  qualityLog: QualityRecord[];
}

export const useQuant = create<QuantSlice>()(() => ({
  epoch: 0,
  numerics: null,
  numericsKey: null,
  pending: null,
  brush: { dtype: 'fp8e4m3', w8a8: true },
  focus: null,
  qualityStatus: 'idle',
  qualityError: null,
  qualityProgress: null,
  quality: null,
  qualityLog: [],
}));
