// A long vector (an embedding row, an FFN's hidden activations) as one strip of coloured cells: blue below zero,
// orange above, the shade the size against the largest |value|. Thousands of values fit in one line.
import { useCanvas } from './useCanvas.ts';

export function Strip({ values, label, height = 28, testId }: { values: ArrayLike<number>; label: string; height?: number; testId?: string }) {
  let amax = 0;
  for (let i = 0; i < values.length; i++) amax = Math.max(amax, Math.abs(values[i]));
  const ref = useCanvas((ctx, w, h) => {
    const n = values.length;
    const cw = w / n;
    for (let i = 0; i < n; i++) {
      const v = amax > 0 ? values[i] / amax : 0;
      ctx.fillStyle = v >= 0 ? 'rgb(234 88 12)' : 'rgb(37 99 235)';
      ctx.globalAlpha = Math.min(1, Math.sqrt(Math.abs(v)));
      ctx.fillRect(i * cw, 0, Math.max(cw, 0.5), h);
    }
    ctx.globalAlpha = 1;
  }, [values, amax]);
  return <canvas ref={ref} role="img" aria-label={label} className="block w-full rounded border border-zinc-200 dark:border-zinc-800" style={{ height }} data-testid={testId} />;
}
