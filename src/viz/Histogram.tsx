// A tensor's values against the FP8 grid (engine tensorDetail: 128 bins by magnitude, sign dropped), drawn on a
// small canvas: one bar per grid value, height log10(1 + count), so a handful of clipped or underflowing values
// stays visible next to thousands of ordinary ones. Bin 0 (zeros and underflows) is marked, and so is the top
// finite bin, where clipped values land. Redrawn when the data, the size or the theme changes; never per frame.
import { useEffect, useRef } from 'react';
import type { TensorDetail } from '../../workers/api.ts';

type Hist = TensorDetail['histogram'];

/** Bins worth a tick: the smallest normal, 1, and the largest finite value of the format. */
export function histogramTicks(h: Pick<Hist, 'format' | 'values'>): { bin: number; text: string }[] {
  const mantissa = h.format === 'fp8e4m3' ? 3 : 2;
  const one = h.values.indexOf(1);
  let max = 0;
  for (let i = 0; i < h.values.length; i++) if (Number.isFinite(h.values[i])) max = i;
  const exp = Math.log2(h.values[1 << mantissa]);
  return [
    { bin: 1 << mantissa, text: `2^${exp}` },
    ...(one > 0 ? [{ bin: one, text: '1' }] : []),
    { bin: max, text: String(h.values[max]) },
  ];
}

export function Histogram({ hist, label }: { hist: Hist | null; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const canvas = ref.current!;
    const draw = () => {
      const w = canvas.clientWidth;
      const h = canvas.clientHeight;
      const dpr = window.devicePixelRatio || 1;
      canvas.width = Math.max(1, Math.round(w * dpr));
      canvas.height = Math.max(1, Math.round(h * dpr));
      const ctx = canvas.getContext('2d')!;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      const style = getComputedStyle(canvas);
      const ink = style.color;
      const warn = style.getPropertyValue('--hist-warn').trim() || '#e11d48';
      ctx.font = '10px ui-sans-serif, system-ui, sans-serif';
      if (!hist) {
        ctx.fillStyle = ink;
        ctx.globalAlpha = 0.55;
        ctx.textBaseline = 'middle';
        ctx.fillText('histogram loads…', 6, h / 2);
        return;
      }
      const top = 12; // room for the annotations
      const axis = 14; // room for the tick labels
      const plotH = h - top - axis;
      const bins = hist.counts.length;
      const bw = w / bins;
      let peak = 0;
      for (const c of hist.counts) peak = Math.max(peak, Math.log10(1 + c));
      const ticks = histogramTicks(hist);
      const maxBin = ticks[ticks.length - 1].bin;
      for (let i = 0; i < bins; i++) {
        const c = hist.counts[i];
        if (c === 0) continue;
        const bh = Math.max(1, (Math.log10(1 + c) / (peak || 1)) * plotH);
        const flagged = (i === 0 && hist.underflow > 0) || (i === maxBin && hist.clipped > 0) || !Number.isFinite(hist.values[i]);
        ctx.fillStyle = flagged ? warn : ink;
        ctx.globalAlpha = flagged ? 1 : 0.8;
        ctx.fillRect(i * bw, top + plotH - bh, Math.max(1, bw - 0.5), bh);
      }
      // baseline and ticks
      ctx.globalAlpha = 0.35;
      ctx.fillStyle = ink;
      ctx.fillRect(0, top + plotH, w, 1);
      ctx.globalAlpha = 0.7;
      ctx.textBaseline = 'top';
      for (const t of ticks) {
        const x = (t.bin + 0.5) * bw;
        ctx.fillRect(x, top + plotH, 1, 3);
        ctx.textAlign = t.bin === maxBin ? 'right' : 'center';
        ctx.fillText(t.text, t.bin === maxBin ? w : x, top + plotH + 3);
      }
      // the two things quantizing loses: underflow (bin 0) and clipping (top bin)
      const note = (text: string, n: number, x: number, align: CanvasTextAlign) => {
        ctx.globalAlpha = n > 0 ? 1 : 0.6;
        ctx.fillStyle = n > 0 ? warn : ink;
        ctx.textAlign = align;
        ctx.fillText(`${text} ${n.toLocaleString('en-US')}`, x, 0);
      };
      note('0 / underflow', hist.underflow, 0, 'left');
      note('clipped', hist.clipped, w, 'right');
      ctx.textAlign = 'left';
      ctx.globalAlpha = 1;
    };
    // drawn from the ResizeObserver only: its first callback comes in the frame's own layout step, where calling
    // draw() here would force that layout at once (~50 ms on a loaded model's first render, before the page answers)
    const ro = new ResizeObserver(draw);
    ro.observe(canvas);
    const dark = window.matchMedia('(prefers-color-scheme: dark)');
    dark.addEventListener('change', draw);
    return () => {
      ro.disconnect();
      dark.removeEventListener('change', draw);
    };
  }, [hist]);

  return (
    <canvas
      ref={ref}
      role="img"
      aria-label={label}
      data-testid="tensor-histogram"
      data-state={hist ? 'ready' : 'loading'}
      className="block h-28 w-full text-indigo-600 [--hist-warn:#e11d48] dark:text-indigo-300 dark:[--hist-warn:#fb7185]"
    />
  );
}
