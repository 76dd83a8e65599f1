// Chapter 2: the embedding. A token id picks one row of the embedding matrix (vocab x dim); that vector enters the
// residual stream, and every layer adds its output to it (pre-norm Transformer, Llama 3 paper §3.2). Shown: the
// row of the chosen token, and the stream's length ||x|| after the embedding and after each layer, as measured.
import { useEngine } from '../../store/engine.ts';
import { formatInt } from '../../format.ts';
import { LinePlot } from '../charts/LinePlot.tsx';
import { Strip } from '../charts/Strip.tsx';
import { guessKind, pieceLabel } from '../pieces.ts';
import { useLesson } from '../store.ts';
import { TokenStrip } from '../TokenStrip.tsx';
import { usePosition, useTrace, useTraceTokens } from '../useTrace.ts';
import { Cite, EngineState, Figure, Figures, NeedsModel, Prose, SubHeading, TryThis, ValuesTable } from '../ui.tsx';

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
/** 0 (the embedding) and then layers, thinned so the labels never crowd. */
const layerTicks = (nLayers: number) => {
  const every = Math.ceil((nLayers + 1) / 12);
  return Array.from({ length: nLayers + 1 }, (_, i) => i).filter((i) => i % every === 0);
};
const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3));

export function EmbeddingChapter() {
  const info = useEngine((s) => s.info);
  const tokens = useTraceTokens();
  const toks = tokens.value?.tokens ?? null;
  const position = usePosition(toks?.length ?? null);
  const trace = useTrace(position === null ? null : { embedding: { position }, residualNorms: true });
  if (!info) return <NeedsModel />;
  const c = info.config;
  // what the trace computed (its own tokens and position: the text may have moved on since)
  const t = trace.value;
  const row = t?.embedding?.row ?? null;
  const norms = t?.residualNorms ?? null;
  const shown = t?.embedding?.position ?? null;
  const kind = guessKind((toks ?? []).map((x) => x.text));
  const at = (p: number) => (norms ? norms.map((layer) => layer[p]) : []);
  const mean = norms ? norms.map((layer) => layer.reduce((s, x) => s + x, 0) / layer.length) : [];
  const selected = t && shown !== null ? pieceLabel(t.tokens[shown].text, kind) : '';

  return (
    <>
      <Prose>
        <p>
          A network computes with numbers, not with ids. So each token id picks one row of a big table, the <b>embedding
          matrix</b>: {formatInt(c.vocabSize)} rows (one per token in the vocabulary) of {formatInt(c.dim)} numbers each. That row
          is where the token starts. <Cite>Llama 3 paper, §3.2: a standard dense Transformer</Cite>
        </p>
        <p>
          The vector then flows through the {c.nLayers} layers as the <b>residual stream</b>: each layer reads it, computes
          something, and <i>adds</i> its result back. The line below shows how long the vector is (its norm ‖x‖) after each step.
        </p>
      </Prose>
      <EngineState busy={tokens.busy || trace.busy} error={tokens.error ?? trace.error} what="the forward pass" />
      {toks && (
        <div className="flex flex-col gap-1">
          <SubHeading>Pick a token</SubHeading>
          <TokenStrip tokens={toks} label="Tokens of the lesson text: pick one" selected={position} onPick={(p) => useLesson.getState().set({ pos: p })} />
        </div>
      )}
      {row && shown !== null && (
        <div className="flex flex-col gap-2">
          <SubHeading>Row {t!.embedding!.id} of the embedding matrix: “{selected}”</SubHeading>
          <Strip values={row} label={`The ${row.length} numbers of the embedding row of token ${t!.embedding!.id}, orange above zero, blue below`} testId="embedding-strip" />
          <p className="lesson-muted text-xs text-zinc-600 dark:text-zinc-400">{row.length} numbers, orange above zero, blue below; the stronger the colour the larger.</p>
          <Figures>
            <Figure label="Token id" value={t!.embedding!.id} note="the row number" />
            <Figure label="Length ‖row‖" value={<span data-testid="embedding-norm">{fmt(norm(row))}</span>} note={`of ${row.length} numbers`} />
            <Figure label="Largest" value={fmt(Math.max(...row))} />
            <Figure label="Smallest" value={fmt(Math.min(...row))} />
          </Figures>
          <ValuesTable caption="The embedding row" columns={['index', 'value']} rows={Array.from(row.slice(0, 256), (v, i) => [i, v.toPrecision(4)])} />
        </div>
      )}
      {norms && shown !== null && (
        <div className="flex flex-col gap-2">
          <SubHeading>The residual stream’s length, layer by layer</SubHeading>
          <LinePlot label={`Norm of the residual stream after the embedding and after each of the ${c.nLayers} layers, for “${selected}” and the average token`}
            xLabel="after the embedding, then after each layer" yLabel="‖x‖"
            xTicks={layerTicks(c.nLayers)} xTickLabel={(x) => (x === 0 ? 'emb' : `L${x - 1}`)}
            series={[
              { name: `“${selected}” (position ${shown})`, y: at(shown), color: '#4f46e5' },
              { name: 'average over the text', y: mean, color: '#a1a1aa', dashed: true },
            ]} testId="residual-plot" />
          <ValuesTable caption="Residual stream norms" columns={['after', `‖x‖ “${selected}”`, 'average']} testId="residual-table"
            rows={norms.map((_, l) => [l === 0 ? 'embedding' : `layer ${l - 1}`, fmt(at(shown)[l]), fmt(mean[l])])} />
        </div>
      )}
      <TryThis>
        Click another token: its row is completely different. Now write the same word twice in the text: both get the
        same row (the embedding knows <i>which</i> token, not <i>where</i>; chapter 4 adds the where), but their norms
        part ways in later layers, once attention has mixed in their neighbours.
      </TryThis>
    </>
  );
}
