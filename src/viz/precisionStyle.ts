// How each storage format looks in the views: a colour from the Okabe–Ito palette (distinct under the common
// colour-vision deficiencies), a text colour that keeps contrast on it, a pattern as a second cue, and a short
// label printed in every cell (the third cue: the map reads in greyscale too).
import type { WeightDtype } from './weightBytes.ts';

export interface FormatStyle {
  name: string; // as in the code and the aria-labels
  short: string; // printed in a map cell
  long: string; // the legend
  bg: string;
  fg: string;
  pattern: string; // CSS background-image drawn over bg ('none': solid)
}

const line = (a: number) => `rgba(0,0,0,${a})`;

export const FORMAT_STYLE: Record<WeightDtype, FormatStyle> = {
  f32: { name: 'f32', short: 'f32', long: 'f32 (4 B)', bg: '#0072B2', fg: '#ffffff', pattern: 'none' },
  bf16: {
    name: 'bf16', short: 'bf16', long: 'bf16 (2 B)', bg: '#56B4E9', fg: '#0b2233',
    pattern: `repeating-linear-gradient(135deg, transparent 0 5px, ${line(0.14)} 5px 7px)`,
  },
  fp8e4m3: {
    name: 'fp8e4m3', short: 'e4m3', long: 'fp8 e4m3 (1 B)', bg: '#E69F00', fg: '#1f1400',
    pattern: `radial-gradient(${line(0.2)} 1.2px, transparent 1.6px)`,
  },
  fp8e5m2: {
    name: 'fp8e5m2', short: 'e5m2', long: 'fp8 e5m2 (1 B)', bg: '#CC79A7', fg: '#230a18',
    pattern: `repeating-linear-gradient(45deg, transparent 0 4px, ${line(0.16)} 4px 5.5px), repeating-linear-gradient(135deg, transparent 0 4px, ${line(0.16)} 4px 5.5px)`,
  },
};

/** Inline style of a swatch or cell of one format. */
export function formatStyle(dtype: WeightDtype): { backgroundColor: string; backgroundImage: string; backgroundSize?: string; color: string } {
  const s = FORMAT_STYLE[dtype];
  return {
    backgroundColor: s.bg,
    backgroundImage: s.pattern,
    backgroundSize: dtype === 'fp8e4m3' ? '6px 6px' : undefined,
    color: s.fg,
  };
}

export const FORMATS: WeightDtype[] = ['f32', 'bf16', 'fp8e4m3', 'fp8e5m2'];
