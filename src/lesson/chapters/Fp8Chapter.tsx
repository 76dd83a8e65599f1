// Chapter 7: FP8. Eight bits per number (OCP FP8: E4M3 and E5M2; BF16 for comparison), a row of real weights
// scaled into E4M3, and experiments measuring on the lesson's text what the Llama 3 recipe's choices buy
// (arXiv:2407.21783 §6.2): the 1200 upper bound, row-wise scales, keeping the first and last layer in BF16.
import { useEffect } from 'react';
import { Button, Spinner } from '../../components/ui.tsx';
import { measuresAutomatically, precisionKey } from '../../engine/precision.ts';
import { useEngine } from '../../store/engine.ts';
import { useQuant } from '../../store/quant.ts';
import { useSession } from '../../store/session.ts';
import { formatKl } from '../../components/QualityCard.tsx';
import { experiments } from '../math/experiments.ts';
import { cancelExperiments, requestExperiments, useExperiments } from '../fp8Experiments.ts';
import { guessKind, pieceLabel } from '../pieces.ts';
import { useLesson } from '../store.ts';
import { usePosition, useTrace, useTraceTokens } from '../useTrace.ts';
import { Cite, EngineState, NeedsModel, PaperFigure, Prose, SubHeading, TryThis } from '../ui.tsx';
import { Fp8NumberLine } from './Fp8NumberLine.tsx';
import { Fp8Rows } from './Fp8Rows.tsx';

export function Fp8Chapter() {
  const info = useEngine((s) => s.info);
  const numerics = useQuant((s) => s.numerics);
  const numericsKey = useQuant((s) => s.numericsKey);
  const tokens = useTraceTokens();
  const toks = tokens.value?.tokens ?? null;
  const position = usePosition(toks?.length ?? null);
  const trace = useTrace(position === null ? null : { embedding: { position } });
  if (!info) return <NeedsModel />;
  const emb = trace.value?.embedding ?? null;
  const kind = guessKind((toks ?? []).map((x) => x.text));
  const who = emb && trace.value ? `“${pieceLabel(trace.value.tokens[emb.position].text, kind)}”` : '';
  const tensorAmax = numericsKey === precisionKey(info.precision) ? numerics?.find((n) => n.label === 'embedding')?.amax ?? null : null;

  return (
    <>
      <Prose>
        <p>
          A weight stored in BF16 takes 16 bits; in FP8, 8. Both are floating-point numbers: a <b>sign</b>, an <b>exponent</b>{' '}
          (how big, in powers of two) and a <b>mantissa</b> (the digits). E4M3 spends 4 bits on the exponent and 3 on the mantissa:
          fine steps, but nothing above 448. E5M2 reaches 57,344 with coarser steps. Type a number and see where it lands.
        </p>
      </Prose>
      <Fp8NumberLine />
      <EngineState busy={tokens.busy || trace.busy} error={tokens.error ?? trace.error} what="the weights" />
      {emb && <Fp8Rows row={emb.row} tokenId={emb.id} who={who} tensorAmax={tensorAmax} />}
      <Experiments />
      <TryThis>
        Type 1.0625 (exactly between two E4M3 numbers: it rounds to the even one), then 500 (E4M3 saturates at 448). Then run
        the experiments and see which of the recipe’s choices matters most for this model and this text.
      </TryThis>
    </>
  );
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function Experiments() {
  const info = useEngine((s) => s.info)!;
  const text = useLesson((s) => s.text);
  const chatting = useSession((s) => s.streamingId !== null);
  const loading = useEngine((s) => s.loading);
  const { status, key, results, current, error } = useExperiments();
  const list = experiments(info.config.nLayers);
  const want = `${info.name}|${precisionKey(info.precision)}|${text}`;
  const auto = measuresAutomatically(info);
  const fresh = key === want;
  const idle = !chatting && !loading;

  useEffect(() => {
    if (!auto || !idle || useExperiments.getState().key === want) return;
    const timer = setTimeout(() => requestExperiments(useLesson.getState().text, want), 700);
    return () => clearTimeout(timer);
  }, [auto, idle, want]);

  return (
    <div className="flex flex-col gap-2">
      <SubHeading>What the recipe’s choices buy, measured on the lesson text</SubHeading>
      <p className="lesson-muted text-sm text-zinc-600 dark:text-zinc-400">
        Each row runs the model on the text with one precision map and compares every next-token distribution with the
        model as its file stores it ({info.storedPrecision}): KL divergence (0 = identical) and how often the top choice agrees.
        The paper found the 1200 bound and row-wise scales necessary <Cite>§6.2</Cite>; they checked quality with
        {' '}<PaperFigure>reward-model scores of 100,000 responses</PaperFigure>, since benchmarks missed the damage.
      </p>
      <div className="flex flex-wrap items-center gap-2">
        {status === 'running' ? (
          <>
            <Spinner label="Running the FP8 experiments" />
            <span className="text-sm">Measuring {list.find((x) => x.id === current)?.name ?? '…'} ({Object.keys(results).length + 1} of {list.length})</span>
            <Button size="sm" onClick={cancelExperiments}>Cancel</Button>
          </>
        ) : (
          <Button onClick={() => requestExperiments(text, want)} disabled={!idle} variant={fresh ? 'secondary' : 'primary'}>
            {fresh ? 'Measure again' : 'Run the experiments'}
          </Button>
        )}
        {!auto && status !== 'running' && <span className="lesson-muted text-xs text-zinc-600 dark:text-zinc-400">A large model: each row re-packs the FFN weights, so it runs when you ask.</span>}
        {status === 'cancelled' && <span className="text-xs">Cancelled.</span>}
        {status === 'error' && error && <span role="alert" className="text-xs text-rose-700 dark:text-rose-300">{error}</span>}
      </div>
      {fresh && status === 'done' && <Conclusion results={results} />}
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm tabular-nums" data-testid="fp8-experiments" data-fresh={fresh && status === 'done' ? 'true' : 'false'}>
          <caption className="sr-only">FP8 experiments: KL divergence and top-1 agreement against {info.storedPrecision}</caption>
          <thead className="text-xs text-zinc-600 dark:text-zinc-400">
            <tr><th scope="col" className="py-1 pr-3">variant</th><th scope="col" className="py-1 pr-3">KL (mean)</th><th scope="col" className="py-1 pr-3">top-1 agrees</th><th scope="col" className="hidden py-1 sm:table-cell">what changes</th></tr>
          </thead>
          <tbody>
            {list.map((x) => {
              const r = fresh || status === 'running' ? results[x.id] : undefined;
              return (
                <tr key={x.id} className="border-t border-zinc-100 dark:border-zinc-800" data-testid={`fp8-exp-${x.id}`}>
                  <th scope="row" className="py-1 pr-3 font-medium sm:whitespace-nowrap">
                    {x.name}
                    {/* on a phone the explanation goes under the name instead of a column of its own */}
                    <span className="lesson-muted block text-xs font-normal text-zinc-600 sm:hidden dark:text-zinc-400">{x.what}</span>
                  </th>
                  <td className="py-1 pr-3" data-testid={`fp8-exp-${x.id}-kl`}>{r ? formatKl(r.kl_mean) : '–'}</td>
                  <td className="py-1 pr-3">{r ? pct(r.top1_agreement) : '–'}</td>
                  <td className="lesson-muted hidden py-1 text-xs text-zinc-600 sm:table-cell dark:text-zinc-400">{x.what}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** What this run says, in one or two sentences built from its numbers. */
function Conclusion({ results }: { results: Record<string, { kl_mean: number }> }) {
  const base = results.recipe?.kl_mean;
  if (base === undefined) return null;
  const others = Object.entries(results).filter(([id]) => id !== 'recipe');
  const names: Record<string, string> = { 'no-bound': 'dropping the 1200 bound', tensor: 'tensor-wise scales', ends: 'FP8 in the first and last layer' };
  const worst = others.reduce<[string, number] | null>((w, [id, r]) => (!w || r.kl_mean > w[1] ? [id, r.kl_mean] : w), null);
  const same = others.filter(([, r]) => r.kl_mean === base).map(([id]) => names[id]);
  return (
    <p className="text-sm" data-testid="fp8-conclusion">
      {worst && worst[1] > base
        ? <>On this text, {names[worst[0]]} hurts most: KL {formatKl(worst[1])}, {(worst[1] / Math.max(base, 1e-30)).toPrecision(2)}× the recipe’s {formatKl(base)}. </>
        : <>On this text, no variant did worse than the recipe (KL {formatKl(base)}). </>}
      {same.length > 0 && <>With {same.join(' and ')} the result is exactly the same as the recipe’s: on this text that choice never came into play{same.includes(names['no-bound']) ? ' (no FFN input row reached 1200; the paper met such rows on rare tokens such as dates)' : ''}.</>}
    </p>
  );
}
