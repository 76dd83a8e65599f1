// Chapter 5: the feed-forward block, SwiGLU (Shazeer 2020): act = silu(w1 x) * (w3 x), then w2 brings it back to dim.
// Shown for one token and one layer from the real forward pass: the gate, the up projection and their product; and
// how much of the model's weight is in w1, w3, w2 (why the Llama 3 FP8 recipe quantizes exactly these, §6.2).
import { useEngine } from '../../store/engine.ts';
import { formatBytes, formatCount, formatInt } from '../../format.ts';
import { LLAMA31, weightBytes } from '../../viz/memoryFit.ts';
import { mapBytes } from '../../viz/weightBytes.ts';
import { LinePlot } from '../charts/LinePlot.tsx';
import { Strip } from '../charts/Strip.tsx';
import { guessKind, pieceLabel } from '../pieces.ts';
import { useLesson } from '../store.ts';
import { TokenStrip } from '../TokenStrip.tsx';
import { usePosition, useTrace, useTraceTokens } from '../useTrace.ts';
import { Cite, EngineState, Figure, Figures, NeedsModel, NumberPicker, PaperFigure, Prose, SubHeading, TryThis, ValuesTable } from '../ui.tsx';

const silu = (x: number) => x / (1 + Math.exp(-x));
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function FfnChapter() {
  const info = useEngine((s) => s.info);
  const stored = useLesson((s) => s.layer);
  const tokens = useTraceTokens();
  const toks = tokens.value?.tokens ?? null;
  const position = usePosition(toks?.length ?? null);
  const L = info?.config.nLayers ?? 1;
  const layer = Math.min(stored ?? Math.floor(L / 2), L - 1);
  const trace = useTrace(position === null ? null : { ffn: { layer, position } });
  if (!info) return <NeedsModel />;
  const c = info.config;
  const f = trace.value?.ffn ?? null;
  const kind = guessKind((toks ?? []).map((x) => x.text));
  const who = f && trace.value ? `“${pieceLabel(trace.value.tokens[f.position].text, kind)}”` : '';

  // The share of weights in the FFN: parameters from the config, bytes from the map the engine runs now.
  const ffnParams = 3 * c.dim * c.hiddenDim * c.nLayers;
  const bytes = mapBytes(c, info.precision);
  const ffnBytes = bytes.layers.reduce((s, row) => s + row.w1 + row.w3 + row.w2, 0);
  const attnBytes = bytes.layers.reduce((s, row) => s + row.wq + row.wk + row.wv + row.wo, 0);
  const big = weightBytes(LLAMA31['405B'], 'bf16');

  let quiet = 0, amax = 0, top = 0;
  if (f) {
    for (let i = 0; i < f.act.length; i++) if (Math.abs(f.act[i]) > amax) { amax = Math.abs(f.act[i]); top = i; }
    for (let i = 0; i < f.act.length; i++) if (Math.abs(f.act[i]) < 0.1 * amax) quiet++;
  }
  const order = f ? Array.from(f.act, (v, i) => [Math.abs(v), i] as const).sort((a, b) => b[0] - a[0]).slice(0, 12).map(([, i]) => i) : [];
  const [gx0, gx1] = f ? [Math.min(-4, ...f.gate), Math.max(4, ...f.gate)] : [-4, 4];
  const curveX = Array.from({ length: 81 }, (_, k) => gx0 + ((gx1 - gx0) * k) / 80);

  return (
    <>
      <Prose>
        <p>
          After attention, each token goes alone through a small network, the <b>feed-forward block</b>. It widens the
          vector from {formatInt(c.dim)} to {formatInt(c.hiddenDim)} numbers twice: a <b>gate</b> (w1 x) and an <b>up</b> projection (w3 x).
          The gate passes through silu, which lets positive values through and squashes negative ones towards zero; the product
          silu(gate) × up decides which of the {formatInt(c.hiddenDim)} “neurons” speak. w2 brings the result back to {formatInt(c.dim)}.
          This is SwiGLU. <Cite>Llama 3 paper, Table 3</Cite>
        </p>
        <p>
          These three matrices hold {pct(ffnParams / info.params)} of this model’s weights ({pct(big.ffn / big.total)} of Llama 3.1 405B’s bytes), and every
          token multiplies through them: the paper’s FP8 recipe quantizes exactly these, <PaperFigure>“roughly 50% of the inference compute”</PaperFigure>. <Cite>§6.2</Cite>
        </p>
      </Prose>
      <Figures>
        <Figure label="FFN share of this model’s parameters" value={pct(ffnParams / info.params)} note={`${formatCount(ffnParams)} of ${formatCount(info.params)} (3 × ${c.dim} × ${c.hiddenDim} × ${c.nLayers})`} strong testId="ffn-share" />
        <Figure label="FFN bytes, as stored now" value={formatBytes(ffnBytes)} note={`${pct(ffnBytes / bytes.total)} of ${formatBytes(bytes.total)}; attention ${formatBytes(attnBytes)}`} />
        <Figure label="In Llama 3.1 405B" value={pct(big.ffn / big.total)} note="Table 3 shapes, BF16: the embeddings matter less there" />
      </Figures>
      <div className="flex flex-wrap items-center gap-4">
        <NumberPicker label="Layer" value={layer} count={L} onChange={(v) => useLesson.getState().set({ layer: v })} />
      </div>
      {toks && <TokenStrip tokens={toks} label="Tokens of the lesson text: pick one" selected={position} onPick={(p) => useLesson.getState().set({ pos: p })} />}
      <EngineState busy={tokens.busy || trace.busy} error={tokens.error ?? trace.error} what="the feed-forward block" />
      {f && (
        <div className="grid min-w-0 grid-cols-1 gap-5 lg:grid-cols-2">
          <div className="flex min-w-0 flex-col gap-2">
            <SubHeading>The gate: silu(w1 x) for each of the {formatInt(f.gate.length)} neurons</SubHeading>
            <LinePlot label={`Gate values of layer ${layer} for ${who} plotted on the silu curve`} xLabel="gate = w1 x" yLabel="silu(gate)"
              series={[
                { name: 'silu curve', x: curveX, y: curveX.map(silu), color: '#a1a1aa' },
                { name: `${who}’s neurons`, x: f.gate, y: Array.from(f.gate, silu), color: '#ea580c', dots: true },
              ]} xDomain={[gx0, gx1]} testId="ffn-gate-plot" />
          </div>
          <div className="flex min-w-0 flex-col gap-2">
            <SubHeading>Gate, up and their product, neuron by neuron</SubHeading>
            {(['gate', 'up', 'act'] as const).map((k) => (
              <div key={k} className="flex flex-col gap-0.5">
                <span className="text-xs text-zinc-700 dark:text-zinc-300">{k === 'act' ? 'silu(gate) × up' : k === 'gate' ? 'gate = w1 x' : 'up = w3 x'}</span>
                <Strip values={f[k]} label={`${k} values of layer ${layer} for ${who}`} height={22} />
              </div>
            ))}
            <Figures className="!grid-cols-2">
              <Figure label="Quiet neurons" value={<span data-testid="ffn-quiet">{pct(quiet / f.act.length)}</span>} note="|silu(gate) × up| under 10% of the largest" />
              <Figure label="Loudest neuron" value={<span data-testid="ffn-top">#{top}</span>} note={`gate ${f.gate[top].toFixed(2)}, up ${f.up[top].toFixed(2)} → ${f.act[top].toFixed(2)}`} />
            </Figures>
            <ValuesTable caption="The loudest neurons" columns={['neuron', 'gate', 'silu(gate)', 'up', 'silu(gate) × up']}
              rows={order.map((i) => [i, f.gate[i].toFixed(3), silu(f.gate[i]).toFixed(3), f.up[i].toFixed(3), f.act[i].toFixed(3)])} />
          </div>
        </div>
      )}
      <TryThis>
        Pick different tokens and layers: a different handful of neurons lights up each time, while most stay quiet.
        That sparseness is what the FP8 recipe has to survive: a few large values next to many small ones.
      </TryThis>
    </>
  );
}
