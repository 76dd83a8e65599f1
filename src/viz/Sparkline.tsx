// A live tok/s sparkline: one point per generated token (1000 / its ms), drawn on a canvas from
// requestAnimationFrame straight out of the telemetry ring buffer; React renders the canvas once.
import { useEffect, useRef } from 'react';
import { telemetry } from '../store/telemetry.ts';

export function Sparkline({ label, className = '' }: { label: string; className?: string }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const canvas = canvasRef.current!;
    const ctx = canvas.getContext('2d')!;
    let drawn = -1;
    let frame = 0;
    let size = '';

    const draw = () => {
      frame = requestAnimationFrame(draw);
      const w = canvas.clientWidth;
      const h = canvas.clientHeight;
      const dpr = window.devicePixelRatio || 1;
      const key = `${w}x${h}@${dpr}`;
      if (telemetry.version === drawn && key === size) return; // nothing new
      drawn = telemetry.version;
      if (key !== size) {
        size = key;
        canvas.width = Math.max(1, Math.round(w * dpr));
        canvas.height = Math.max(1, Math.round(h * dpr));
      }
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);

      const ring = telemetry.tokenMs;
      const n = ring.length;
      const color = getComputedStyle(canvas).color; // follows the theme (text-* classes)
      ctx.fillStyle = color;
      ctx.strokeStyle = color;
      ctx.font = '11px ui-sans-serif, system-ui, sans-serif';
      if (n < 2) {
        ctx.globalAlpha = 0.5;
        ctx.textBaseline = 'middle';
        ctx.fillText(n === 0 ? 'tok/s of each token appears here while generating' : '…', 8, h / 2);
        ctx.globalAlpha = 1;
        return;
      }
      // Per-token rates are noisy (timer resolution, the engine's periodic yields): draw them as faint dots, and bold
      // the rate over a window of tokens (tokens / their summed ms, as the Decode figure counts).
      const rate = (i: number) => 1000 / Math.max(ring.at(i), 1e-3);
      const smooth = new Float64Array(n);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        sum += ring.at(i);
        if (i >= SMOOTH) sum -= ring.at(i - SMOOTH);
        smooth[i] = (1000 * Math.min(i + 1, SMOOTH)) / Math.max(sum, 1e-3);
      }
      let max = 0;
      for (let i = 0; i < n; i++) max = Math.max(max, smooth[i]);
      const top = niceCeil(max * 1.15);
      const pad = 14; // room for the scale label
      const span = Math.max(n, 64) - 1; // short runs grow from the left; long ones fill the width
      const x = (i: number) => (i / span) * w;
      const y = (v: number) => h - 1 - (Math.min(v, top) / top) * (h - pad - 2);

      ctx.lineJoin = 'round';
      ctx.globalAlpha = 0.35;
      for (let i = 0; i < n; i++) ctx.fillRect(x(i) - 0.75, y(rate(i)) - 0.75, 1.5, 1.5);

      ctx.beginPath();
      ctx.moveTo(x(0), h);
      for (let i = 0; i < n; i++) ctx.lineTo(x(i), y(smooth[i]));
      ctx.lineTo(x(n - 1), h);
      ctx.closePath();
      ctx.globalAlpha = 0.12;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.beginPath();
      for (let i = 0; i < n; i++) (i === 0 ? ctx.moveTo : ctx.lineTo).call(ctx, x(i), y(smooth[i]));
      ctx.lineWidth = 2;
      ctx.stroke();

      ctx.globalAlpha = 0.6;
      ctx.textBaseline = 'top';
      ctx.fillText(`${top} tok/s`, 4, 1);
      ctx.globalAlpha = 0.25;
      ctx.fillRect(0, pad, w, 1);
      ctx.globalAlpha = 1;
    };
    frame = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(frame);
  }, []);

  return <canvas ref={canvasRef} role="img" aria-label={label} className={`block h-20 w-full ${className}`} />;
}

const SMOOTH = 16; // tokens in the moving window

/** The first round number (1, 1.5, 2, 3, 4, 5, 6, 8 x 10^k) at or above v, for the scale. */
function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
