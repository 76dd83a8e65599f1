// Quality of the current precision against f32, measured by the engine on this conversation (teacher-forced):
// KL(f32 || current) per token, top-1 agreement, and both perplexities. Re-measured after every answer and every
// precision change; earlier maps measured on the same conversation stay listed for comparison.
import { useQuant, type QualityRecord } from '../store/quant.ts';
import { formatFigure } from '../format.ts';
import { Spinner } from './ui.tsx';

export const formatKl = (x: number) => (!Number.isFinite(x) ? '–' : x === 0 ? '0' : x < 1e-3 ? x.toExponential(1) : x.toPrecision(2));
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');

function Figure({ label, value, testId, hint }: { label: string; value: string; testId: string; hint: string }) {
  return (
    <div className="min-w-0 rounded-lg bg-zinc-50 px-2.5 py-1.5 dark:bg-zinc-800/60" title={hint}>
      <dt className="text-[0.7rem] text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="truncate text-lg font-semibold text-zinc-900 tabular-nums dark:text-zinc-50" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

export function QualityCard() {
  const status = useQuant((s) => s.qualityStatus);
  const error = useQuant((s) => s.qualityError);
  const q = useQuant((s) => s.quality);
  const log = useQuant((s) => s.qualityLog);
  const r = q?.result;
  // the newest measurement of each map on this conversation, in the order they were first measured
  const same = new Map<string, QualityRecord>();
  for (const x of log) if (q && x.conversation === q.conversation) same.set(x.key, x);
  const compare = [...same.values()];

  return (
    <section aria-labelledby="quality-title" className="flex min-w-0 flex-col gap-2" data-testid="quality" data-status={status}>
      <div className="flex items-center gap-2">
        <h3 id="quality-title" className="text-xs font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400">
          Quality vs f32
        </h3>
        {status === 'measuring' && <Spinner label="Measuring quality" />}
        {q && <span className="ml-auto font-mono text-xs text-zinc-500 dark:text-zinc-400">{q.label} · {q.result.tokens} tokens</span>}
      </div>
      {status === 'empty' || status === 'idle' ? (
        <p className="rounded-lg border border-dashed border-zinc-300 px-3 py-3 text-sm text-zinc-500 dark:border-zinc-700 dark:text-zinc-400" data-testid="quality-empty">
          {status === 'idle' ? 'Load a model to measure quality.' : 'Send a message first: quality is measured on the conversation.'}
        </p>
      ) : (
        <>
          <dl className={`grid grid-cols-2 gap-1.5 transition-opacity ${status === 'measuring' ? 'opacity-60' : ''}`}>
            <Figure label="KL mean" value={r ? formatKl(r.kl_mean) : '–'} testId="quality-kl-mean" hint="mean per-token KL(f32 ‖ current), nats" />
            <Figure label="KL max" value={r ? formatKl(r.kl_max) : '–'} testId="quality-kl-max" hint="largest per-token KL, nats" />
            <Figure label="Top-1 agreement" value={r ? pct(r.top1_agreement) : '–'} testId="quality-top1" hint="positions where both pick the same most likely token" />
            <Figure label="Perplexity" value={r ? `${formatFigure(r.perplexity)}` : '–'} testId="quality-ppl" hint={r ? `f32 reference: ${formatFigure(r.reference_perplexity)}` : ''} />
          </dl>
          {r && <p className="text-xs text-zinc-500 tabular-nums dark:text-zinc-400">f32 reference perplexity {formatFigure(r.reference_perplexity)} on the same {r.tokens} tokens</p>}
          {status === 'error' && <p role="alert" className="text-xs text-rose-700 dark:text-rose-300">{error}</p>}
          {compare.length > 1 && (
            <table className="w-full text-xs tabular-nums" aria-label="Quality of each precision on this conversation">
              <thead className="text-zinc-500 dark:text-zinc-400">
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
