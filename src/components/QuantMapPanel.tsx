// The quantization map: which format every weight matrix uses (the engine's PrecisionMap), switched live with a
// preset or painted cell by cell, row by row, column by column with a brush; beside it the numerics of the tensor
// under the pointer, the quality against the stored precision measured on the conversation, and the decode speed of
// each precision.
import { useMemo } from 'react';
import type { ModelInfo, PresetName, TensorNumerics } from '../../workers/api.ts';
import { PRESETS, LAYER_MATRICES } from '../../workers/shared.ts';
import { precisionKey, precisionLabel, setPreset } from '../engine/precision.ts';
import { useEngine } from '../store/engine.ts';
import { useQuant } from '../store/quant.ts';
import { formatBytes } from '../format.ts';
import { FORMATS, FORMAT_STYLE, formatStyle } from '../viz/precisionStyle.ts';
import { mapBytes, presetBytes, type MapBytes } from '../viz/weightBytes.ts';
import { QualityCard } from './QualityCard.tsx';
import { QuantGrid } from './QuantGrid.tsx';
import { SpeedByPrecision } from './SpeedByPrecision.tsx';
import { TensorInspector } from './TensorInspector.tsx';
import { Button, Panel, Spinner, focusRing } from './ui.tsx';

const PRESET_HINT: Record<PresetName, string> = {
  f32: 'every matrix f32',
  bf16: 'every matrix BF16',
  'fp8-llama3': 'Llama 3 recipe: w1 w3 w2 of layers 1…L−2 in FP8 E4M3 (inputs too), the rest BF16',
  'fp8-all': 'every block matrix FP8 E4M3 (inputs too); embedding and head BF16',
};

/** Bytes per tensor as the engine reports them (numerics), the packing math where it reports none. */
function engineBytes(info: ModelInfo, numerics: TensorNumerics[] | null): MapBytes {
  const b = mapBytes(info.config, info.precision);
  if (!numerics) return b;
  const by = new Map(numerics.map((n) => [n.label, n.bytes]));
  return {
    embedding: by.get('embedding') ?? b.embedding,
    output: by.get('output') ?? b.output,
    outputShared: numerics.some((n) => n.label === 'output' && n.sharedWith === 'embedding') || b.outputShared,
    layers: b.layers.map((row, l) => Object.fromEntries(LAYER_MATRICES.map((m) => [m, by.get(`L${l}.${m}`) ?? row[m]])) as MapBytes['layers'][number]),
    total: info.weightBytes,
  };
}

export function QuantMapPanel({ className = '' }: { className?: string }) {
  const info = useEngine((s) => s.info);
  const loading = useEngine((s) => s.loading);
  const numerics = useQuant((s) => s.numerics);
  const numericsKey = useQuant((s) => s.numericsKey);
  const pending = useQuant((s) => s.pending);
  const key = info ? precisionKey(info.precision) : null;
  const current = numericsKey === key ? numerics : null;
  const bytes = useMemo(() => (info ? engineBytes(info, current) : null), [info, current]);

  return (
    <Panel
      label="Quantization map"
      className={className}
      hint={info ? <span>{info.name}: {info.config.nLayers} layers × 7 matrices, embedding and head</span> : undefined}
      actions={pending && <span className="flex items-center gap-1.5 text-xs text-indigo-700 dark:text-indigo-300"><Spinner label={`Switching precision: ${pending}`} /> <span className="hidden sm:inline">{pending}</span></span>}
    >
      {!info || !bytes ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">{loading ? 'The map appears once the model has loaded.' : 'Load a model to see and edit its precision map.'}</p>
      ) : (
        <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,1.35fr)_minmax(0,1fr)] 2xl:grid-cols-[minmax(0,1.4fr)_minmax(16rem,1fr)_minmax(16rem,1fr)]">
          <div className="flex min-w-0 flex-col gap-3">
            <Toolbar info={info} />
            <QuantGrid info={info} bytes={bytes} />
            <Legend />
            <p className="text-xs text-zinc-600 tabular-nums dark:text-zinc-400" data-testid="map-total">
              Weights: <span className="font-semibold text-zinc-900 dark:text-zinc-100">{formatBytes(info.weightBytes)}</span> under{' '}
              <span className="font-mono">{precisionLabel(info.precision)}</span> · f32 {formatBytes(presetBytes(info.config, 'f32'))} · norms stay f32
            </p>
          </div>
          <div className="min-w-0 rounded-xl border border-zinc-100 p-3 dark:border-zinc-800">
            <TensorInspector info={info} bytes={bytes} numerics={current} />
          </div>
          <div className="flex min-w-0 flex-col gap-5 lg:col-span-2 lg:grid lg:grid-cols-2 lg:gap-6 2xl:col-span-1 2xl:flex 2xl:flex-col 2xl:gap-5">
            <QualityCard />
            <SpeedByPrecision model={info.name} currentKey={key} />
          </div>
        </div>
      )}
    </Panel>
  );
}

function Toolbar({ info }: { info: ModelInfo }) {
  const brush = useQuant((s) => s.brush);
  const fp8 = brush.dtype === 'fp8e4m3' || brush.dtype === 'fp8e5m2';
  return (
    <div className="flex flex-col gap-2.5">
      <div className="flex flex-wrap items-center gap-1.5" role="group" aria-label="Presets">
        <span className="mr-1 text-xs font-medium text-zinc-600 dark:text-zinc-400">Preset</span>
        {PRESETS.map((p) => (
          <Button key={p} size="sm" variant={info.precision.preset === p ? 'primary' : 'secondary'} aria-pressed={info.precision.preset === p}
            title={PRESET_HINT[p]} onClick={() => void setPreset(p)} className="font-mono">
            {p}
          </Button>
        ))}
        {info.precision.preset === 'custom' && (
          <span className="rounded-full bg-zinc-100 px-2 py-0.5 font-mono text-xs text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300" title={precisionKey(info.precision)}>
            {precisionLabel(info.precision)}
          </span>
        )}
      </div>
      <fieldset className="flex flex-wrap items-center gap-1.5">
        <legend className="sr-only">Paint with (then click a cell, a layer or a matrix)</legend>
        <span className="mr-1 text-xs font-medium text-zinc-600 dark:text-zinc-400" aria-hidden="true">Paint</span>
        {FORMATS.map((d) => (
          <label key={d} className="relative cursor-pointer">
            <input type="radio" name="brush" value={d} checked={brush.dtype === d} className="peer sr-only"
              onChange={() => useQuant.setState({ brush: { ...brush, dtype: d } })} aria-label={`Paint ${FORMAT_STYLE[d].long}`} />
            <span style={formatStyle(d)}
              className="block rounded-md px-2 py-1 font-mono text-xs font-semibold ring-offset-2 peer-checked:ring-2 peer-checked:ring-zinc-900 peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-indigo-500 dark:ring-offset-zinc-900 dark:peer-checked:ring-zinc-100">
              {FORMAT_STYLE[d].short}
            </span>
          </label>
        ))}
        <label className={`ml-1 flex items-center gap-1.5 text-xs ${fp8 ? 'text-zinc-700 dark:text-zinc-300' : 'text-zinc-500 dark:text-zinc-400'}`}>
          <input type="checkbox" checked={brush.w8a8} disabled={!fp8} className={`accent-indigo-600 ${focusRing}`}
            onChange={(e) => useQuant.setState({ brush: { ...brush, w8a8: e.target.checked } })} />
          inputs FP8 too (W8A8)
        </label>
      </fieldset>
      <p className="text-xs text-zinc-600 dark:text-zinc-400">
        Pick a format, then click a cell, a layer (<span className="font-mono">L3</span>) or a matrix (<span className="font-mono">w1</span>). Changes apply live, even mid-conversation; hover a cell for its numerics.
      </p>
    </div>
  );
}

function Legend() {
  return (
    <ul className="flex flex-wrap gap-x-3 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400" aria-label="Legend">
      {FORMATS.map((d) => (
        <li key={d} className="flex items-center gap-1.5">
          <span className="inline-flex h-4 w-8 items-center justify-center rounded-sm font-mono text-[0.6rem] font-bold" style={formatStyle(d)} aria-hidden="true">
            {FORMAT_STYLE[d].short}
          </span>
          {FORMAT_STYLE[d].long}
        </li>
      ))}
      <li className="flex items-center gap-1.5">
        <span className="relative inline-block h-4 w-8 rounded-sm" style={formatStyle('fp8e4m3')} aria-hidden="true">
          <span className="absolute top-0.5 right-0.5 size-1.5 rounded-full bg-current" />
        </span>
        inputs FP8 too (W8A8)
      </li>
    </ul>
  );
}
