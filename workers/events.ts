// Batches engine events to about one message per animation frame (16 ms): the UI never gets per-token traffic
// faster than it can draw, and a slow engine still streams promptly. The answer's first token goes at once, not with
// the next frame's batch: it is what a person waits for.
import type { EngineEvent } from './api.ts';

export class EventBatcher {
  private pending: EngineEvent[] = [];
  private last = 0;
  private tokenSent = false;

  constructor(private readonly sink?: (events: EngineEvent[]) => void, private readonly intervalMs = 16) {}

  push(e: EngineEvent): void {
    if (!this.sink) return;
    this.pending.push(e);
    const t = performance.now();
    const firstToken = e.type === 'token' && !this.tokenSent;
    if (firstToken) this.tokenSent = true;
    if (firstToken || e.type === 'done' || e.type === 'error' || t - this.last >= this.intervalMs) this.flush(t);
  }

  flush(t = performance.now()): void {
    if (!this.sink || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.last = t;
    this.sink(batch);
  }
}
