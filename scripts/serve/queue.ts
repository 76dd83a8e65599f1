// One generation at a time: the engine has one KV cache, so requests wait their turn in arrival order (FIFO) and are
// never interleaved. A request whose client went away while it waited leaves the queue without running.

export class AbortedError extends Error {
  constructor() { super('the client closed the connection'); }
}

interface Waiting { start: () => void; signal: AbortSignal; onAbort: () => void }

export class GenerationQueue {
  private running = false;
  private waiting: Waiting[] = [];

  /** Requests waiting (not counting the one running). */
  get length(): number { return this.waiting.length; }
  get busy(): boolean { return this.running; }

  /** Runs job when every earlier one has finished; rejects with AbortedError if signal fires first. */
  run<T>(job: () => Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(new AbortedError());
    return new Promise<T>((resolve, reject) => {
      const w: Waiting = {
        signal,
        start: () => {
          signal.removeEventListener('abort', w.onAbort);
          this.running = true;
          job().then(resolve, reject).finally(() => { this.running = false; this.next(); });
        },
        onAbort: () => {
          this.waiting = this.waiting.filter((x) => x !== w);
          reject(new AbortedError());
        },
      };
      signal.addEventListener('abort', w.onAbort, { once: true });
      this.waiting.push(w);
      if (!this.running) this.next();
    });
  }

  private next(): void {
    const w = this.waiting.shift();
    if (w) w.start();
  }
}
