// An answer token by token (OpenAI's logprobs): each token shaded by the probability the model gave it; picking one
// (click, or arrow keys inside the group) lists the alternatives it was chosen over. Text only, never HTML.
import { useRef, useState, type KeyboardEvent } from 'react';
import type { TokenLogprob } from '../../workers/api.ts';
import { BANDS, alternatives, band, perplexity, probability, visible } from '../viz/tokenView.ts';
import { formatFigure } from '../format.ts';
import { focusRing } from './ui.tsx';

const SHADES = [
  'bg-emerald-100 dark:bg-emerald-900/60',
  'bg-lime-100 dark:bg-lime-900/50',
  'bg-amber-100 dark:bg-amber-900/60',
  'bg-rose-200 dark:bg-rose-900/70',
];

const percent = (p: number) => `${(p * 100).toFixed(p >= 0.995 || p < 0.001 ? 1 : 2)}%`;

export function TokenView({ tokens }: { tokens: TokenLogprob[] }) {
  const [picked, setPicked] = useState(0);
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const ppl = perplexity(tokens);
  const move = (e: KeyboardEvent, i: number) => {
    const to = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? tokens.length - 1 : null;
    if (to === null || to < 0 || to >= tokens.length) return;
    e.preventDefault();
    setPicked(to);
    buttons.current[to]?.focus();
  };
  const t = tokens[picked];
  return (
    <div className="flex flex-col gap-2">
      <div role="group" aria-label="Answer tokens" className="font-mono text-[0.85rem] leading-7 whitespace-pre-wrap">
        {tokens.map((x, i) => (
          <button
            key={i}
            ref={(el) => { buttons.current[i] = el; }}
            type="button"
            tabIndex={i === picked ? 0 : -1}
            aria-pressed={i === picked}
            title={percent(probability(x.logprob))}
            onClick={() => setPicked(i)}
            onKeyDown={(e) => move(e, i)}
            className={`rounded-sm px-px text-zinc-900 dark:text-zinc-100 ${SHADES[band(probability(x.logprob))]} ${i === picked ? 'ring-2 ring-indigo-500' : ''} ${focusRing}`}
          >
            {visible(x.text)}
          </button>
        ))}
      </div>
      <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-zinc-600 dark:text-zinc-300">
        {BANDS.map((b, i) => (
          <span key={b.label} className="inline-flex items-center gap-1">
            <span className={`inline-block size-3 rounded-sm ${SHADES[i]}`} aria-hidden="true" />
            {b.label}
          </span>
        ))}
        <span className="tabular-nums">
          {tokens.length} tokens{ppl !== null ? ` · perplexity ${formatFigure(ppl)}` : ''}
        </span>
      </p>
      {t && (
        <table className="w-fit text-xs tabular-nums" aria-label={`Alternatives for token ${picked + 1}`}>
          <caption className="pb-1 text-left text-zinc-600 dark:text-zinc-300">
            Token {picked + 1} of {tokens.length}: what the model could have written there
          </caption>
          <thead>
            <tr className="text-left text-zinc-600 dark:text-zinc-300">
              <th scope="col" className="pr-4 font-medium">Token</th>
              <th scope="col" className="pr-4 text-right font-medium">Probability</th>
              <th scope="col" className="text-right font-medium">Log-probability</th>
            </tr>
          </thead>
          <tbody>
            {alternatives(t).map((a, i) => (
              <tr key={i} className={a.chosen ? 'font-semibold text-indigo-700 dark:text-indigo-300' : 'text-zinc-800 dark:text-zinc-200'}>
                <td className="pr-4 font-mono whitespace-pre">
                  {JSON.stringify(a.text)}
                  {a.chosen && <span className="font-sans font-normal"> (chosen)</span>}
                </td>
                <td className="pr-4 text-right">{percent(a.p)}</td>
                <td className="text-right">{a.logprob.toFixed(3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
