// What the engine holds, as it measured it (ModelInfo.memory): on WebGPU the GPU buffers (weights by storage
// format, the KV cache, activations and tables) and the little left on the host; on the CPU engine host memory
// (weights, KV cache, scratch). A stacked bar draws the same numbers; its label says them in words.
import type { ReactNode } from 'react';
import type { ModelInfo } from '../../workers/api.ts';
import { formatBytes, formatInt } from '../format.ts';
import { FORMAT_STYLE, formatStyle } from '../viz/precisionStyle.ts';
import type { WeightDtype } from '../viz/weightBytes.ts';

interface Segment {
  label: string;
  bytes: number;
  style: { backgroundColor: string; backgroundImage?: string; backgroundSize?: string };
}

const KV_STYLE = { backgroundColor: '#009E73' }; // Okabe–Ito green, apart from the formats' colours
const SCRATCH_STYLE = { backgroundColor: '#999999' };
const HOST_WEIGHTS_STYLE = { backgroundColor: '#6366f1' }; // the CPU engine does not split its weights by format

/** Weights by format, largest first: "bf16 2.1 GB + fp8e4m3 370 MB". */
function byFormat(weights: Record<string, number>): [string, number][] {
  return Object.entries(weights).filter(([, b]) => b > 0).sort((a, b) => b[1] - a[1]);
}

const isFormat = (d: string): d is WeightDtype => d in FORMAT_STYLE;

/** The stacked bar and its legend; the bar's label says the same numbers in words. */
function Bar({ what, segments }: { what: string; segments: Segment[] }) {
  const shown = segments.filter((s) => s.bytes > 0);
  const total = shown.reduce((n, s) => n + s.bytes, 0);
  if (total <= 0) return null;
  const words = `${what} ${formatBytes(total)}: ${shown.map((s) => `${s.label} ${formatBytes(s.bytes)}`).join(', ')}`;
  return (
    <div className="flex flex-col gap-1">
      <div role="img" aria-label={words} title={words} className="flex h-2.5 w-full overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800">
        {shown.map((s) => (
          <span key={s.label} className="h-full min-w-px" style={{ ...s.style, width: `${(100 * s.bytes) / total}%` }} />
        ))}
      </div>
      <ul aria-hidden="true" className="flex flex-wrap gap-x-3 gap-y-0.5 text-[0.7rem] text-zinc-600 dark:text-zinc-400">
        {shown.map((s) => (
          <li key={s.label} className="flex items-center gap-1">
            <span className="inline-block size-2.5 rounded-sm" style={s.style} />
            {s.label}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Row({ label, testId, children }: { label: string; testId: string; children: ReactNode }) {
  return (
    <div className="flex min-w-0 flex-col">
      <dt className="text-xs text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="text-sm text-zinc-900 tabular-nums dark:text-zinc-100" data-testid={testId}>{children}</dd>
    </div>
  );
}

export function EngineMemory({ info }: { info: ModelInfo }) {
  const { host_bytes: host, gpu_bytes: gpu } = info.memory;
  const positions = `${formatInt(info.context)} positions`;
  const weightSegments = (weights: Record<string, number>): Segment[] =>
    byFormat(weights).map(([d, b]) => ({ label: `weights ${d}`, bytes: b, style: isFormat(d) ? formatStyle(d) : SCRATCH_STYLE }));

  return (
    <section aria-labelledby="engine-memory-title" className="flex flex-col gap-2" data-testid="engine-memory">
      <h3 id="engine-memory-title" className="text-xs font-semibold tracking-wide text-zinc-600 uppercase dark:text-zinc-400">
        Memory held
      </h3>
      {gpu ? (
        <>
          <Bar what="GPU memory" segments={[
            ...weightSegments(gpu.weights),
            { label: 'KV cache', bytes: gpu.kv, style: KV_STYLE },
            { label: 'activations', bytes: gpu.activations, style: SCRATCH_STYLE },
          ]} />
          <dl className="flex flex-col gap-1.5">
            <Row label="GPU" testId="memory-gpu">
              weights {formatBytes(Object.values(gpu.weights).reduce((n, b) => n + b, 0))}
              {byFormat(gpu.weights).length > 0 && <> ({byFormat(gpu.weights).map(([d, b]) => `${d} ${formatBytes(b)}`).join(' + ')})</>}, KV cache{' '}
              <span data-testid="memory-kv">{formatBytes(gpu.kv)}</span> ({positions}), activations {formatBytes(gpu.activations)}
            </Row>
            <Row label="Host" testId="memory-host">
              weights {formatBytes(host.weights)} (the norm gains){host.kv + host.scratch > 0 && <>, KV cache {formatBytes(host.kv)}, scratch {formatBytes(host.scratch)}</>}
            </Row>
          </dl>
        </>
      ) : (
        <>
          <Bar what="Host memory" segments={[
            { label: 'weights', bytes: host.weights, style: HOST_WEIGHTS_STYLE },
            { label: 'KV cache', bytes: host.kv, style: KV_STYLE },
            { label: 'scratch', bytes: host.scratch, style: SCRATCH_STYLE },
          ]} />
          <dl className="flex flex-col gap-1.5">
            <Row label="Host (CPU engine)" testId="memory-host">
              weights {formatBytes(host.weights)}, KV cache <span data-testid="memory-kv">{formatBytes(host.kv)}</span> ({positions}), scratch {formatBytes(host.scratch)}
            </Row>
          </dl>
        </>
      )}
    </section>
  );
}
