// Chapter 4: positions by rotation (RoPE, Su et al. 2021). A head vector is cut into pairs; at position p each pair
// turns by p x its frequency. Llama 3 raises the base to 500,000 (paper §3.2); Llama 3.1's `llama3` scaling then
// slows the low frequencies for long context (meta-llama/llama-models apply_scaling). All from the model's config.
import { useId, useMemo } from 'react';
import { useEngine } from '../../store/engine.ts';
import { focusRing } from '../../components/ui.tsx';
import { formatInt } from '../../format.ts';
import { LinePlot } from '../charts/LinePlot.tsx';
import { pairsOf, ropeCurves, selfSimilarity } from '../math/rope.ts';
import { guessKind, pieceLabel } from '../pieces.ts';
import { useLesson } from '../store.ts';
import { usePosition, useTrace, useTraceTokens } from '../useTrace.ts';
import { Cite, EngineState, Figure, Figures, NeedsModel, Prose, SubHeading, TryThis, ValuesTable } from '../ui.tsx';

const DIALS = 8;

export function RopeChapter() {
  const info = useEngine((s) => s.info);
  const ropePos = useLesson((s) => s.ropePos);
  const tokens = useTraceTokens();
  const toks = tokens.value?.tokens ?? null;
  const position = usePosition(toks?.length ?? null);
  const trace = useTrace(position === null ? null : { embedding: { position } });
  const sliderId = useId();
  const curves = useMemo(() => (info ? ropeCurves(info.config) : null), [info]);
  if (!info || !curves) return <NeedsModel />;
  const c = info.config;
  const s = c.ropeScaling;
  const maxPos = c.contextLength - 1;
  const p = Math.min(ropePos ?? Math.min(100, maxPos), maxPos);
  const row = trace.value?.embedding?.row ?? null;
  const pairs = row ? pairsOf(row.slice(0, c.headDim), c.headDim, c.ropeStyle) : null;
  const half = c.headDim / 2;
  const dials = Array.from(new Set(Array.from({ length: Math.min(DIALS, half) }, (_, k) => Math.round((k * (half - 1)) / Math.max(1, Math.min(DIALS, half) - 1)))));
  // distances 1 … maxPos, log-spaced (every position while they are few): near and far both get their share
  const steps = Math.min(maxPos, 400);
  const ds = [...new Set(Array.from({ length: steps }, (_, k) => Math.round(Math.exp((Math.log(maxPos) * (k + 1)) / steps))))];
  const simScaled = pairs ? ds.map((d) => selfSimilarity(pairs, curves.scaled, d)) : [];
  const simPlain = pairs ? ds.map((d) => selfSimilarity(pairs, curves.plain, d)) : [];
  const kind = guessKind((toks ?? []).map((x) => x.text));
  const emb = trace.value?.embedding;
  const who = emb && trace.value ? `“${pieceLabel(trace.value.tokens[emb.position].text, kind)}”` : '';
  const bands = curves.bands;

  return (
    <>
      <Prose>
        <p>
          Attention by itself does not know where a token is. RoPE tells it by <b>turning</b> the query and key vectors:
          cut a vector into {half} pairs of numbers, and at position <i>p</i> turn pair <i>i</i> by the angle
          {' '}<i>p</i> × frequency<sub><i>i</i></sub>. Fast pairs spin many times within a sentence; slow pairs barely move in
          a whole book. Two tokens then meet at an angle that depends only on how far apart they are. The base of the
          frequencies here is θ = {formatInt(c.ropeTheta)}. <Cite>Llama 3 paper, §3.2</Cite>
        </p>
        {s ? (
          <p>
            This model uses Llama 3.1’s <code>llama3</code> scaling (factor {s.factor}, trained on {formatInt(s.originalMaxPositions)} positions):
            pairs that turn slower than once per {formatInt(s.originalMaxPositions / s.lowFreqFactor)} positions are slowed {s.factor}× more, so longer texts
            look like ones it has seen; pairs faster than once per {formatInt(s.originalMaxPositions / s.highFreqFactor)} positions are kept; in between it blends
            smoothly. <Cite>meta-llama/llama-models, apply_scaling</Cite>
          </p>
        ) : (
          <p>This model’s config has no <code>llama3</code> scaling, so both curves below are the same.</p>
        )}
      </Prose>
      <div className="flex flex-col gap-2">
        <SubHeading>How many positions one full turn takes, for each pair</SubHeading>
        <LinePlot label="Wavelength of each RoPE pair in positions, with and without llama3 scaling, log scale" logY xLabel="pair i (fast → slow)" yLabel="positions per turn"
          series={[
            { name: 'without scaling', y: curves.plainWave, color: '#a1a1aa', dashed: true },
            { name: s ? 'with llama3 scaling (this model)' : 'this model', y: curves.scaledWave, color: '#4f46e5' },
          ]}
          bands={bands ? [
            { from: bands.high[0] - 0.5, to: bands.high[1] - 0.5, label: 'kept', color: '#10b981' },
            { from: bands.middle[0] - 0.5, to: bands.middle[1] - 0.5, label: 'smooth', color: '#f59e0b' },
            { from: bands.low[0] - 0.5, to: bands.low[1] - 0.5, label: `÷ ${s!.factor}`, color: '#ec4899' },
          ].filter((b) => b.to > b.from) : undefined}
          xDomain={[-0.5, half - 0.5]} testId="rope-wavelengths" />
        <ValuesTable caption="RoPE frequencies" columns={['pair', 'frequency', 'scaled', 'positions per turn', 'scaled']}
          rows={Array.from(curves.plain, (f, i) => [i, f.toPrecision(3), curves.scaled[i].toPrecision(3), formatInt(curves.plainWave[i]), formatInt(curves.scaledWave[i])])} />
      </div>
      <div className="flex flex-col gap-2">
        <SubHeading>Turning a vector: {who}</SubHeading>
        <p className="lesson-muted text-xs text-zinc-600 dark:text-zinc-400">
          The vector is the first {c.headDim} numbers of {who}’s embedding row (a real query would first pass through wq).
        </p>
        <EngineState busy={tokens.busy || trace.busy} error={tokens.error ?? trace.error} what="the vector" />
        <div className="flex flex-wrap items-center gap-3">
          <label htmlFor={sliderId} className="text-sm font-medium text-zinc-800 dark:text-zinc-200">Position</label>
          <input id={sliderId} type="range" min={0} max={maxPos} step={1} value={p} onChange={(e) => useLesson.getState().set({ ropePos: e.target.valueAsNumber })}
            className={`w-64 max-w-full accent-indigo-600 dark:accent-indigo-400 ${focusRing}`} />
          <output htmlFor={sliderId} className="font-mono text-sm tabular-nums">{formatInt(p)}</output>
        </div>
        {pairs && (
          <>
            <ul aria-label={`The vector's pairs turned to position ${p}`} className="grid grid-cols-4 gap-2 sm:grid-cols-8" data-testid="rope-dials">
              {dials.map((i) => <Dial key={i} i={i} pair={pairs[i]} angle={p * curves.scaled[i]} plainAngle={p * curves.plain[i]} />)}
            </ul>
            <Figures>
              <Figure label={`Similarity with itself ${formatInt(p)} positions away`} value={<span data-testid="rope-similarity">{selfSimilarity(pairs, curves.scaled, p).toFixed(3)}</span>} note="q(m)·q(m+p) / |q|², this model" strong />
              {s && <Figure label="Without scaling" value={selfSimilarity(pairs, curves.plain, p).toFixed(3)} note="the same vector, plain RoPE" />}
            </Figures>
            <LinePlot label={`How similar the vector stays to itself as the distance grows, with and without scaling; the slider is at ${p}`} xLabel="distance in positions (log scale)" yLabel="similarity"
              series={[
                { name: 'without scaling', x: ds, y: simPlain, color: '#a1a1aa', dashed: true },
                { name: s ? 'with llama3 scaling' : 'this model', x: ds, y: simScaled, color: '#4f46e5' },
              ]}
              logX xDomain={[1, maxPos]} yDomain={[-1, 1]} marker={p >= 1 ? { x: p, label: `p = ${formatInt(p)}` } : null} testId="rope-similarity-plot" />
          </>
        )}
      </div>
      <TryThis>
        Drag the position slider. The first pairs spin like second hands, the last ones hardly move. Watch the
        similarity: it drops quickly at first (near tokens are told apart), and with scaling it stays higher far away.
      </TryThis>
    </>
  );
}

/** One pair as a clock hand: where it points at position p (solid) and without scaling (faint). */
function Dial({ i, pair, angle, plainAngle }: { i: number; pair: [number, number]; angle: number; plainAngle: number }) {
  const r = 26, base = Math.atan2(pair[1], pair[0]);
  const hand = (a: number) => [30 + r * Math.cos(base + a), 30 - r * Math.sin(base + a)];
  const [x, y] = hand(angle), [px, py] = hand(plainAngle);
  const turns = angle / (2 * Math.PI);
  return (
    <li className="flex flex-col items-center text-center text-[0.7rem] text-zinc-600 dark:text-zinc-400" aria-label={`pair ${i}: ${turns.toFixed(2)} turns`}>
      <svg width="60" height="60" aria-hidden="true" className="text-zinc-700 dark:text-zinc-300">
        <circle cx="30" cy="30" r={r} fill="none" stroke="currentColor" opacity={0.25} />
        <line x1="30" y1="30" x2={px} y2={py} stroke="#a1a1aa" strokeWidth={2} strokeDasharray="3 2" />
        <line x1="30" y1="30" x2={x} y2={y} stroke="#4f46e5" strokeWidth={2.5} />
        <circle cx="30" cy="30" r={2} fill="currentColor" />
      </svg>
      <span>pair {i}</span>
      <span className="tabular-nums">{turns >= 100 ? formatInt(turns) : turns.toFixed(2)} turns</span>
    </li>
  );
}
