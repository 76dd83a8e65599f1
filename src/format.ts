// Number formatting shared by the views (decimal units: 1 GB = 1e9 bytes, as GPU memory is quoted).

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : Number(v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2))} ${units[i]}`;
}

/** 260K, 8.03B: parameter counts the way model cards write them. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const steps: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, suffix] of steps) {
    if (Math.abs(n) >= size) {
      const v = n / size;
      return `${Number(v.toFixed(v >= 100 ? 1 : 2))}${suffix}`; // Number() drops trailing zeros: 260K, 8.03B
    }
  }
  return String(n);
}

export function formatInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
}

/** A rate or duration with a sensible number of digits; "–" when not known yet. */
export function formatFigure(n: number): string {
  if (!Number.isFinite(n)) return '–';
  if (n >= 1000) return formatInt(n);
  if (n >= 100) return n.toFixed(0);
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** Seconds as people say a time left: "8 s", "3 min 20 s", "1 h 5 min"; "–" when not known. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}
