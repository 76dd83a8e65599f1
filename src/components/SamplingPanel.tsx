// Sampling controls (OpenAI request names in the URL: temperature, top_k, top_p, max_tokens, seed, stop, logprobs).
// Every change is mirrored in the address bar, so "Copy link" shares the exact configuration.
import { useId, useState } from 'react';
import { LIMITS, TOP_LOGPROBS, useSettings } from '../store/settings.ts';
import { Button, Panel, focusRing } from './ui.tsx';

const inputClass = `rounded-lg border border-zinc-300 bg-white px-2 py-1 text-sm text-zinc-900 tabular-nums dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100 ${focusRing}`;

/** A number input that keeps what is typed ("0.", "") until it is a valid number, then reports it. */
function NumberBox(props: {
  id: string;
  value: number;
  limits: { min: number; max: number; step: number };
  onChange: (v: number) => void;
  disabled?: boolean;
  describedBy?: string;
  className: string;
}) {
  const [text, setText] = useState<string | null>(null);
  return (
    <input
      id={props.id}
      type="number"
      inputMode="decimal"
      min={props.limits.min}
      max={props.limits.max}
      step={props.limits.step}
      disabled={props.disabled}
      value={text ?? String(props.value)}
      onChange={(e) => {
        setText(e.target.value);
        const v = e.target.valueAsNumber;
        if (Number.isFinite(v)) props.onChange(v);
      }}
      onBlur={() => setText(null)}
      aria-describedby={props.describedBy}
      className={`text-right disabled:opacity-50 ${props.className} ${inputClass}`}
    />
  );
}

/** A slider and a number box bound to one setting; the box keeps what is typed until it is a valid number. */
function NumberField(props: {
  label: string;
  hint: string;
  value: number;
  limits: { min: number; max: number; step: number };
  sliderMax?: number;
  onChange: (v: number) => void;
  disabled?: boolean;
}) {
  const id = useId();
  const { min, max, step } = props.limits;
  return (
    <div className="flex flex-col gap-1">
      <div className="flex items-center justify-between gap-2">
        <label htmlFor={id} className="text-sm font-medium text-zinc-800 dark:text-zinc-200">
          {props.label}
        </label>
        <NumberBox
          id={id}
          limits={props.limits}
          value={props.value}
          disabled={props.disabled}
          onChange={props.onChange}
          describedBy={`${id}-hint`}
          className="w-24"
        />
      </div>
      <input
        type="range"
        aria-label={`${props.label} slider`}
        min={min}
        max={props.sliderMax ?? max}
        step={step}
        disabled={props.disabled}
        value={Math.min(props.value, props.sliderMax ?? max)}
        onChange={(e) => props.onChange(e.target.valueAsNumber)}
        className={`w-full accent-indigo-600 disabled:opacity-50 dark:accent-indigo-400 ${focusRing}`}
      />
      <p id={`${id}-hint`} className="text-xs text-zinc-600 dark:text-zinc-400">
        {props.hint}
      </p>
    </div>
  );
}

/** Stop strings, one per line; "\n" and "\t" stand for a newline and a tab. */
const unescape = (s: string) => s.replace(/\\(n|t|\\)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
const escape = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t');

export function SamplingPanel() {
  const s = useSettings((st) => st.sampling);
  const { setNumber, setRandomSeed, setStop, setLogprobs, reset } = useSettings.getState();
  const [copied, setCopied] = useState(false);
  const stopId = useId();
  const seedId = useId();
  const [stopText, setStopText] = useState<string | null>(null);

  const copyLink = async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  };

  return (
    <Panel
      label="Sampling"
      actions={
        <>
          <Button variant="ghost" size="sm" onClick={copyLink} title="Copy a link with these settings">
            {copied ? 'Copied' : 'Copy link'}
          </Button>
          <Button variant="ghost" size="sm" onClick={reset}>
            Reset
          </Button>
        </>
      }
    >
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-1 xl:grid-cols-2">
        <NumberField
          label="Temperature"
          hint="0 always picks the most likely token"
          value={s.temperature}
          limits={LIMITS.temperature}
          onChange={(v) => setNumber('temperature', v)}
        />
        <NumberField
          label="Top-k"
          hint="sample among the k most likely; 0 = off"
          value={s.topK}
          limits={LIMITS.topK}
          onChange={(v) => setNumber('topK', v)}
        />
        <NumberField
          label="Top-p"
          hint="smallest set with this much probability; 1 = off"
          value={s.topP}
          limits={LIMITS.topP}
          onChange={(v) => setNumber('topP', v)}
        />
        <NumberField
          label="Max tokens"
          hint="length limit of one answer"
          value={s.maxTokens}
          limits={LIMITS.maxTokens}
          sliderMax={2048}
          onChange={(v) => setNumber('maxTokens', v)}
        />
        <div className="flex flex-col gap-1">
          <div className="flex items-center justify-between gap-2">
            <label htmlFor={seedId} className="text-sm font-medium text-zinc-800 dark:text-zinc-200">
              Seed
            </label>
            <NumberBox
              id={seedId}
              limits={LIMITS.seed}
              value={s.seed}
              disabled={s.randomSeed}
              onChange={(v) => setNumber('seed', v)}
              className="w-32"
            />
          </div>
          <label className="flex items-center gap-2 text-sm text-zinc-700 dark:text-zinc-300">
            <input
              type="checkbox"
              checked={s.randomSeed}
              onChange={(e) => setRandomSeed(e.target.checked)}
              className={`size-4 accent-indigo-600 dark:accent-indigo-400 ${focusRing}`}
            />
            Random seed for each answer
          </label>
          <p className="text-xs text-zinc-600 dark:text-zinc-400">same seed and settings, same answer</p>
        </div>
        <div className="flex flex-col gap-1">
          <label className="flex items-center gap-2 text-sm text-zinc-700 dark:text-zinc-300">
            <input
              type="checkbox"
              checked={s.logprobs}
              onChange={(e) => setLogprobs(e.target.checked)}
              className={`size-4 accent-indigo-600 dark:accent-indigo-400 ${focusRing}`}
            />
            Token probabilities (logprobs)
          </label>
          <p className="text-xs text-zinc-600 dark:text-zinc-400">each answer can be shown token by token, with the {TOP_LOGPROBS} likeliest alternatives</p>
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={stopId} className="text-sm font-medium text-zinc-800 dark:text-zinc-200">
            Stop strings
          </label>
          <textarea
            id={stopId}
            rows={2}
            value={stopText ?? s.stop.map(escape).join('\n')}
            onChange={(e) => {
              setStopText(e.target.value);
              setStop(e.target.value.split('\n').filter((x) => x !== '').map(unescape));
            }}
            onBlur={() => setStopText(null)}
            placeholder={'one per line, \\n = newline'}
            aria-describedby={`${stopId}-hint`}
            className={`resize-y font-mono ${inputClass}`}
          />
          <p id={`${stopId}-hint`} className="text-xs text-zinc-600 dark:text-zinc-400">
            generation ends when the text contains one
          </p>
        </div>
      </div>
    </Panel>
  );
}
