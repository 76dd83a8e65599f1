// Chapter 9: memory. Llama 3.1 405B's weights in BF16 do not fit one node of 8 H100s; under the FP8 recipe they do
// (Llama 3 paper §6; bytes counted per tensor from Table 3's shapes, viz/memoryFit.ts). Then the loaded model's own
// bytes under each precision, the engine's measured figure for the map it runs, and the KV cache of this text.
import { useEngine } from '../../store/engine.ts';
import { precisionLabel } from '../../engine/precision.ts';
import { formatBytes, formatCount, formatInt } from '../../format.ts';
import { H100, LLAMA31, NODE_BYTES, memoryFit } from '../../viz/memoryFit.ts';
import { presetBytes } from '../../viz/weightBytes.ts';
import { Bars } from '../charts/Bars.tsx';
import { useTraceTokens } from '../useTrace.ts';
import { Cite, EngineState, Figure, Figures, NeedsModel, PaperFigure, Prose, SubHeading, TryThis } from '../ui.tsx';

const CONTEXT = 8192;

export function MemoryChapter() {
  const info = useEngine((s) => s.info);
  const tokens = useTraceTokens();
  if (!info) return <NeedsModel />;
  const big = LLAMA31['405B'];
  const fits = [
    { name: 'BF16', fit: memoryFit(big, 'bf16', CONTEXT, 1) },
    { name: 'FP8 recipe', fit: memoryFit(big, 'fp8', CONTEXT, 1) },
  ];
  const axis = Math.max(...fits.map((f) => f.fit.nodes)) * NODE_BYTES;
  const presets = (['f32', 'bf16', 'fp8-llama3', 'fp8-all'] as const).map((p) => ({ p, bytes: presetBytes(info.config, p) }));
  const kvBytes = info.memory.gpu_bytes?.kv ?? info.memory.host_bytes.kv;
  const perToken = kvBytes / info.context;
  const n = tokens.value?.tokens.length ?? null;
  const held = info.memory.gpu_bytes
    ? Object.values(info.memory.gpu_bytes.weights).reduce((s, b) => s + b, 0) + info.memory.gpu_bytes.kv + info.memory.gpu_bytes.activations
    : info.memory.host_bytes.weights + info.memory.host_bytes.kv + info.memory.host_bytes.scratch;

  return (
    <>
      <Prose>
        <p>
          Every weight needs memory: 2 bytes in BF16, 1 in FP8. Llama 3.1 405B has {formatCount(fits[0].fit.weights.params)} weights
          {' '}(<PaperFigure>Table 3: {big.nLayers} layers, width {formatInt(big.dim)}, FFN {formatInt(big.hiddenDim)}</PaperFigure>). One H100 holds
          {' '}{formatBytes(H100.bytes)}; a server (node) has {H100.perNode}, {formatBytes(NODE_BYTES)}. Counted tensor by tensor, in BF16 the model needs {fits[0].fit.nodes} node{fits[0].fit.nodes === 1 ? '' : 's'}; with
          the FFN in FP8 (the paper’s recipe), {fits[1].fit.nodes}. <Cite>Llama 3 paper, §6.1–6.2</Cite>
        </p>
      </Prose>
      <div className="flex flex-col gap-3">
        <SubHeading>Llama 3.1 405B on 8 × 80 GB nodes (weights + KV cache of {formatInt(CONTEXT)} tokens)</SubHeading>
        {fits.map(({ name, fit }) => (
          <div key={name} className="flex flex-col gap-1" data-testid={`memory-405b-${name === 'BF16' ? 'bf16' : 'fp8'}`}>
            <p className="flex flex-wrap items-baseline justify-between gap-x-3 text-sm">
              <span className="font-semibold">{name}</span>
              <span className="tabular-nums">{formatBytes(fit.total)} → <b>{fit.nodes} node{fit.nodes === 1 ? '' : 's'}</b> ({fit.gpus} GPUs)</span>
            </p>
            <div role="img" aria-label={`${name}: ${formatBytes(fit.total)}, ${fit.nodes} node${fit.nodes === 1 ? '' : 's'}`} className="relative h-6 overflow-hidden rounded-md bg-zinc-100 dark:bg-zinc-800">
              <div className="absolute inset-y-0 left-0 bg-indigo-500" style={{ width: `${(100 * fit.weights.total) / axis}%` }} />
              <div className="absolute inset-y-0 bg-amber-500" style={{ left: `${(100 * fit.weights.total) / axis}%`, width: `${(100 * fit.kvCache) / axis}%` }} />
              {Array.from({ length: Math.round(axis / NODE_BYTES) - 1 }, (_, k) => (
                <div key={k} className="absolute inset-y-0 w-0.5 bg-zinc-900 dark:bg-zinc-100" style={{ left: `${(100 * (k + 1) * NODE_BYTES) / axis}%` }} aria-hidden="true" />
              ))}
            </div>
          </div>
        ))}
        <p className="lesson-muted text-xs text-zinc-600 dark:text-zinc-400"><span className="text-indigo-600 dark:text-indigo-400">■</span> weights <span className="text-amber-500">■</span> KV cache; the black line is the end of the first node ({formatBytes(NODE_BYTES)}).</p>
      </div>
      <div className="flex flex-col gap-2">
        <SubHeading>The model in this page: {info.name}</SubHeading>
        <Bars label={`Weight bytes of ${info.name} under each precision`} labelClass="w-24" testId="memory-presets"
          bars={presets.map(({ p, bytes }) => ({ key: p, label: p, value: bytes, text: formatBytes(bytes), strong: precisionLabel(info.precision) === p }))} />
        <EngineState busy={tokens.busy} error={tokens.error} what="the text's tokens" />
        <Figures>
          <Figure label={`Weights now (${precisionLabel(info.precision)})`} value={formatBytes(info.weightBytes)} note="as the engine holds them" strong />
          <Figure label="Everything the engine holds" value={formatBytes(held)} note={info.engine === 'webgpu' ? 'GPU buffers' : 'CPU engine, host memory'} />
          <Figure label="KV cache per token" value={formatBytes(perToken)} note={`${formatInt(info.context)} positions reserved`} />
          <Figure label="KV cache of this text" value={<span data-testid="memory-text-kv">{n === null ? '…' : formatBytes(perToken * n)}</span>} note={n === null ? undefined : `${n} tokens`} />
        </Figures>
      </div>
      <TryThis>
        Switch the quantization map below the lesson to fp8-llama3 and watch the engine’s own figure here. Then make the text
        longer: the weights stay, the KV cache grows with every token, which is why long contexts cost memory too.
      </TryThis>
    </>
  );
}
