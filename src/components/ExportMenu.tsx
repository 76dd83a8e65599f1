// "Export": the measured figures as files, made in the page (Blob + a download link; nothing leaves the machine).
// A menu button (ARIA menu pattern): Enter/Space/ArrowDown opens it, arrows move, Escape closes.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { precisionKey } from '../engine/precision.ts';
import { useEngine } from '../store/engine.ts';
import { useQuant } from '../store/quant.ts';
import { runs, speedsByPrecision } from '../store/telemetry.ts';
import { measurementsJson, numericsCsv, qualityCsv, runsCsv, samplesCsv, speedsCsv, type Measurements } from '../viz/export.ts';
import { Button, focusRing } from './ui.tsx';

function snapshot(): Measurements {
  const info = useEngine.getState().info;
  const q = useQuant.getState();
  const key = info ? precisionKey(info.precision) : null;
  return {
    generatedAt: new Date().toISOString(),
    url: location.href,
    model: info && {
      name: info.name, engine: info.engine, adapter: info.adapter, params: info.params, nLayers: info.config.nLayers, dim: info.config.dim,
      storedPrecision: info.storedPrecision, context: info.context,
    },
    precision: key,
    weightBytes: info?.weightBytes ?? null,
    memory: info?.memory ?? null,
    runs: runs.slice(),
    speeds: speedsByPrecision(),
    quality: q.qualityLog.slice(),
    numerics: q.numericsKey === key && q.numerics ? q.numerics.slice() : [],
  };
}

const ITEMS: { label: string; file: string; type: string; make: (m: Measurements) => string }[] = [
  { label: 'All measurements (JSON)', file: 'measurements.json', type: 'application/json', make: measurementsJson },
  { label: 'Throughput samples (CSV)', file: 'throughput-samples.csv', type: 'text/csv', make: (m) => samplesCsv(m.runs) },
  { label: 'Answers: prefill, TTFT, decode (CSV)', file: 'answers.csv', type: 'text/csv', make: (m) => runsCsv(m.runs) },
  { label: 'Speed by precision (CSV)', file: 'speed-by-precision.csv', type: 'text/csv', make: (m) => speedsCsv(m.speeds) },
  { label: 'Quality vs stored precision (CSV)', file: 'quality.csv', type: 'text/csv', make: (m) => qualityCsv(m.quality) },
  { label: 'Numerics per tensor (CSV)', file: 'numerics.csv', type: 'text/csv', make: (m) => numericsCsv(m.numerics) },
];

function download(file: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function ExportMenu() {
  const [open, setOpen] = useState(false);
  const id = useId();
  const button = useRef<HTMLButtonElement>(null);
  const items = useRef<(HTMLButtonElement | null)[]>([]);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    items.current[0]?.focus();
    const outside = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const onMenuKey = (e: KeyboardEvent) => {
    const list = items.current.filter((x): x is HTMLButtonElement => !!x);
    const i = list.indexOf(document.activeElement as HTMLButtonElement);
    const go = (j: number) => list[(j + list.length) % list.length]?.focus();
    if (e.key === 'Escape') close();
    else if (e.key === 'ArrowDown') go(i + 1);
    else if (e.key === 'ArrowUp') go(i - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(list.length - 1);
    else if (e.key === 'Tab') setOpen(false);
    else return;
    if (e.key !== 'Tab') e.preventDefault();
  };

  return (
    <div ref={root} className="relative">
      <Button ref={button} variant="secondary" size="sm" aria-haspopup="menu" aria-expanded={open} aria-controls={id}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setOpen(true);
          }
        }}>
        Export <span aria-hidden="true">▾</span>
      </Button>
      {open && (
        <div id={id} role="menu" aria-label="Export measurements" onKeyDown={onMenuKey}
          className="absolute right-0 z-30 mt-1.5 w-72 rounded-xl border border-zinc-200 bg-white p-1 shadow-lg dark:border-zinc-700 dark:bg-zinc-900">
          {ITEMS.map((it, i) => (
            <button key={it.file} ref={(el) => { items.current[i] = el; }} type="button" role="menuitem" tabIndex={-1}
              onClick={() => {
                download(it.file, it.type, it.make(snapshot()));
                close();
              }}
              className={`block w-full rounded-lg px-3 py-1.5 text-left text-sm text-zinc-800 hover:bg-zinc-100 focus:bg-zinc-100 dark:text-zinc-100 dark:hover:bg-zinc-800 dark:focus:bg-zinc-800 ${focusRing}`}>
              {it.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
