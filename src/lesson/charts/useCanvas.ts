// A canvas drawn at the screen's pixel density, redrawn when its data or its size changes (ResizeObserver) and when
// the colour scheme flips (the ink is read from CSS `color`, so charts follow dark mode).
import { useEffect, useRef } from 'react';

export type Draw = (ctx: CanvasRenderingContext2D, w: number, h: number, ink: string) => void;

export function useCanvas(draw: Draw, deps: readonly unknown[]) {
  const ref = useRef<HTMLCanvasElement>(null);
  const drawRef = useRef(draw);
  useEffect(() => {
    drawRef.current = draw;
  });
  useEffect(() => {
    const canvas = ref.current!;
    const paint = () => {
      const w = canvas.clientWidth, h = canvas.clientHeight, dpr = window.devicePixelRatio || 1;
      if (w === 0 || h === 0) return;
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      const ctx = canvas.getContext('2d')!;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      drawRef.current(ctx, w, h, getComputedStyle(canvas).color);
    };
    paint();
    const observer = new ResizeObserver(paint);
    observer.observe(canvas);
    const scheme = window.matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', paint);
    return () => {
      observer.disconnect();
      scheme.removeEventListener('change', paint);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return ref;
}
