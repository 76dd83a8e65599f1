// A small line (or dot) chart in SVG: several named series over the same x, an optional log y scale, shaded
// x bands with names, and a marker line. Drawn in real pixels (its width follows the container), inked with
// currentColor so it follows dark mode. The figure's name is its accessible name; the numbers go in a table beside.
import { linearTicks, logTicks, shortNumber } from './ticks.ts';
import { useWidth } from './useWidth.ts';

export interface Series {
  name: string;
  y: ArrayLike<number>;
  /** x of each point (default 0, 1, 2 …). */
  x?: ArrayLike<number>;
  color: string;
  dashed?: boolean;
  dots?: boolean; // points only, no line
}

export interface Band {
  from: number;
  to: number;
  label: string;
  color: string;
}

export function LinePlot(props: {
  label: string;
  series: Series[];
  xLabel: string;
  yLabel: string;
  logY?: boolean;
  logX?: boolean;
  /** Where the x ticks go (default: round steps) and how they read (default: short numbers). */
  xTicks?: number[];
  xTickLabel?: (x: number) => string;
  bands?: Band[];
  marker?: { x: number; label: string } | null;
  xDomain?: [number, number];
  yDomain?: [number, number];
  height?: number;
  testId?: string;
}) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const height = props.height ?? 220;
  const m = { left: 48, right: 12, top: 12, bottom: 36 };
  const xs = props.series.flatMap((s) => Array.from({ length: s.y.length }, (_, i) => (s.x ? s.x[i] : i)));
  const ys = props.series.flatMap((s) => Array.from(s.y)).filter((v) => Number.isFinite(v) && (!props.logY || v > 0));
  const [x0, x1] = props.xDomain ?? [Math.min(...xs, 0), Math.max(...xs, 1)];
  let [y0, y1] = props.yDomain ?? [Math.min(...ys), Math.max(...ys)];
  if (!props.yDomain && !props.logY) { y0 = Math.min(0, y0); y1 = y1 === y0 ? y0 + 1 : y1; }
  if (props.logY && !(y1 > y0)) y1 = y0 * 10;
  const pw = width - m.left - m.right, ph = height - m.top - m.bottom;
  const sx = (x: number) => props.logX
    ? m.left + ((Math.log10(Math.max(x, x0)) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0) || 1)) * pw
    : m.left + ((x - x0) / (x1 - x0 || 1)) * pw;
  const sy = (y: number) => props.logY
    ? m.top + ph - ((Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0) || 1)) * ph
    : m.top + ph - ((y - y0) / (y1 - y0 || 1)) * ph;
  const yTicks = props.logY ? logTicks(y0, y1) : linearTicks(y0, y1, 4);
  const xTicks = props.xTicks ?? (props.logX ? logTicks(x0, x1) : linearTicks(x0, x1, Math.max(2, Math.floor(pw / 70))));
  const xLabel = props.xTickLabel ?? shortNumber;
  return (
    <figure ref={ref} className="min-w-0" data-testid={props.testId}>
      <svg role="img" aria-label={props.label} width={width} height={height} className="block text-zinc-700 dark:text-zinc-300">
        {props.bands?.map((b) => (
          <g key={b.label}>
            <rect x={sx(Math.max(b.from, x0))} y={m.top} width={Math.max(0, sx(Math.min(b.to, x1)) - sx(Math.max(b.from, x0)))} height={ph} fill={b.color} opacity={0.14} />
            <text x={(sx(Math.max(b.from, x0)) + sx(Math.min(b.to, x1))) / 2} y={m.top + 11} textAnchor="middle" fontSize={10} fill="currentColor" opacity={0.8}>{b.label}</text>
          </g>
        ))}
        {yTicks.map((t) => (
          <g key={t}>
            <line x1={m.left} x2={width - m.right} y1={sy(t)} y2={sy(t)} stroke="currentColor" opacity={0.1} />
            <text x={m.left - 4} y={sy(t)} textAnchor="end" dominantBaseline="middle" fontSize={10} fill="currentColor">{shortNumber(t)}</text>
          </g>
        ))}
        {xTicks.map((t) => (
          <text key={t} x={sx(t)} y={m.top + ph + 14} textAnchor="middle" fontSize={10} fill="currentColor">{xLabel(t)}</text>
        ))}
        <line x1={m.left} x2={width - m.right} y1={m.top + ph} y2={m.top + ph} stroke="currentColor" opacity={0.4} />
        <text x={m.left + pw / 2} y={height - 4} textAnchor="middle" fontSize={11} fill="currentColor">{props.xLabel}</text>
        <text x={10} y={m.top + ph / 2} textAnchor="middle" fontSize={11} fill="currentColor" transform={`rotate(-90 10 ${m.top + ph / 2})`}>{props.yLabel}</text>
        {props.series.map((s) => {
          const pts: [number, number][] = [];
          for (let i = 0; i < s.y.length; i++) {
            const x = s.x ? s.x[i] : i, y = s.y[i];
            if (Number.isFinite(y) && (!props.logY || y > 0) && (!props.logX || x > 0)) pts.push([sx(x), sy(Math.max(y0, Math.min(y1, y)))]);
          }
          return s.dots
            ? <g key={s.name} fill={s.color} opacity={0.7}>{pts.map(([x, y], i) => <circle key={i} cx={x} cy={y} r={2} />)}</g>
            : <polyline key={s.name} points={pts.map((p) => p.join(',')).join(' ')} fill="none" stroke={s.color} strokeWidth={2} strokeDasharray={s.dashed ? '5 4' : undefined} />;
        })}
        {props.marker && (
          <g>
            <line x1={sx(props.marker.x)} x2={sx(props.marker.x)} y1={m.top} y2={m.top + ph} stroke="currentColor" strokeWidth={1.5} strokeDasharray="2 3" />
            <text x={Math.min(width - m.right - 2, sx(props.marker.x) + 4)} y={m.top + ph - 6} fontSize={10} fill="currentColor" textAnchor={sx(props.marker.x) > width - 90 ? 'end' : 'start'}>{props.marker.label}</text>
          </g>
        )}
      </svg>
      <figcaption className="flex flex-wrap gap-x-3 gap-y-0.5 text-xs text-zinc-600 dark:text-zinc-400">
        {props.series.map((s) => (
          <span key={s.name} className="flex items-center gap-1.5">
            <svg width="18" height="8" aria-hidden="true"><line x1="0" x2="18" y1="4" y2="4" stroke={s.color} strokeWidth={s.dots ? 5 : 2} strokeDasharray={s.dashed ? '4 3' : s.dots ? '2 4' : undefined} /></svg>
            {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
