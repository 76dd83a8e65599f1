// The width of an element in CSS pixels, kept up to date: SVG charts draw in real pixels so their text stays
// readable on a phone and on a projector alike.
import { useEffect, useRef, useState } from 'react';

export function useWidth<T extends HTMLElement>(fallback = 600) {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current!;
    const observer = new ResizeObserver(() => setWidth(Math.max(200, Math.round(el.clientWidth))));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}
