// Quality of the current precision against the precision the model's file stores (bf16 for a BF16 checkpoint, f32
// for an F32 one), measured by the engine on this conversation (teacher-forced): KL(reference || current) per token,
// top-1 agreement, and both perplexities. A small model is re-measured after every answer and every precision
// change; a large one when asked, since a measurement re-reads the tensors the two maps disagree on, twice.
// Earlier maps measured on the same conversation stay listed for comparison.
import { cancelQuality, measureQuality, measuresAutomatically } from '../engine/precision.ts';
import { useEngine } from '../store/engine.ts';
import { useQuant, type QualityProgress, type QualityRecord } from '../store/quant.ts';
import { useSession } from '../store/session.ts';
import { formatBytes, formatFigure } from '../format.ts';
import { Button, Spinner } from './ui.tsx';

export const formatKl = (x: number) => (!Number.isFinite(x) ? '–' : x === 0 ? '0' : x < 1e-3 ? x.toExponential(1) : x.toPrecision(2));
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');

function Figure({ label, value, testId, hint }: { label: string; value: string; testId: string; hint: string }) {
  return (
    <div className="min-w-0 rounded-lg bg-zinc-50 px-2.5 py-1.5 dark:bg-zinc-800/60" title={hint}>
      <dt className="text-[0.7rem] text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="truncate text-lg font-semibold text-zinc-900 tabular-nums dark:text-zinc-50" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

/** A running measurement: its step in words, a bar of steps done, and Cancel. */
function Measuring({ progress }: { progress: QualityProgress | null }) {
  const pctDone = progress && progress.total > 0 ? (100 * progress.done) / progress.total : null;
  const text = progress ? `${progress.step} (step ${Math.min(progress.done + 1, progress.total)} of ${progress.total})` : 'Starting…';
  return (
    <div className="flex items-center gap-2">
      <div className="flex min-w-0 flex-1 flex-col gap-1">
        <div role="progressbar" aria-label="Measuring quality" aria-valuemin={0} aria-valuemax={100}
          aria-valuenow={pctDone === null ? undefined : Math.round(pctDone)} aria-valuetext={text}
          className="h-1.5 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800">
          <div className={`h-full rounded-full bg-indigo-600 transition-[width] dark:bg-indigo-400 ${pctDone === null ? 'w-1/4 animate-pulse' : ''}`}
            style={pctDone === null ? undefined : { width: `${Math.max(4, pctDone)}%` }} />
        </div>
        <p className="truncate text-xs text-zinc-600 dark:text-zinc-400" data-testid="quality-step">{text}</p>
      </div>
      <Button size="sm" onClick={cancelQuality}>Cancel</Button>
    </div>
  );
}

export function QualityCard() {
  const info = useEngine((s) => s.info);
  const loading = useEngine((s) => s.loading);
  const streaming = useSession((s) => s.streamingId !== null);
  const status = useQuant((s) => s.qualityStatus);
  const error = useQuant((s) => s.qualityError);
  const progress = useQuant((s) => s.qualityProgress);
  const pending = useQuant((s) => s.pending);
  const q = useQuant((s) => s.quality);
  const log = useQuant((s) => s.qualityLog);
  const r = q?.result;
  const reference = r?.reference ?? info?.storedPrecision ?? 'stored precision';
  const auto = info ? measuresAutomatically(info) : true;
  // figures of an earlier map or conversation (manual, cancelled, error), kept on show until the next measurement
  const stale = q !== null && status !== 'ready' && status !== 'measuring';
  // the newest measurement of each map on this conversation, in the order they were first measured
  const same = new Map<string, QualityRecord>();
  for (const x of log) if (q && x.conversation === q.conversation && x.model === q.model) same.set(x.key, x);
  const compare = [...same.values()];

  return (
    <section aria-labelledby="quality-title" className="flex min-w-0 flex-col gap-2" data-testid="quality" data-status={status}>
      <div className="flex items-center gap-2">
        <h3 id="quality-title" className="text-xs font-semibold tracking-wide text-zinc-600 uppercase dark:text-zinc-400">
          Quality vs <span className="font-mono normal-case" data-testid="quality-reference">{info?.storedPrecision ?? reference}</span>
        </h3>
        {status === 'measuring' && auto && <Spinner label="Measuring quality" />}
        {q && <span className="ml-auto font-mono text-xs text-zinc-600 dark:text-zinc-400">{q.label} · {q.result.tokens} tokens</span>}
      </div>
      {status === 'empty' || status === 'idle' ? (
        <p className="rounded-lg border border-dashed border-zinc-300 px-3 py-3 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400" data-testid="quality-empty">
          {status === 'idle' ? 'Load a model to measure quality.' : 'Send a message first: quality is measured on the conversation.'}
        </p>
      ) : (
        <>
          {!auto && info && status !== 'measuring' && (
            <div className="flex flex-wrap items-center gap-x-3 gap-y-1.5">
              <Button size="sm" variant={status === 'ready' ? 'secondary' : 'primary'} onClick={() => void measureQuality()}
                disabled={loading !== null || streaming || pending !== null}>
                Measure quality
              </Button>
              <p className="min-w-0 flex-1 text-xs text-zinc-600 dark:text-zinc-400">
                {formatBytes(info.weightBytes)} of weights: a measurement re-reads the FP8/BF16 tensors twice, so it runs when you ask.
              </p>
            </div>
          )}
          {status === 'measuring' && !auto && <Measuring progress={progress} />}
          <dl className={`grid grid-cols-2 gap-1.5 ${status === 'measuring' || stale ? '[&_dd]:text-zinc-600 [&_dd]:italic dark:[&_dd]:text-zinc-300' : ''}`}>
            <Figure label="KL mean" value={r ? formatKl(r.kl_mean) : '–'} testId="quality-kl-mean" hint={`mean per-token KL(${reference} ‖ current), nats`} />
            <Figure label="KL max" value={r ? formatKl(r.kl_max) : '–'} testId="quality-kl-max" hint="largest per-token KL, nats" />
            <Figure label="Top-1 agreement" value={r ? pct(r.top1_agreement) : '–'} testId="quality-top1" hint="positions where both pick the same most likely token" />
            <Figure label="Perplexity" value={r ? `${formatFigure(r.perplexity)}` : '–'} testId="quality-ppl" hint={r ? `${reference} reference: ${formatFigure(r.reference_perplexity)}` : ''} />
          </dl>
          {r && (
            <p className="text-xs text-zinc-600 tabular-nums dark:text-zinc-400" data-testid="quality-reference-ppl">
              <span className="font-mono">{reference}</span> reference perplexity {formatFigure(r.reference_perplexity)} on the same {r.tokens} tokens
              {stale && <> · measured under <span className="font-mono">{q.label}</span>, before the latest change</>}
            </p>
          )}
          {status === 'cancelled' && (
            <p role="status" className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="quality-cancelled">
              Cancelled
            </p>
          )}
          {status === 'error' && <p role="alert" className="text-xs text-rose-700 dark:text-rose-300">{error}</p>}
          {compare.length > 1 && (
            <table className="w-full text-xs tabular-nums" aria-label="Quality of each precision on this conversation">
              <thead className="text-zinc-600 dark:text-zinc-400">
                <tr>
                  <th className="py-0.5 text-left font-medium">precision</th>
                  <th className="text-right font-medium">KL mean</th>
                  <th className="text-right font-medium">top-1</th>
                  <th className="text-right font-medium">ppl</th>
                </tr>
              </thead>
              <tbody>
                {compare.map((x) => (
                  <tr key={x.key} className={x.key === q?.key ? 'font-semibold text-zinc-900 dark:text-zinc-100' : 'text-zinc-600 dark:text-zinc-400'}>
                    <td className="max-w-[8rem] truncate py-0.5 font-mono" title={x.key}>{x.label}</td>
                    <td className="text-right">{formatKl(x.result.kl_mean)}</td>
                    <td className="text-right">{pct(x.result.top1_agreement)}</td>
                    <td className="text-right">{formatFigure(x.result.perplexity)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
