// Percentiles of per-token latencies (p50, p95), linear between the closest ranks (numpy's default).

/** The q-quantile (0..1) of values; NaN when there are none. `sorted`: values are already ascending. */
export function percentile(values: ArrayLike<number>, q: number, sorted = false): number {
  const n = values.length;
  if (n === 0) return NaN;
  const v = sorted ? values : Float64Array.from(values).sort();
  const pos = Math.min(1, Math.max(0, q)) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

/** p50 and p95 of values in one sort. */
export function latencyPercentiles(values: ArrayLike<number>): { p50: number; p95: number } {
  const v = Float64Array.from(values).sort();
  return { p50: percentile(v, 0.5, true), p95: percentile(v, 0.95, true) };
}
