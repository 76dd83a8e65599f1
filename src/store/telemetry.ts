// Live generation figures, kept outside React: engine events write here, the Throughput view reads it from
// requestAnimationFrame. `version` bumps on every write so a view redraws only when something changed.
import type { EngineEvent, Usage } from '../../workers/api.ts';
import { RingBuffer } from './ringBuffer.ts';

export interface Telemetry {
  /** Per-token decode time in ms (from token events, the first token excluded), newest last. */
  tokenMs: RingBuffer;
  generating: boolean;
  startedAt: number; // performance.now() when the request was sent
  firstTokenAt: number | null;
  prefillTokens: number;
  prefillMs: number;
  tokens: number; // generated so far
  decodeMs: number; // sum of token ms
  /** The engine's own figures once the request is done (they replace the live estimates). */
  usage: Usage | null;
  version: number;
}

export const telemetry: Telemetry = {
  tokenMs: new RingBuffer(240),
  generating: false,
  startedAt: 0,
  firstTokenAt: null,
  prefillTokens: 0,
  prefillMs: 0,
  tokens: 0,
  decodeMs: 0,
  usage: null,
  version: 0,
};

export function beginTelemetry(): void {
  Object.assign(telemetry, {
    generating: true,
    startedAt: performance.now(),
    firstTokenAt: null,
    prefillTokens: 0,
    prefillMs: 0,
    tokens: 0,
    decodeMs: 0,
    usage: null,
  });
  telemetry.tokenMs.clear();
  telemetry.version++;
}

export function recordEvents(events: EngineEvent[]): void {
  for (const e of events) {
    if (e.type === 'prefill') {
      telemetry.prefillTokens = e.tokens;
      telemetry.prefillMs = e.ms;
    } else if (e.type === 'token') {
      if (e.id < 0) continue; // text held back for a stop string, flushed at the end: not a token
      telemetry.firstTokenAt ??= performance.now();
      telemetry.tokens++;
      // The first token comes from the prefill's logits (its time is the time to first token); decode speed
      // counts the tokens after it, as the engine's usage does.
      if (telemetry.tokens === 1) continue;
      telemetry.decodeMs += e.ms;
      telemetry.tokenMs.push(e.ms);
    } else if (e.type === 'done') {
      telemetry.usage = e.usage;
    }
  }
  telemetry.version++;
}

export function endTelemetry(usage: Usage | null): void {
  telemetry.generating = false;
  if (usage) telemetry.usage = usage;
  telemetry.version++;
}

/** The figures the Throughput view prints: the engine's usage when done, live estimates while streaming. */
export interface Figures {
  decodeTokS: number;
  ttftMs: number;
  prefillTokS: number;
  tokens: number;
}

export function currentFigures(t: Telemetry = telemetry): Figures {
  if (t.usage) {
    return {
      decodeTokS: t.usage.decode_tok_s,
      ttftMs: t.usage.ttft_ms,
      prefillTokS: t.usage.prefill_tok_s,
      tokens: t.usage.completion_tokens,
    };
  }
  const recentMs = t.tokenMs.meanOfLast(16);
  return {
    decodeTokS: recentMs > 0 ? 1000 / recentMs : NaN,
    ttftMs: t.firstTokenAt === null ? NaN : t.firstTokenAt - t.startedAt,
    prefillTokS: t.prefillMs > 0 ? (t.prefillTokens * 1000) / t.prefillMs : NaN,
    tokens: t.tokens,
  };
}
