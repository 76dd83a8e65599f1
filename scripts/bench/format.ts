// Number formatters for the benchmark tables ('-' for a missing or non-finite figure), and the statistics of runs.
export const fmt = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits));
/** Three significant digits, no exponent: 3410, 2.47, 0.0512. */
export const sig = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x >= 1000 ? x.toFixed(0) : String(Number(x.toPrecision(3))));
export const pct = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(0)}%`);

/** The best (largest) and the median of a benchmark's runs. */
export const best = (xs: number[]) => Math.max(...xs);
export const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };
