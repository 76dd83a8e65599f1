// The download's progress line on stderr: bytes, MB/s and time left for the whole model. On a terminal one line
// is rewritten in place; elsewhere (a pipe, a log) a line is written every few seconds and when a file is done.
import { formatBytes } from '../../workers/hub/files.ts';

export class ProgressLine {
  private readonly t0 = performance.now();
  private lastPrint = 0;
  private lastLine = '';
  private fetched = 0; // bytes received by this run, all files
  private readonly tty: boolean;

  constructor(private readonly total: number, private readonly write: (s: string) => void = (s) => process.stderr.write(s), tty = process.stderr.isTTY === true) {
    this.tty = tty;
  }

  /** `delta` more bytes of `path` arrived; `done` of its `size` are on disk. */
  update(path: string, delta: number, done: number, size: number): void {
    this.fetched += delta;
    const now = performance.now();
    const fileDone = done === size;
    if (!fileDone && now - this.lastPrint < (this.tty ? 100 : 2000)) return;
    if (fileDone && this.lastLine === `${path} done`) return; // a file's end is reported once
    this.lastLine = fileDone ? `${path} done` : '';
    this.lastPrint = now;
    const seconds = Math.max((now - this.t0) / 1000, 1e-3);
    const rate = this.fetched / seconds;
    const left = Math.max(this.total - this.fetched, 0);
    const eta = rate > 0 ? left / rate : Infinity;
    const line = `downloading ${path}: ${formatBytes(done)} of ${formatBytes(size)} · ${formatBytes(this.fetched)} of ${formatBytes(this.total)} in all · ${(rate / 1e6).toFixed(1)} MB/s · ETA ${clock(eta)}`;
    this.write(this.tty ? `\r\x1b[2K${line}` : `${line}\n`);
  }

  /** Ends the line (a terminal's line stays, the next output starts below it). */
  end(): void {
    if (this.tty && this.lastPrint > 0) this.write('\n');
  }
}

function clock(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m % 60)}:${pad(Math.floor(s % 60))}` : `${m}:${pad(Math.floor(s % 60))}`;
}
