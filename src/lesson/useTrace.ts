// One forward pass over the lesson's text, asking the engine only for what a chapter draws (workers/api.ts
// TraceRequest). Recomputed when the text, the model, its precision or the chapter's request change.
import type { TraceRequest, TraceResult } from '../../workers/api.ts';
import * as client from '../engine/client.ts';
import { useLesson } from './store.ts';
import { useEngineValue, useModelKey, type EngineValue } from './useEngineValue.ts';

export function useTrace(parts: Omit<TraceRequest, 'text' | 'tokens'> | null): EngineValue<TraceResult> {
  const text = useLesson((s) => s.text);
  const model = useModelKey();
  const key = model && parts ? `${model}|${JSON.stringify(parts)}|${text}` : null;
  return useEngineValue(key, () => client.trace({ ...parts, text }));
}

/** The text's tokens as the trace sees them (BOS first), for chapters that pick a position before tracing it. */
export function useTraceTokens(): EngineValue<TraceResult> {
  return useTrace({});
}

/** The position a chapter looks at: the link's `pos` if the text has it, else the last token. */
export function usePosition(count: number | null): number | null {
  const pos = useLesson((s) => s.pos);
  if (count === null || count === 0) return null;
  return pos === null ? count - 1 : Math.min(pos, count - 1);
}
