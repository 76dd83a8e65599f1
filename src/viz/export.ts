// The measured figures as files: one JSON with everything, and CSV tables (RFC 4180: comma-separated, CRLF line
// ends, fields with a comma, quote or line break quoted, quotes doubled). Pure; the Export menu turns them into Blobs.
// A text cell that a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage return: a model
// name, a prompt) gets a leading apostrophe, as OWASP's CSV-injection advice says; numbers are written as numbers.
import type { MemoryInfo, TensorNumerics } from '../../workers/api.ts';
import type { QualityRecord } from '../store/quant.ts';
import type { PrecisionSpeed, RunRecord } from '../store/telemetry.ts';

type Cell = string | number | boolean | null | undefined;

function csvField(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : neutralised(String(v));
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const neutralised = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

/** A CSV table; columns default to the keys of the first row. */
export function toCsv(rows: readonly Record<string, Cell>[], columns: readonly string[] = Object.keys(rows[0] ?? {})): string {
  const lines = [columns.map(csvField).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvField(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export interface Measurements {
  generatedAt: string;
  url: string;
  model: {
    name: string; engine: string; adapter: string | null; params: number; nLayers: number; dim: number;
    storedPrecision: string; // what the file stores: the quality reference
    context: number; // positions the KV cache holds
  } | null;
  precision: string | null; // the current map, URL form
  weightBytes: number | null;
  memory: MemoryInfo | null; // bytes the engine holds (host, and GPU buffers on WebGPU)
  runs: RunRecord[];
  speeds: PrecisionSpeed[];
  quality: QualityRecord[];
  numerics: TensorNumerics[];
}

export const measurementsJson = (m: Measurements) => `${JSON.stringify(m, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;

/** Every decode token of every kept answer: its time and rate, with the precision it ran under. */
export function samplesCsv(runs: readonly RunRecord[]): string {
  const rows = runs.flatMap((r) => r.tokenMs.map((ms, i) => ({ run: r.run, model: r.model, precision: r.precision, token: i + 1, ms, tok_s: ms > 0 ? 1000 / ms : null })));
  return toCsv(rows, ['run', 'model', 'precision', 'token', 'ms', 'tok_s']);
}

export function runsCsv(runs: readonly RunRecord[]): string {
  const cols = ['run', 'at', 'model', 'precision', 'label', 'weightBytes', 'finish', 'promptTokens', 'prefillTokens', 'prefillMs', 'prefillTokS',
    'ttftMs', 'decodeTokens', 'decodeMs', 'decodeTokS', 'itlP50Ms', 'itlP95Ms'];
  return toCsv(runs.map((r) => ({ ...r, tokenMs: undefined })) as Record<string, Cell>[], cols);
}

export function speedsCsv(speeds: readonly PrecisionSpeed[]): string {
  return toCsv(speeds as unknown as Record<string, Cell>[],
    ['model', 'precision', 'label', 'weightBytes', 'runs', 'decodeTokens', 'decodeTokS', 'prefillTokens', 'prefillTokS']);
}

export function qualityCsv(log: readonly QualityRecord[]): string {
  const rows = log.map((q) => ({ ...q.result, at: q.at, model: q.model, precision: q.key, label: q.label, conversation: q.conversation }));
  return toCsv(rows, ['at', 'model', 'precision', 'label', 'conversation', 'tokens', 'kl_mean', 'kl_max', 'top1_agreement', 'perplexity', 'reference_perplexity']);
}

export function numericsCsv(numerics: readonly TensorNumerics[]): string {
  return toCsv(numerics as unknown as Record<string, Cell>[], ['label', 'dtype', 'bytes', 'amax', 'scale', 'clipped', 'underflow', 'nan']);
}
