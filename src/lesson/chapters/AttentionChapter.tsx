// Chapter 3: attention. Every head of one layer, from the real forward pass: row i (a query token) spreads its
// attention over the tokens j <= i. Heads are drawn grouped on the KV head they share (grouped-query attention,
// Llama 3 paper §3.2, Ainslie et al. 2023), and the KV cache the engine holds says what that sharing saves.
import { useEngine } from '../../store/engine.ts';
import { formatBytes, formatInt } from '../../format.ts';
import { Heatmap } from '../charts/Heatmap.tsx';
import { LLAMA31 } from '../../viz/memoryFit.ts';
import { guessKind, pieceLabel } from '../pieces.ts';
import { useLesson } from '../store.ts';
import { useTrace } from '../useTrace.ts';
import { Cite, EngineState, Figure, Figures, NeedsModel, NumberPicker, PaperFigure, Prose, SubHeading, TryThis } from '../ui.tsx';
import { focusRing } from '../../components/ui.tsx';

/** The strongest keys of each query row (position 0, which can only look at itself, left out). */
function topKeys(probs: Float32Array, n: number, labels: string[]) {
  const out: { query: number; keys: { key: number; w: number }[] }[] = [];
  for (let i = 1; i < n; i++) {
    const row = Array.from({ length: i + 1 }, (_, j) => ({ key: j, w: probs[i * n + j] })).sort((a, b) => b.w - a.w);
    out.push({ query: i, keys: row.slice(0, 2) });
  }
  return out.map((r) => ({ ...r, text: `“${labels[r.query]}” → ${r.keys.map((k) => `“${labels[k.key]}” ${k.w.toFixed(2)}`).join(', ')}` }));
}

export function AttentionChapter() {
  const info = useEngine((s) => s.info);
  const stored = useLesson((s) => s.layer);
  const headWanted = useLesson((s) => s.head);
  const L = info?.config.nLayers ?? 1;
  const layer = Math.min(stored ?? Math.min(1, L - 1), L - 1);
  const trace = useTrace(info ? { attention: { layer } } : null);
  if (!info) return <NeedsModel />;
  const c = info.config;
  const a = trace.value?.attention;
  const toks = trace.value?.tokens ?? [];
  const n = toks.length;
  const kind = guessKind(toks.map((x) => x.text));
  const labels = toks.map((x) => pieceLabel(x.text, kind));
  const head = Math.min(headWanted ?? 0, c.nHeads - 1);
  const group = c.nHeads / c.nKvHeads;
  // The KV cache as the engine allocated it: bytes per position, and what it would be with one K/V per query head.
  const kvBytes = info.memory.gpu_bytes?.kv ?? info.memory.host_bytes.kv;
  const perPosition = kvBytes / info.context;
  const bytesPerValue = perPosition / (2 * c.nLayers * c.nKvHeads * c.headDim);
  const big = LLAMA31['405B'];

  return (
    <>
      <Prose>
        <p>
          Attention is how a token gathers information from the tokens before it. Each <b>head</b> gives every earlier
          token a weight (the weights in a row add up to 1), then mixes their values with those weights. A token may not
          look ahead: the upper triangle stays empty. Here are all {c.nHeads} heads of layer {layer}, computed just now on
          the lesson text.
        </p>
        <p>
          Llama uses <b>grouped-query attention</b>: {group} query heads share one key/value head, so the model stores
          {' '}{c.nKvHeads} instead of {c.nHeads} keys and values per token in its KV cache. <Cite>Llama 3 paper, §3.2</Cite>
        </p>
      </Prose>
      <div className="flex flex-wrap items-center gap-4">
        <NumberPicker label="Layer" value={layer} count={L} onChange={(v) => useLesson.getState().set({ layer: v })} />
        <NumberPicker label="Head" value={head} count={c.nHeads} onChange={(v) => useLesson.getState().set({ head: v })} />
      </div>
      <EngineState busy={trace.busy} error={trace.error} what="attention" />
      {a && n > 0 && (
        <div className="grid min-w-0 grid-cols-1 gap-5 xl:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
          <div className="flex min-w-0 flex-col gap-2">
            <SubHeading>Heads, grouped by the KV head they share</SubHeading>
            <div className="grid grid-cols-1 gap-2 sm:grid-cols-2" data-testid="gqa-groups">
              {Array.from({ length: a.nKvHeads }, (_, g) => (
                <fieldset key={g} className="min-w-0 rounded-xl border border-zinc-200 p-2 dark:border-zinc-700">
                  <legend className="px-1 text-xs font-semibold text-zinc-700 dark:text-zinc-300">KV head {g}: one K and V for query heads {g * group}–{(g + 1) * group - 1}</legend>
                  <div className="grid gap-1.5" style={{ gridTemplateColumns: `repeat(${Math.min(group, 4)}, minmax(0, 1fr))` }}>
                    {Array.from({ length: group }, (_, k) => {
                      const h = g * group + k;
                      return (
                        <button key={h} type="button" aria-pressed={h === head} onClick={() => useLesson.getState().set({ head: h })}
                          className={`rounded-lg p-1 text-xs ${focusRing} ${h === head ? 'bg-indigo-100 ring-2 ring-indigo-600 dark:bg-indigo-500/20 dark:ring-indigo-300' : 'hover:bg-zinc-100 dark:hover:bg-zinc-800'}`}>
                          <Heatmap values={a.probs[h]} n={n} labels={labels} size="small" label={`Head ${h}`} />
                          <span className="mt-0.5 block text-zinc-700 dark:text-zinc-300">head {h}</span>
                        </button>
                      );
                    })}
                  </div>
                </fieldset>
              ))}
            </div>
          </div>
          <div className="flex min-w-0 flex-col gap-2">
            <SubHeading>Layer {layer}, head {head}: who looks at whom</SubHeading>
            <Heatmap values={a.probs[head]} n={n} labels={labels} size="large" testId="attention-heatmap"
              label={`Attention weights of layer ${layer}, head ${head}, over ${n} tokens: rows are query tokens, columns key tokens, darker is more weight.`} />
            <details className="text-sm" open={n <= 24}>
              <summary className={`lesson-muted cursor-pointer rounded text-xs text-zinc-600 dark:text-zinc-400 ${focusRing}`}>Where each token looks most (the heatmap as a list)</summary>
              <ol aria-label={`Strongest attention weights of head ${head}`} tabIndex={0} className="focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 dark:focus-visible:outline-indigo-400 mt-1 max-h-64 overflow-auto text-xs" data-testid="attention-top">
                {topKeys(a.probs[head], n, labels).map((r) => <li key={r.query} className="py-0.5 font-mono">{r.text}</li>)}
              </ol>
            </details>
          </div>
        </div>
      )}
      <div className="flex flex-col gap-2">
        <SubHeading>What sharing K and V saves, in this engine’s KV cache</SubHeading>
        <Figures>
          <Figure label="KV cache per token" value={formatBytes(perPosition)} note={`2 × ${c.nLayers} layers × ${c.nKvHeads} KV heads × ${c.headDim} × ${Number(bytesPerValue.toPrecision(3))} B`} testId="kv-per-token" />
          <Figure label={`Without GQA (${c.nHeads} KV heads)`} value={formatBytes(perPosition * group)} note={`${group}× more`} />
          <Figure label={`This text (${formatInt(n)} tokens)`} value={formatBytes(perPosition * n)} note={`instead of ${formatBytes(perPosition * group * n)}`} strong testId="kv-text" />
          <Figure label="Whole cache held" value={formatBytes(kvBytes)} note={`${formatInt(info.context)} positions, measured`} />
        </Figures>
        <p className="lesson-muted text-xs text-zinc-600 dark:text-zinc-400">
          For Llama 3.1 405B (<PaperFigure>Table 3: {big.nLayers} layers, {big.nHeads} query heads, {big.nKvHeads} KV heads of {big.headDim}</PaperFigure>)
          the same sum gives {formatBytes(2 * big.nLayers * big.nKvHeads * big.headDim * 2)} per token in BF16 instead of{' '}
          {formatBytes(2 * big.nLayers * big.nHeads * big.headDim * 2)}: {big.nHeads / big.nKvHeads}× less.
        </p>
      </div>
      <TryThis>
        Step through the layers. Many heads send most of their weight to the first token (a resting place when nothing
        else matters); others look one token back. Repeat a word in the text and find a head that looks at its earlier copy.
      </TryThis>
    </>
  );
}
