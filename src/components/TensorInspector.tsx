// The numerics of the tensor under the pointer (or keyboard focus) on the quantization map: its shape, format and
// bytes, what quantizing did to it (amax, scale, clipped, underflow, NaN; engine numerics()), and where its values
// land on the FP8 grid (engine tensorDetail(label), fetched once per tensor and map).
import { useEffect, useState } from 'react';
import type { ModelInfo, TensorDetail, TensorNumerics } from '../../workers/api.ts';
import { matrixShape, type LayerMatrix } from '../../workers/shared.ts';
import * as client from '../engine/client.ts';
import { oneLine } from '../engine/errors.ts';
import { precisionKey } from '../engine/precision.ts';
import { useQuant } from '../store/quant.ts';
import { formatBytes, formatInt } from '../format.ts';
import { FORMAT_STYLE, formatStyle } from '../viz/precisionStyle.ts';
import { Histogram } from '../viz/Histogram.tsx';
import type { MapBytes } from '../viz/weightBytes.ts';

/** A tensor's label split into what the views need: its spec, shape and bytes. */
function describe(info: ModelInfo, bytes: MapBytes, label: string) {
  const c = info.config;
  if (label === 'embedding') return { name: 'Embedding', spec: info.precision.embedding, shape: [c.vocabSize, c.dim], bytes: bytes.embedding };
  if (label === 'output') return { name: 'Output head', spec: info.precision.output, shape: [c.vocabSize, c.dim], bytes: bytes.output };
  const [, l, m] = /^L(\d+)\.(\w+)$/.exec(label) ?? [];
  const layer = Number(l);
  const matrix = m as LayerMatrix;
  return { name: `Layer ${layer} ${matrix}`, spec: info.precision.layers[layer][matrix], shape: matrixShape(c, matrix), bytes: bytes.layers[layer][matrix] };
}

const cache = new Map<string, TensorDetail>();

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(2) : Number(x.toPrecision(4)).toString();
}

export function TensorInspector({ info, bytes, numerics }: { info: ModelInfo; bytes: MapBytes; numerics: TensorNumerics[] | null }) {
  const focus = useQuant((s) => s.focus) ?? 'L0.w1';
  const label = focus.startsWith('L') && Number(focus.slice(1, focus.indexOf('.'))) >= info.config.nLayers ? 'L0.w1' : focus;
  const epoch = useQuant((s) => s.epoch);
  const key = `${epoch}|${precisionKey(info.precision)}|${label}`;
  const [detail, setDetail] = useState<{ key: string; value: TensorDetail | null; error: string | null } | null>(null);
  const t = describe(info, bytes, label);
  const stats = numerics?.find((n) => n.label === label) ?? null;

  const cached = cache.get(key);
  useEffect(() => {
    if (cache.has(key)) return;
    let live = true;
    // a short pause, so sweeping the pointer across the map does not queue a request per cell
    const timer = setTimeout(() => {
      client.tensorDetail(label).then(
        (d) => {
          cache.set(key, d);
          if (cache.size > 200) cache.delete(cache.keys().next().value!); // oldest first
          if (live) setDetail({ key, value: d, error: null });
        },
        (e) => live && setDetail({ key, value: null, error: oneLine(e) }),
      );
    }, 80);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key, label]);

  const d = cached ? { key, value: cached, error: null } : detail?.key === key ? detail : null;
  const fp8 = t.spec.dtype.startsWith('fp8');
  const rows: [string, string, string?][] = stats
    ? [
        ['amax', fmt(stats.amax), 'largest |value|'],
        ['scale', fmt(stats.scale), fp8 ? 'dequant scale of the largest row: amax / max' : 'no scaling'],
        ['clipped', formatInt(stats.clipped), fp8 ? 'values beyond the row’s max' : 'finite values that became Inf'],
        ['underflow', formatInt(stats.underflow), 'nonzero values stored as 0'],
        ['NaN', formatInt(stats.nan)],
      ]
    : [];

  return (
    <div className="flex min-w-0 flex-col gap-2" data-testid="tensor-inspector" aria-live="polite">
      <div className="flex flex-wrap items-center gap-2">
        <h3 className="font-mono text-sm font-semibold text-zinc-900 dark:text-zinc-100" data-testid="inspector-label">
          {t.name}
        </h3>
        <span className="rounded px-1.5 py-0.5 font-mono text-[0.7rem] font-semibold" style={formatStyle(t.spec.dtype)}>
          {FORMAT_STYLE[t.spec.dtype].name}
          {t.spec.act ? ` · inputs ${t.spec.act}` : ''}
        </span>
      </div>
      <p className="text-xs text-zinc-600 tabular-nums dark:text-zinc-400">
        [{formatInt(t.shape[0])} × {formatInt(t.shape[1])}] · {formatBytes(t.bytes)}
        {label === 'output' && bytes.outputShared && ' (tied: reads the embedding’s rows)'}
        {fp8 && ` · ${t.spec.scale === 'row' ? 'row' : 'tensor'} scales`}
        {t.spec.actBound !== null && ` · input amax ≤ ${t.spec.actBound}`}
      </p>
      {stats ? (
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs">
          {rows.map(([k, v, hint]) => (
            <div key={k} className="contents" title={hint}>
              <dt className="text-zinc-600 dark:text-zinc-400">{k}</dt>
              <dd data-testid={`numerics-${k}`} className={`font-mono tabular-nums ${k !== 'amax' && k !== 'scale' && v !== '0' ? 'font-semibold text-rose-700 dark:text-rose-300' : 'text-zinc-900 dark:text-zinc-100'}`}>
                {v}
              </dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="text-xs text-zinc-600 dark:text-zinc-400">
          Numerics load…
        </p>
      )}
      <div className="flex flex-col gap-1">
        <p className="text-[0.7rem] text-zinc-600 dark:text-zinc-400">
          Values on the {d?.value?.histogram.format === 'fp8e5m2' ? 'E5M2' : 'E4M3'} grid{fp8 ? '' : ' (if it were stored as FP8)'}, scaled per{' '}
          {t.spec.scale === 'tensor' && fp8 ? 'tensor' : 'row'}; log count per grid value
        </p>
        <Histogram hist={d?.value?.histogram ?? null} label={`Histogram of ${t.name} against the FP8 grid`} />
        {d?.error && <p className="text-xs text-rose-700 dark:text-rose-300">{d.error}</p>}
      </div>
    </div>
  );
}
