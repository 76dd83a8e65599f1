// The loaded model: where it came from, how it runs (engine, adapter), its shape named as in the code
// (dim, nLayers, nHeads, nKvHeads ...), the KV context it was loaded with and the memory the engine holds, plus
// the controls to open another one (files, a URL, the Hugging Face Hub) and the Hub models kept on this device.
import type { ReactNode } from 'react';
import type { LoadTimes } from '../../workers/api.ts';
import { precisionLabel } from '../engine/precision.ts';
import { describeSource, useEngine } from '../store/engine.ts';
import { formatBytes, formatCount, formatInt } from '../format.ts';
import { ContextPicker } from './ContextPicker.tsx';
import { ThreadsPicker } from './ThreadsPicker.tsx';
import { DeviceModels } from './DeviceModels.tsx';
import { DownloadProgress } from './DownloadProgress.tsx';
import { HubOpen } from './HubOpen.tsx';
import { EngineMemory } from './EngineMemory.tsx';
import { LoadProgressBar } from './LoadProgressBar.tsx';
import { OpenModel } from './OpenModel.tsx';
import { Button, Panel } from './ui.tsx';

function Fact({ label, code, wide, children }: { label: string; code?: string; wide?: boolean; children: ReactNode }) {
  return (
    <div className={`flex min-w-0 flex-col ${wide ? 'col-span-2' : ''}`}>
      <dt className="text-xs text-zinc-600 dark:text-zinc-400">
        {label}
        {code && <code className="ml-1 font-mono text-[0.7rem] text-zinc-500 dark:text-zinc-400">{code}</code>}
      </dt>
      <dd className="truncate text-sm font-medium text-zinc-900 tabular-nums dark:text-zinc-100">{children}</dd>
    </div>
  );
}

/** The load in progress: its own component, so the progress (once a frame while a model loads) redraws only the bar,
 * not the model's facts and the open/Hub/device views beside it. */
function LoadStatus() {
  const loading = useEngine((s) => s.loading);
  const progress = useEngine((s) => s.progress);
  const rate = useEngine((s) => s.rate);
  const loadingWhy = useEngine((s) => s.loadingWhy);
  if (!loading) return null;
  if (loading.kind === 'hub' && (!progress || progress.phase === 'download')) return <DownloadProgress id={loading.id} progress={progress} rate={rate} />;
  return (
    <LoadProgressBar
      progress={progress}
      rate={rate}
      label={loadingWhy ? `Reloading ${describeSource(loading)} ${loadingWhy}` : `Loading ${describeSource(loading)}`}
    />
  );
}

export function ModelPanel() {
  const info = useEngine((s) => s.info);
  const source = useEngine((s) => s.source);
  const loading = useEngine((s) => s.loading !== null);
  const error = useEngine((s) => s.error);
  const c = info?.config;
  // a link's map that does not fit: the engine's notice and the load error say the same, so say it once
  const fit = /does not fit this model/;
  const notice = info?.notice?.split('; ').filter((part) => !(error && fit.test(error) && fit.test(part))).join('; ') || null;

  return (
    <Panel label="Model" bodyClassName="flex flex-col gap-4 p-4">
      <LoadStatus />

      {error && (
        <div className="flex items-start gap-2 rounded-lg border border-rose-200 bg-rose-50 py-2 pr-1.5 pl-3 text-sm text-rose-800 dark:border-rose-500/30 dark:bg-rose-500/10 dark:text-rose-200">
          <p role="alert" data-testid="load-error" className="min-w-0 flex-1 break-words">
            {error}
          </p>
          <Button variant="ghost" size="sm" aria-label="Dismiss error" onClick={() => useEngine.setState({ error: null })}>
            ✕
          </Button>
        </div>
      )}

      {notice && (
        <p role="status" className="rounded-lg border border-amber-300 bg-amber-50 px-3 py-2 text-sm font-medium text-amber-900 dark:border-amber-500/40 dark:bg-amber-500/10 dark:text-amber-200">
          {notice}
        </p>
      )}

      {info && c ? (
        <div className="flex flex-col gap-3">
          <div className="min-w-0">
            <p className="truncate text-base font-semibold text-zinc-900 dark:text-zinc-50" data-testid="model-name" title={info.name}>
              {info.name}
            </p>
            {source && (
              <p className="truncate text-xs text-zinc-600 dark:text-zinc-400" title={describeSource(source)}>
                from {describeSource(source)}
              </p>
            )}
          </div>
          <dl className="grid grid-flow-row-dense grid-cols-2 gap-x-4 gap-y-2.5 sm:grid-cols-3 lg:grid-cols-2">
            <Fact label="Engine">
              <span data-testid="model-engine" className={info.engine === 'webgpu' ? 'text-emerald-700 dark:text-emerald-400' : 'text-amber-700 dark:text-amber-400'}>
                {info.engine === 'webgpu' ? 'WebGPU' : 'CPU'}
              </span>
            </Fact>
            <Fact label="Adapter" wide>
              <span title={info.adapter ?? undefined}>{info.adapter ?? '—'}</span>
              {info.gpuFeatures && <span className="block text-xs text-zinc-600 dark:text-zinc-400" data-testid="model-gpu-features">{info.gpuFeatures}</span>}
            </Fact>
            <Fact label="Format">{info.format.toUpperCase()}</Fact>
            <Fact label="Parameters">{formatCount(info.params)}</Fact>
            <Fact label="File size">{formatBytes(info.fileBytes)}</Fact>
            <Fact label="Weight bytes">{formatBytes(info.weightBytes)}</Fact>
            <Fact label="Layers" code="nLayers">{formatInt(c.nLayers)}</Fact>
            <Fact label="Width" code="dim">{formatInt(c.dim)}</Fact>
            <Fact label="FFN" code="hiddenDim">{formatInt(c.hiddenDim)}</Fact>
            <Fact label="Heads" code="nHeads">{formatInt(c.nHeads)}</Fact>
            <Fact label="KV heads" code="nKvHeads">{formatInt(c.nKvHeads)}</Fact>
            <Fact label="Head dim" code="headDim">{formatInt(c.headDim)}</Fact>
            <Fact label="Max context" code="contextLength">{formatInt(c.contextLength)}</Fact>
            <Fact label="Vocabulary" code="vocabSize">{formatInt(c.vocabSize)}</Fact>
            <Fact label="Precision">{precisionLabel(info.precision)}</Fact>
            <Fact label="Stored as">
              <span data-testid="model-stored-precision">{info.storedPrecision}</span>
            </Fact>
          </dl>
          <p className="text-xs text-zinc-600 tabular-nums dark:text-zinc-400" data-testid="model-load-time">
            {loadTime(info.loadMs)}
          </p>
          <ContextPicker key={`${info.name} ${describeSource(source ?? { kind: 'default' })}`} info={info} />
          {info.engine === 'cpu' && <ThreadsPicker key={`${info.name} ${describeSource(source ?? { kind: 'default' })} threads`} info={info} />}
          <EngineMemory info={info} />
        </div>
      ) : (
        !loading && !error && <p className="text-sm text-zinc-600 dark:text-zinc-400">No model loaded.</p>
      )}

      <div className="border-t border-zinc-100 pt-4 dark:border-zinc-800">
        <OpenModel />
      </div>
      <div className="border-t border-zinc-100 pt-4 dark:border-zinc-800">
        <HubOpen />
      </div>
      <div className="border-t border-zinc-100 pt-4 dark:border-zinc-800">
        <DeviceModels />
      </div>
    </Panel>
  );
}

/** "Loaded in 0.21 s: files 0.05 s, headers and tokenizer 0.01 s, weights 0.15 s". */
function loadTime(t: LoadTimes): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  return `Loaded in ${s(t.total)}: files ${s(t.files)}, headers and tokenizer ${s(t.headers)}, weights ${s(t.weights)}`;
}
