// A fixed-size ring buffer of numbers for telemetry that changes every frame (leva's Monitor idea):
// written from engine events, read by canvas views in requestAnimationFrame, never stored in React state.

export class RingBuffer {
  private readonly data: Float64Array;
  private start = 0; // index of the oldest value
  private count = 0;

  constructor(readonly capacity: number) {
    this.data = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    const end = (this.start + this.count) % this.capacity;
    this.data[end] = value;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** The i-th value, oldest first (0 <= i < length). */
  at(i: number): number {
    return this.data[(this.start + i) % this.capacity];
  }

  clear(): void {
    this.start = 0;
    this.count = 0;
  }

  /** Mean of the newest n values (all of them when fewer); NaN when empty. */
  meanOfLast(n: number): number {
    const k = Math.min(n, this.count);
    if (k === 0) return NaN;
    let sum = 0;
    for (let i = this.count - k; i < this.count; i++) sum += this.at(i);
    return sum / k;
  }
}
