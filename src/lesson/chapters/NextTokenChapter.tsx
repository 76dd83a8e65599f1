// Chapter 6: the next token. The model's last position gives one score (logit) per vocabulary entry; softmax turns
// them into probabilities, and temperature, top-k and top-p reshape them before one is drawn (the sampler's rules,
// math/sampling.ts; the draws use the engine's own Sampler). The logit lens (nostalgebraist, 2020) reads the
// residual stream after every layer through the final norm and head: where the answer forms.
import { useId, useState } from 'react';
import { Sampler } from '../../../workers/shared.ts';
import { Button, focusRing } from '../../components/ui.tsx';
import { useEngine } from '../../store/engine.ts';
import { LIMITS, useSettings } from '../../store/settings.ts';
import { Bars } from '../charts/Bars.tsx';
import { samplingDistribution } from '../math/sampling.ts';
import { guessKind, pieceLabel } from '../pieces.ts';
import { useTrace } from '../useTrace.ts';
import { EngineState, Figure, Figures, NeedsModel, Prose, SubHeading, TryThis } from '../ui.tsx';

const SHOWN = 12;
const pct = (p: number) => (p >= 0.001 || p === 0 ? `${(100 * p).toFixed(1)}%` : `${(100 * p).toExponential(0)}%`);

export function NextTokenChapter() {
  const info = useEngine((s) => s.info);
  const sampling = useSettings((s) => s.sampling);
  const trace = useTrace(info ? { logits: true, logitLens: { topK: SHOWN } } : null);
  const [draws, setDraws] = useState<{ key: string; ids: number[] } | null>(null);
  if (!info) return <NeedsModel />;
  const t = trace.value;
  const lens = t?.logitLens ?? null;
  const logits = t?.logits ?? null;
  const top = lens?.at(-1)?.top ?? [];
  const kind = guessKind([...(t?.tokens ?? []), ...top].map((x) => x.text));
  const params = { temperature: sampling.temperature, topK: sampling.topK, topP: sampling.topP };
  const dist = logits ? samplingDistribution(logits, params) : null;
  const name = (id: number) => {
    const hit = top.find((x) => x.id === id);
    return hit ? pieceLabel(hit.text, kind) : `id ${id}`;
  };
  const last = t ? pieceLabel(t.tokens.at(-1)!.text, kind) : '';
  const drawKey = `${trace.valueKey}|${JSON.stringify(params)}`;
  const draw = () => {
    if (!logits) return;
    const sampler = new Sampler(params, crypto.getRandomValues(new Uint32Array(1))[0]);
    setDraws({ key: drawKey, ids: Array.from({ length: 20 }, () => sampler.sample(logits)) });
  };
  const tally = draws && draws.key === drawKey ? countOf(draws.ids) : null;

  return (
    <>
      <Prose>
        <p>
          After the last layer, the model scores every one of its {info.config.vocabSize.toLocaleString('en-US')} tokens: how well would it
          come next after “{last}”? Softmax turns the scores into probabilities. Then three knobs reshape them before one token
          is drawn: <b>temperature</b> (below 1 sharpens, above 1 flattens, 0 always takes the top one), <b>top-k</b> (keep only the k
          most likely) and <b>top-p</b> (keep the most likely until they add up to p). The chat uses the same settings.
        </p>
      </Prose>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
        <Slider label="Temperature" value={sampling.temperature} limits={LIMITS.temperature} max={2} onChange={(v) => useSettings.getState().setNumber('temperature', v)} />
        <Slider label="Top-k" value={sampling.topK} limits={LIMITS.topK} max={50} onChange={(v) => useSettings.getState().setNumber('topK', v)} note={sampling.topK === 0 ? 'off' : undefined} />
        <Slider label="Top-p" value={sampling.topP} limits={LIMITS.topP} max={1} onChange={(v) => useSettings.getState().setNumber('topP', v)} note={sampling.topP >= 1 ? 'off' : undefined} />
      </div>
      <EngineState busy={trace.busy} error={trace.error} what="the next-token scores" />
      {dist && (
        <div className="grid min-w-0 grid-cols-1 gap-5 lg:grid-cols-2">
          <div className="flex min-w-0 flex-col gap-2">
            <SubHeading>What comes after “{last}”: the {SHOWN} most likely tokens</SubHeading>
            <Bars label="Next-token probabilities after temperature, top-k and top-p" testId="next-bars" max={Math.max(...top.map((x) => Math.max(dist.final[x.id], dist.base[x.id])))}
              bars={top.map((x) => ({
                key: x.id, label: pieceLabel(x.text, kind), value: dist.final[x.id], ghost: dist.base[x.id], muted: dist.final[x.id] === 0,
                text: dist.final[x.id] === 0 ? 'cut' : pct(dist.final[x.id]),
              }))} />
            <p className="lesson-muted text-xs text-zinc-600 dark:text-zinc-400">Grey behind: the model’s own probability (temperature 1, nothing cut). Colour: what the sampler draws from now.</p>
            <Figures className="!grid-cols-2">
              <Figure label="Tokens that can be drawn" value={<span data-testid="next-kept">{dist.kept.toLocaleString('en-US')}</span>} note={`of ${logits!.length.toLocaleString('en-US')}`} />
              <Figure label="Most likely" value={<span data-testid="next-top">{pieceLabel(top[0]?.text ?? '', kind)}</span>} note={top[0] ? `${pct(dist.base[top[0].id])} before the knobs, ${pct(dist.final[top[0].id])} after` : undefined} strong />
            </Figures>
            <div className="flex flex-wrap items-center gap-2">
              <Button onClick={draw}>Draw 20 tokens</Button>
              {tally && (
                <p className="text-sm" data-testid="next-draws" aria-live="polite">
                  {tally.map(([id, k]) => `${name(id)} ×${k}`).join(', ')}
                </p>
              )}
            </div>
          </div>
          {lens && (
            <div className="flex min-w-0 flex-col gap-2">
              <SubHeading>Logit lens: what each layer would say</SubHeading>
              <div className="overflow-x-auto">
                <table className="w-full text-left text-xs tabular-nums" data-testid="logit-lens">
                  <caption className="lesson-muted mb-1 text-left text-xs text-zinc-600 dark:text-zinc-400">The residual stream after each layer, read through the final norm and the output head: the top 3 guesses.</caption>
                  <thead><tr><th scope="col" className="px-1.5 py-1">after</th><th scope="col" className="px-1.5 py-1" colSpan={3}>top guesses</th></tr></thead>
                  <tbody>
                    {lens.map((row) => (
                      <tr key={row.layer} className="border-t border-zinc-100 dark:border-zinc-800">
                        <th scope="row" className="px-1.5 py-1 font-normal whitespace-nowrap">layer {row.layer}{row.layer === lens.length - 1 ? ' (output)' : ''}</th>
                        {row.top.slice(0, 3).map((x) => (
                          <td key={x.id} className="px-1.5 py-1">
                            <span className="font-mono">{pieceLabel(x.text, kind)}</span>{' '}
                            <span className="lesson-muted text-zinc-600 dark:text-zinc-400">{pct(x.prob)}</span>
                            <span className="mt-0.5 block h-1 rounded bg-indigo-600 dark:bg-indigo-400" style={{ width: `${Math.max(2, 100 * x.prob)}%` }} aria-hidden="true" />
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          )}
        </div>
      )}
      <TryThis>
        Set temperature to 0: one bar takes everything. Raise it to 1.5: the bars even out. Now set top-k to 3 and watch
        the rest get cut; press Draw and count. Then change the text and see which layer first gets the answer right.
      </TryThis>
    </>
  );
}

function countOf(ids: number[]): [number, number][] {
  const m = new Map<number, number>();
  for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => b[1] - a[1]);
}

function Slider(props: { label: string; value: number; limits: { min: number; step: number }; max: number; onChange: (v: number) => void; note?: string }) {
  const id = useId();
  return (
    <div className="flex flex-col gap-1">
      <div className="flex items-baseline justify-between gap-2">
        <label htmlFor={id} className="text-sm font-medium text-zinc-800 dark:text-zinc-200">{props.label}</label>
        <output htmlFor={id} className="font-mono text-sm tabular-nums">{props.note ?? props.value}</output>
      </div>
      <input id={id} type="range" min={props.limits.min} max={props.max} step={props.limits.step} value={Math.min(props.value, props.max)}
        onChange={(e) => props.onChange(e.target.valueAsNumber)} className={`w-full accent-indigo-600 dark:accent-indigo-400 ${focusRing}`} />
    </div>
  );
}
