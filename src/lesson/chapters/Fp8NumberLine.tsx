// The FP8 chapter's number line: a value typed in, its E4M3, E5M2 and BF16 encodings (sign / exponent / mantissa
// bits, decoded value, relative error), the representable numbers around it on one scale, and the very line
// `cli quant` prints for it (the same encoders: math/fp8bits.ts).
import { useId } from 'react';
import { FP8_TABLE } from '../../../workers/shared.ts';
import { focusRing } from '../../components/ui.tsx';
import { useWidth } from '../charts/useWidth.ts';
import { NUMBER_FORMATS, encodeValue, gridBetween, parseValue, type Encoding, type NumberFormat } from '../math/fp8bits.ts';
import { useLesson } from '../store.ts';

const E5M2_GRID = Array.from(FP8_TABLE.fp8e5m2).filter(Number.isFinite).sort((a, b) => a - b);

/** A window on the number line around v: two E5M2 steps (the coarsest grid) either side. */
function windowAround(v: number): [number, number] {
  const i = E5M2_GRID.findIndex((x) => x >= v);
  if (i < 0) return [E5M2_GRID.at(-3)!, v + (v - E5M2_GRID.at(-3)!) * 0.1];
  const lo = E5M2_GRID[Math.max(0, i - 2)], hi = E5M2_GRID[Math.min(E5M2_GRID.length - 1, i + 1)];
  return [Math.min(lo, v), Math.max(hi, v)];
}

export const showNumber = (x: number) => (Number.isNaN(x) ? 'NaN' : String(x));
const relText = (e: Encoding) => (Number.isNaN(e.relError) ? '–' : e.relError === 0 ? '0 (exact)' : `${(100 * e.relError).toPrecision(3)}%`);

export function Fp8NumberLine() {
  const raw = useLesson((s) => s.value);
  const id = useId();
  const v = parseValue(raw);
  const encodings = v === null ? [] : NUMBER_FORMATS.map((f) => ({ ...f, e: encodeValue(v, f.format) }));
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor={id} className="text-sm font-semibold text-zinc-800 dark:text-zinc-200">Value</label>
        <input id={id} type="text" inputMode="decimal" value={raw} spellCheck={false} onChange={(e) => useLesson.getState().set({ value: e.target.value })}
          aria-invalid={v === null} aria-describedby={`${id}-hint`}
          className={`w-40 rounded-lg border border-zinc-300 bg-white px-2 py-1.5 font-mono text-base text-zinc-900 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100 ${focusRing}`} />
        <span id={`${id}-hint`} className="lesson-muted text-xs text-zinc-600 dark:text-zinc-400">
          {v === null ? 'Type a number (1.5, -0.003, 1e4, inf, nan).' : 'Try 1.0625, 448, 500, 0.001, 1e-9, 60000.'}
        </span>
      </div>
      {v !== null && (
        <div className="grid min-w-0 grid-cols-1 gap-3 xl:grid-cols-3" data-testid="fp8-encodings">
          {encodings.map(({ format, cli, name, e }) => (
            <section key={format} aria-label={`${name} encoding`} className="flex min-w-0 flex-col gap-2 rounded-xl border border-zinc-200 p-3 dark:border-zinc-700">
              <h5 className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">{name}</h5>
              <Bits e={e} />
              <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-0.5 text-sm tabular-nums">
                <dt className="lesson-muted text-zinc-600 dark:text-zinc-400">code</dt>
                <dd className="font-mono" data-testid={`quant-${cli}-code`} data-code={e.code}>{e.hex} ({e.code})</dd>
                <dt className="lesson-muted text-zinc-600 dark:text-zinc-400">stored value</dt>
                <dd className="font-mono font-semibold" data-testid={`quant-${cli}-decoded`}>{showNumber(e.decoded)}</dd>
                <dt className="lesson-muted text-zinc-600 dark:text-zinc-400">relative error</dt>
                <dd data-testid={`quant-${cli}-error`}>{relText(e)}</dd>
              </dl>
              {Number.isFinite(v) && <Line v={v} format={format} decoded={e.decoded} name={name} />}
              <div className="min-w-0 text-xs">
                <p className="lesson-muted text-zinc-600 dark:text-zinc-400">The command line says the same:</p>
                <pre className="rounded bg-zinc-100 px-2 py-1 font-mono break-all whitespace-pre-wrap dark:bg-zinc-800"><span className="select-none opacity-60">$ </span>echo {raw.trim()} | npm run -s cli -- quant --format {cli}{'\n'}<code data-testid={`quant-${cli}`}>{e.cliLine}</code></pre>
              </div>
            </section>
          ))}
        </div>
      )}
    </div>
  );
}

/** The code's bits: sign, exponent, mantissa, each group in its colour. */
function Bits({ e }: { e: Encoding }) {
  const groups = [
    { bits: e.sign, name: 'sign', cls: 'bg-rose-100 text-rose-900 dark:bg-rose-500/20 dark:text-rose-100' },
    { bits: e.exponent, name: `exponent (bias ${e.bias})`, cls: 'bg-sky-100 text-sky-900 dark:bg-sky-500/20 dark:text-sky-100' },
    { bits: e.mantissa, name: 'mantissa', cls: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-500/20 dark:text-emerald-100' },
  ];
  return (
    <p className="flex flex-wrap gap-1" aria-label={`bits: sign ${e.sign}, exponent ${e.exponent}, mantissa ${e.mantissa}`} data-testid="fp8-bits">
      {groups.map((g) => (
        <span key={g.name} className="flex flex-col items-center">
          <span className={`rounded px-1 font-mono text-base tracking-[0.2em] ${g.cls}`}>{g.bits}</span>
          <span className="lesson-muted text-[0.65rem] text-zinc-600 dark:text-zinc-400">{g.name}</span>
        </span>
      ))}
    </p>
  );
}

/** The representable numbers of one format near v, on the shared scale; v in red, where it lands as a dot. */
function Line({ v, format, decoded, name }: { v: number; format: NumberFormat; decoded: number; name: string }) {
  const [ref, width] = useWidth<HTMLDivElement>(300);
  const [lo, hi] = windowAround(v);
  const grid = gridBetween(lo, hi, format);
  const h = 46, pad = 10;
  const x = (t: number) => pad + ((t - lo) / (hi - lo || 1)) * (width - 2 * pad);
  const inside = decoded >= lo && decoded <= hi;
  return (
    <div ref={ref} className="min-w-0">
      <svg role="img" width={width} height={h} className="block text-zinc-700 dark:text-zinc-300"
        aria-label={`${name} numbers between ${lo} and ${hi}: ${grid ? `${grid.length} of them` : 'too many to draw'}; ${v} is stored as ${decoded}`}>
        <line x1={pad} x2={width - pad} y1={24} y2={24} stroke="currentColor" opacity={0.4} />
        {grid
          ? grid.map((t) => <line key={t} x1={x(t)} x2={x(t)} y1={17} y2={31} stroke="currentColor" opacity={grid.length > 60 ? 0.35 : 0.8} />)
          : <rect x={pad} y={18} width={width - 2 * pad} height={12} fill="currentColor" opacity={0.15} />}
        {inside
          ? <circle cx={x(decoded)} cy={24} r={5} fill="#4f46e5" />
          : <text x={decoded < lo ? pad : width - pad} y={12} fontSize={10} fill="#4f46e5" textAnchor={decoded < lo ? 'start' : 'end'}>{decoded < lo ? '←' : '→'} {decoded}</text>}
        <line x1={x(v)} x2={x(v)} y1={10} y2={38} stroke="#e11d48" strokeWidth={2} />
        <text x={pad} y={h - 2} fontSize={10} fill="currentColor">{shortNum(lo)}</text>
        <text x={width - pad} y={h - 2} fontSize={10} fill="currentColor" textAnchor="end">{shortNum(hi)}</text>
      </svg>
      <p className="lesson-muted text-[0.7rem] text-zinc-600 dark:text-zinc-400">
        ticks: numbers {name} can store here{grid ? ` (${grid.length})` : ' (too many to draw)'}; red: your value; dot: what is stored
      </p>
    </div>
  );
}

const shortNum = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(2) : String(Number(x.toPrecision(4))));
