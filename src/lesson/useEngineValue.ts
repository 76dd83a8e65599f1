// A value the engine computes for the lesson (a trace, a tokenization, a measurement), recomputed whenever its key
// changes (the text, the model and its precision, the chapter's settings), a short pause after the last change so
// typing does not queue a pass per key. Only the newest answer is kept; the previous one stays on show meanwhile.
import { useEffect, useRef, useState } from 'react';
import { oneLine } from '../engine/errors.ts';
import { precisionKey } from '../engine/precision.ts';
import { useEngine } from '../store/engine.ts';

export interface EngineValue<T> {
  value: T | null;
  /** The key the value was computed for (compare with the current one to tell a stale value). */
  valueKey: string | null;
  error: string | null;
  busy: boolean;
}

/** The loaded model and the map it runs: part of every key, so a load or a precision switch recomputes. */
export function useModelKey(): string | null {
  const info = useEngine((s) => s.info);
  const loading = useEngine((s) => s.loading);
  if (!info || loading) return null;
  return `${info.name}|${precisionKey(info.precision)}|${info.context}`;
}

/**
 * Runs `run` `delayMs` after `key` last changed (null: nothing to run). Pass a key that names everything `run`
 * reads, so the value shown always belongs to what is on screen.
 */
export function useEngineValue<T>(key: string | null, run: () => Promise<T>, delayMs = 250): EngineValue<T> {
  const [state, setState] = useState<EngineValue<T>>({ value: null, valueKey: null, error: null, busy: false });
  const runRef = useRef(run);
  const seq = useRef(0);
  useEffect(() => {
    runRef.current = run;
  });
  useEffect(() => {
    if (key === null) return;
    const id = ++seq.current;
    const timer = setTimeout(() => {
      setState((s) => ({ ...s, busy: true }));
      runRef.current().then(
        (value) => { if (id === seq.current) setState({ value, valueKey: key, error: null, busy: false }); },
        (e) => { if (id === seq.current) setState((s) => ({ ...s, error: oneLine(e), busy: false })); },
      );
    }, delayMs);
    return () => clearTimeout(timer);
  }, [key, delayMs]);
  return state;
}
