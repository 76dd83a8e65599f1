// A row of real weights (the chosen token's embedding row, as the model stores it) put into FP8 E4M3 three ways:
// as is, with one scale for the whole matrix (its amax, from the engine's numerics), and with one scale for this
// row (the Llama 3 recipe, §6.2). The encode is the engine's own (workers/quant/scale.ts encodeRow).
import { decodeFp8, absMax, clampAmax, countRow, dequantFactor, encodeRow } from '../../../workers/shared.ts';
import { Bars } from '../charts/Bars.tsx';
import { LinePlot } from '../charts/LinePlot.tsx';
import { Figure, Figures, SubHeading, ValuesTable } from '../ui.tsx';

interface Scaled {
  name: string;
  amax: number;
  back: Float32Array;
  underflow: number;
  clipped: number;
  error: number; // relative RMS error
}

/** Encode x to E4M3 with the scale that maps `amax` to 448, then decode and undo the scale. */
export function roundTrip(name: string, x: Float32Array, amax: number): Scaled {
  const a = clampAmax(amax, null);
  const codes = new Uint8Array(x.length);
  encodeRow(x, 0, x.length, a, 'fp8e4m3', codes, 0);
  const d = dequantFactor(a, 'fp8e4m3');
  const back = Float32Array.from(codes, (c) => decodeFp8(c, 'fp8e4m3') * d);
  const counts = { underflow: 0, clipped: 0 };
  countRow(x, 0, x.length, a, codes, 0, counts);
  let num = 0, den = 0;
  for (let i = 0; i < x.length; i++) { num += (back[i] - x[i]) ** 2; den += x[i] ** 2; }
  return { name, amax: a, back, ...counts, error: den > 0 ? Math.sqrt(num / den) : 0 };
}

/** How many values of x have log2|x| in each half-octave bin from `lo` up (zeros left out). */
function log2Histogram(x: ArrayLike<number>, lo: number, hi: number): number[] {
  const counts = new Array<number>(Math.round((hi - lo) * 2)).fill(0);
  for (let i = 0; i < x.length; i++) {
    if (x[i] === 0) continue;
    const b = Math.floor((Math.log2(Math.abs(x[i])) - lo) * 2);
    counts[Math.max(0, Math.min(counts.length - 1, b))]++;
  }
  return counts;
}

/** Nonzero values below E4M3's smallest normal number, 2^-6 = 1/64. */
const coarse = (x: ArrayLike<number>) => Array.from(x).filter((v) => v !== 0 && Math.abs(v) < 2 ** -6).length;
const pctText = (x: number) => `${(100 * x).toFixed(1)}%`;
const E4M3_LOG2_MAX = Math.log2(448);

export function Fp8Rows({ row, tokenId, who, tensorAmax }: { row: Float32Array; tokenId: number; who: string; tensorAmax: number | null }) {
  const ways = [
    roundTrip('no scale', row, 448),
    ...(tensorAmax !== null ? [roundTrip('one scale per matrix', row, tensorAmax)] : []),
    roundTrip('one scale per row (Llama 3)', row, absMax(row)),
  ];
  const none = ways[0], rowWise = ways.at(-1)!;
  const scale = 448 / rowWise.amax;
  const scaled = Float32Array.from(row, (v) => v * scale);
  // magnitudes before and after the row's scale, on a log2 axis with E4M3's regions marked
  const lo = Math.floor(Math.min(-12, ...Array.from(row, (v) => (v === 0 ? 0 : Math.log2(Math.abs(v))))));
  const hi = 10;
  const centres = Array.from({ length: (hi - lo) * 2 }, (_, k) => lo + (k + 0.5) / 2);
  return (
    <div className="flex flex-col gap-2">
      <SubHeading>Real weights: row {tokenId} of the embedding ({who}) in E4M3</SubHeading>
      <p className="lesson-muted text-sm text-zinc-600 dark:text-zinc-400" data-testid="fp8-row-summary">
        Put into E4M3 as they are, {coarse(row)} of these {row.length} weights lie below 1/64, where E4M3’s steps get coarse; {none.underflow} turn{none.underflow === 1 ? 's' : ''} into
        zero and the row is off by {pctText(none.error)}. Multiplied first by the row’s <b>scale</b>, 448 ÷ {rowWise.amax.toPrecision(3)} = {scale.toPrecision(4)},
        the largest lands on 448 and the rest move up with it: {coarse(scaled)} below 1/64, {rowWise.underflow} zero, off by {pctText(rowWise.error)}. The scale
        is kept (one number per row) to divide by after.
      </p>
      <div className="grid min-w-0 grid-cols-1 gap-4 lg:grid-cols-2">
        <LinePlot label={`How many weights of the row have each size, before and after multiplying by the row's scale ${scale.toPrecision(4)}, on E4M3's ranges`}
          xLabel="size of the weight, log₂|w| (−6 is 1/64)" yLabel="weights"
          series={[
            { name: 'before scaling', x: centres, y: log2Histogram(row, lo, hi), color: '#a1a1aa' },
            { name: `after × ${scale.toPrecision(4)}`, x: centres, y: log2Histogram(scaled, lo, hi), color: '#4f46e5' },
          ]}
          bands={[
            { from: lo, to: -10, label: '→ 0', color: '#e11d48' },
            { from: -10, to: -6, label: 'coarse', color: '#f59e0b' },
            { from: -6, to: E4M3_LOG2_MAX, label: 'E4M3 normal range', color: '#10b981' },
            { from: E4M3_LOG2_MAX, to: hi, label: 'clipped', color: '#e11d48' },
          ]}
          xDomain={[lo, hi]} testId="fp8-row-plot" />
        <div className="flex flex-col gap-2">
          <Bars label="Relative error of the row after the round trip, per scaling" labelClass="w-36 sm:w-48" testId="fp8-row-errors"
            bars={ways.map((w) => ({ key: w.name, label: w.name, value: w.error, text: pctText(w.error), strong: w === rowWise }))} />
          <Figures className="!grid-cols-2">
            <Figure label="Row’s largest |value|" value={rowWise.amax.toPrecision(3)} note={tensorAmax !== null ? `whole matrix: ${tensorAmax.toPrecision(3)}` : undefined} />
            <Figure label="Weights lost to zero" value={<span data-testid="fp8-row-underflow">{ways.map((w) => w.underflow).join(' / ')}</span>} note={ways.map((w) => w.name).join(' / ')} />
          </Figures>
        </div>
      </div>
      <ValuesTable caption="The row before and after" columns={['index', 'original', 'scaled', ...ways.map((w) => w.name)]}
        rows={Array.from({ length: Math.min(64, row.length) }, (_, i) => [i, row[i].toPrecision(4), scaled[i].toPrecision(4), ...ways.map((w) => w.back[i].toPrecision(4))])} />
    </div>
  );
}
