// Failures as both threads see them: a code the UI switches on, one line for people, an optional detail (the Hub's
// error code, the bytes asked for). Engine code throws EngineError; anything else is classified at the boundary
// (failureOf), so an unexpected TypeError still crosses as one line with a code, never as a stack trace.
import type { EngineFailure, ErrorCode } from './api.ts';

export class EngineError extends Error implements EngineFailure {
  constructor(readonly code: ErrorCode, message: string, readonly detail?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
  }
}

export const fail = (code: ErrorCode, message: string, detail?: string) => new EngineError(code, message, detail);

/** One line for people: the first non-empty line of an error's message, at most 300 characters; never a stack. */
export function oneLine(e: unknown): string {
  const raw = e instanceof Error ? e.message : typeof e === 'string' ? e : String(e);
  const line = raw.split('\n').map((s) => s.trim()).find((s) => s.length > 0) ?? 'unknown error';
  return line.length > 300 ? `${line.slice(0, 297)}…` : line;
}

/** Hub error codes (workers/hub/errors.ts) by what the UI does about them. */
const HUB_CODES: Record<string, ErrorCode> = {
  Network: 'network', Http: 'network', BadResponse: 'network', Offline: 'network', Integrity: 'network',
  RepoNotFound: 'bad-request', RevisionNotFound: 'bad-request', EntryNotFound: 'bad-request', GatedRepo: 'bad-request', BadToken: 'bad-request',
  PickAFile: 'bad-request', NotLlama: 'unsupported', NotAModel: 'bad-model', MissingShard: 'bad-model', DiskFull: 'out-of-memory',
};

/**
 * The failure an error stands for. `fallback` is the code of an unclassified error: what the call was doing decides
 * it (a load that fails in the loader means a bad model file; elsewhere it is the engine's own fault, 'internal').
 */
export function failureOf(e: unknown, fallback: ErrorCode = 'internal'): EngineFailure {
  const message = oneLine(e);
  const err = e as { code?: unknown; name?: unknown; detail?: unknown } | null;
  if (e instanceof EngineError || (err && typeof err.code === 'string' && isErrorCode(err.code))) {
    const detail = typeof err!.detail === 'string' ? err!.detail : undefined;
    return detail === undefined ? { code: err!.code as ErrorCode, message } : { code: err!.code as ErrorCode, message, detail };
  }
  if (err && err.name === 'HubError' && typeof err.code === 'string') return { code: HUB_CODES[err.code] ?? 'network', message, detail: err.code };
  if (err && err.name === 'AbortError') return { code: 'aborted', message };
  // the platform's own out-of-memory: a typed array or buffer that could not be allocated
  if (e instanceof RangeError && /allocation failed|out of memory|invalid array length/i.test(message)) return { code: 'out-of-memory', message };
  return { code: fallback, message };
}

export const ERROR_CODES: readonly ErrorCode[] = [
  'device-lost', 'out-of-memory', 'bad-model', 'context-overflow', 'network', 'aborted', 'unsupported', 'bad-request', 'no-model', 'internal',
];
export const isErrorCode = (s: string): s is ErrorCode => (ERROR_CODES as readonly string[]).includes(s);

/** The EngineError a failure that crossed the boundary stands for (comlink delivers a plain Error with its fields). */
export function asEngineError(e: unknown, fallback: ErrorCode = 'internal'): EngineError {
  if (e instanceof EngineError) return e;
  const f = failureOf(e, fallback);
  return new EngineError(f.code, f.message, f.detail);
}
