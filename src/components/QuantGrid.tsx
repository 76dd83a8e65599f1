// The quantization map's grid: layers as rows, the seven block matrices as columns (wq wk wv wo w1 w3 w2), the
// token embedding above and the output head below. Each cell is a button coloured by its format; a click paints
// it with the brush, a row header paints the layer, a column header the matrix in every layer. The grid is one tab
// stop: arrow keys, Home and End move inside it (ARIA grid pattern, roving tabindex).
import { useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { LinearSpec, ModelInfo } from '../../workers/api.ts';
import { LAYER_MATRICES, matrixShape, type LayerMatrix } from '../../workers/shared.ts';
import { paint } from '../engine/precision.ts';
import { useQuant } from '../store/quant.ts';
import { formatBytes } from '../format.ts';
import { FORMAT_STYLE, formatStyle } from '../viz/precisionStyle.ts';
import type { MapBytes } from '../viz/weightBytes.ts';
import { focusRing } from './ui.tsx';

const COLS = LAYER_MATRICES.length;
const rowClass = 'grid grid-cols-[2.5rem_repeat(7,minmax(0,1fr))] gap-1 sm:grid-cols-[3rem_repeat(7,minmax(0,1fr))_4.5rem]';

/** What a cell says to a screen reader and in its tooltip: "Layer 3 w1: fp8e4m3 with FP8 inputs, 12.3 kB"; a tied
 * head stored like the embedding reads the embedding's rows ("bf16, 0 B: the embedding's rows"). */
/**
 * What a cell says to assistive technology: its visible text first (WCAG 2.5.3, label in name: a voice user says
 * what they see, "bf16 32.8 kB"), then the full format name where the short one differs, and the FP8 inputs.
 */
export function cellText(spec: LinearSpec, bytes: number, shared = false): string {
  const short = FORMAT_STYLE[spec.dtype].short;
  return `${short} ${formatBytes(bytes)}${short !== spec.dtype ? `, ${spec.dtype}` : ''}${spec.act ? ' with FP8 inputs' : ''}${shared ? ': the embedding’s rows' : ''}`;
}

export function QuantGrid({ info, bytes }: { info: ModelInfo; bytes: MapBytes }) {
  const map = info.precision;
  const L = map.layers.length;
  const brush = useQuant((s) => s.brush);
  const fp8Brush = brush.dtype !== 'f32' && brush.dtype !== 'bf16';
  const [active, setActive] = useState<[number, number]>([2, 1]); // the roving tab stop: row, column
  const refs = useRef(new Map<string, HTMLButtonElement>());
  const lastRow = L + 2; // 0 header, 1 embedding, 2..L+1 layers, L+2 head
  const spanning = (r: number) => r === 1 || r === lastRow;

  const reg = (r: number, c: number) => (el: HTMLButtonElement | null) => {
    const cols = spanning(r) ? LAYER_MATRICES.map((_, i) => i + 1) : [c];
    for (const k of cols) {
      if (el) refs.current.set(`${r}:${k}`, el);
      else refs.current.delete(`${r}:${k}`);
    }
  };
  const stop = (r: number, c: number) => (active[0] === r && (spanning(r) || active[1] === c) ? 0 : -1);
  const focusCell = (label: string) => () => useQuant.setState({ focus: label });

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    let [r, c] = active;
    const moves: Record<string, () => void> = {
      ArrowUp: () => (r = Math.max(0, r - 1)),
      ArrowDown: () => (r = Math.min(lastRow, r + 1)),
      ArrowLeft: () => (c = Math.max(0, c - 1)),
      ArrowRight: () => (c = Math.min(COLS, c + 1)),
      Home: () => (c = 0),
      End: () => (c = COLS),
    };
    if (!moves[e.key]) return;
    e.preventDefault();
    moves[e.key]();
    if (c === 0 && (r === 0 || spanning(r))) c = 1; // the corner and the embedding/head row headers are text
    const el = refs.current.get(`${r}:${c}`);
    if (!el) return;
    setActive([r, c]);
    el.focus();
  };

  const cell = (r: number, c: number, label: string, spec: LinearSpec, b: number, name: string, onClick: () => void, disabled = false) => {
    const text = cellText(spec, b, label === 'output' && bytes.outputShared);
    return (
      <button
        type="button"
        ref={reg(r, c)}
        tabIndex={stop(r, c)}
        aria-label={`${name}: ${text}`}
        aria-disabled={disabled || undefined}
        title={disabled ? `${name}: the embedding is a lookup table, f32 or bf16 only` : `${name}: ${text} — click to paint ${brush.dtype}`}
        data-testid={`cell-${label}`}
        data-dtype={spec.dtype}
        onClick={() => {
          setActive([r, c]);
          if (!disabled) onClick();
        }}
        onMouseEnter={focusCell(label)}
        onFocus={() => {
          setActive([r, c]);
          focusCell(label)();
        }}
        style={formatStyle(spec.dtype)}
        className={`relative flex h-9 min-w-0 flex-col items-center justify-center rounded-md font-mono text-[0.7rem] leading-tight font-semibold shadow-[inset_0_0_0_1px_rgba(0,0,0,0.12)] transition-transform hover:scale-[1.04] sm:h-11 sm:text-xs ${disabled ? 'cursor-not-allowed' : ''} ${focusRing}`}
      >
        <span>{FORMAT_STYLE[spec.dtype].short}</span>{' '}
        <span className="hidden text-[0.62rem] font-medium opacity-85 sm:block">{formatBytes(b)}</span>
        {spec.act && <span className="absolute top-0.5 right-0.5 size-1.5 rounded-full bg-current" aria-hidden="true" />}
      </button>
    );
  };

  const header = (r: number, c: number, text: ReactNode, label: string, onClick: () => void, wide = false, title = label) => (
    <button
      type="button"
      ref={reg(r, c)}
      tabIndex={stop(r, c)}
      aria-label={label}
      title={title}
      onFocus={() => setActive([r, c])}
      onClick={() => {
        setActive([r, c]);
        onClick();
      }}
      className={`flex h-9 items-center rounded-md font-mono text-xs font-semibold text-zinc-700 hover:bg-indigo-50 hover:text-indigo-700 sm:h-11 dark:text-zinc-300 dark:hover:bg-indigo-500/15 dark:hover:text-indigo-200 ${wide ? 'justify-start px-1.5' : 'justify-center'} ${focusRing}`}
    >
      {text}
    </button>
  );

  const rowTotal = (n: number) => (
    <span role="gridcell" className="hidden items-center justify-end text-xs text-zinc-600 tabular-nums sm:flex dark:text-zinc-400">{formatBytes(n)}</span>
  );
  const spanRow = (r: number, name: string, label: 'embedding' | 'output', spec: LinearSpec, b: number) => (
    <div role="row" className={rowClass}>
      <span role="rowheader" className="flex items-center font-mono text-[0.7rem] text-zinc-600 dark:text-zinc-400">
        {label === 'embedding' ? 'emb' : 'head'}
      </span>
      <div role="gridcell" aria-colspan={COLS} className="col-span-7 grid">
        {cell(r, 1, label, spec, b, name, () => void paint({ matrix: label }, name), label === 'embedding' && fp8Brush)}
      </div>
      {rowTotal(b)}
    </div>
  );

  return (
    <div role="grid" aria-label="Precision of each weight matrix" aria-rowcount={L + 3} onKeyDown={onKeyDown} className="flex min-w-0 flex-col gap-1">
      <div role="row" className={rowClass}>
        <span role="columnheader" className="flex items-end pb-1 text-[0.65rem] text-zinc-600 dark:text-zinc-400">layer</span>
        {LAYER_MATRICES.map((m, i) => (
          <div role="columnheader" key={m} className="grid">
            {header(0, i + 1, m, `${m} of every layer: paint ${brush.dtype}`, () => void paint({ matrix: m }, `${m} of every layer`), false,
              `${shapeText(info, m)} — click to paint ${brush.dtype} in every layer`)}
          </div>
        ))}
        <span role="columnheader" className="hidden items-end justify-end pb-1 text-[0.65rem] text-zinc-600 sm:flex dark:text-zinc-400">bytes</span>
      </div>
      {spanRow(1, 'Embedding', 'embedding', map.embedding, bytes.embedding)}
      {map.layers.map((row, l) => (
        <div role="row" key={l} className={rowClass}>
          <div role="rowheader" className="grid">
            {header(l + 2, 0, `L${l}`, `L${l}: layer ${l}, every matrix: paint ${brush.dtype}`, () => void paint({ layer: l }, `layer ${l}`), true)}
          </div>
          {LAYER_MATRICES.map((m, i) => (
            <div role="gridcell" key={m} className="grid min-w-0">
              {cell(l + 2, i + 1, `L${l}.${m}`, row[m], bytes.layers[l][m], `Layer ${l} ${m}`, () => void paint({ layer: l, matrix: m }, `layer ${l} ${m}`))}
            </div>
          ))}
          {rowTotal(LAYER_MATRICES.reduce((s, m) => s + bytes.layers[l][m], 0))}
        </div>
      ))}
      {spanRow(lastRow, 'Output head', 'output', map.output, bytes.output)}
    </div>
  );
}

const shapeText = (info: ModelInfo, m: LayerMatrix) => {
  const [n, k] = matrixShape(info.config, m);
  return `${m}: [${n}, ${k}] (rows × inputs)`;
};
