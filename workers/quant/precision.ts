// Precision maps: which format every linear layer uses. Presets follow docs/precision.md (the Llama 3 FP8 recipe,
// arXiv:2407.21783 §6.2: w1/w3/w2 of all but the first and last layer in FP8 E4M3 with row-wise scales, their
// inputs FP8 per token row with amax bounded by 1200; everything else BF16). Overrides edit a cell, a row (layer),
// a column (matrix), the embedding or the head. Maps travel in URLs as short strings (encodeMap / decodeMap).
import { LAYER_MATRICES, type LayerMatrix } from '../model/weights.ts';
import { PRESETS, WEIGHT_DTYPES, type LinearSpec, type PrecisionMap, type PrecisionOverride, type PresetName } from './types.ts';

const F32: LinearSpec = { dtype: 'f32', scale: 'row', act: null, actBound: null, bf16Rounding: 'nearest' };
const BF16: LinearSpec = { ...F32, dtype: 'bf16' };
/** The Llama 3 recipe's FP8 linear: E4M3 weights with row scales, E4M3 activations per row, amax <= 1200. */
const FP8_ROW: LinearSpec = { ...F32, dtype: 'fp8e4m3', act: 'fp8e4m3', actBound: 1200 };

/** One spec in canonical form: fields that do not apply to its dtype get their defaults. */
export function normalizeSpec(s: LinearSpec): LinearSpec {
  if (!WEIGHT_DTYPES.includes(s.dtype)) throw new Error(`unknown weight format "${s.dtype}": use one of ${WEIGHT_DTYPES.join(', ')}`);
  if (s.dtype === 'f32') return { ...F32 };
  if (s.dtype === 'bf16') return { ...BF16, bf16Rounding: s.bf16Rounding === 'truncate' ? 'truncate' : 'nearest' };
  if (s.act !== null && s.act !== 'fp8e4m3' && s.act !== 'fp8e5m2') throw new Error(`unknown activation format "${s.act}": use fp8e4m3, fp8e5m2 or null`);
  if (s.actBound !== null && !(s.actBound > 0 && Number.isFinite(s.actBound))) throw new Error(`activation bound must be a positive number or null, not ${s.actBound}`);
  return { ...F32, dtype: s.dtype, scale: s.scale === 'tensor' ? 'tensor' : 'row', act: s.act, actBound: s.act ? s.actBound : null };
}

function uniformLayers(nLayers: number, f: (layer: number, m: LayerMatrix) => LinearSpec): Record<LayerMatrix, LinearSpec>[] {
  return Array.from({ length: nLayers }, (_, l) => Object.fromEntries(LAYER_MATRICES.map((m) => [m, { ...f(l, m) }])) as Record<LayerMatrix, LinearSpec>);
}

export function presetMap(nLayers: number, preset: PresetName): PrecisionMap {
  if (!(Number.isInteger(nLayers) && nLayers > 0)) throw new Error(`a precision map needs a positive number of layers, not ${nLayers}`);
  switch (preset) {
    case 'f32':
      return { preset, embedding: { ...F32 }, output: { ...F32 }, layers: uniformLayers(nLayers, () => F32) };
    case 'bf16':
      return { preset, embedding: { ...BF16 }, output: { ...BF16 }, layers: uniformLayers(nLayers, () => BF16) };
    case 'fp8-llama3':
      return { preset, embedding: { ...BF16 }, output: { ...BF16 }, layers: uniformLayers(nLayers, (l, m) =>
        (m === 'w1' || m === 'w3' || m === 'w2') && l >= 1 && l <= nLayers - 2 ? FP8_ROW : BF16) };
    case 'fp8-all':
      return { preset, embedding: { ...BF16 }, output: { ...BF16 }, layers: uniformLayers(nLayers, () => FP8_ROW) };
    default:
      throw new Error(`unknown precision preset "${preset as string}": use one of ${PRESETS.join(', ')}`);
  }
}

/** Whether two specs store and compute a linear the same way. */
export const sameSpec = (a: LinearSpec, b: LinearSpec) =>
  a.dtype === b.dtype && a.scale === b.scale && a.act === b.act && a.actBound === b.actBound && a.bf16Rounding === b.bf16Rounding;

function sameMap(a: PrecisionMap, b: PrecisionMap): boolean {
  return a.layers.length === b.layers.length && sameSpec(a.embedding, b.embedding) && sameSpec(a.output, b.output) &&
    a.layers.every((L, l) => LAYER_MATRICES.every((m) => sameSpec(L[m], b.layers[l][m])));
}

/** The preset a map equals, or 'custom'. */
export function presetOf(map: Omit<PrecisionMap, 'preset'>): PresetName | 'custom' {
  return PRESETS.find((p) => sameMap({ ...map, preset: p }, presetMap(map.layers.length, p))) ?? 'custom';
}

function checkEmbedding(s: LinearSpec): LinearSpec {
  if (s.dtype !== 'f32' && s.dtype !== 'bf16') throw new Error(`the token embedding can be f32 or bf16, not ${s.dtype}: it is a lookup table, not a matmul`);
  return s;
}

/** Applies one edit; returns a new map (the input is not changed). */
export function applyOverride(map: PrecisionMap, o: PrecisionOverride): PrecisionMap {
  const edit = (s: LinearSpec) => normalizeSpec({ ...s, ...o.spec });
  const L = map.layers.length;
  if (o.layer !== undefined && !(Number.isInteger(o.layer) && o.layer >= 0 && o.layer < L)) {
    throw new Error(`layer ${o.layer} does not exist: the model has layers 0..${L - 1}`);
  }
  if (o.matrix !== undefined && o.matrix !== 'embedding' && o.matrix !== 'output' && !LAYER_MATRICES.includes(o.matrix)) {
    throw new Error(`unknown matrix "${o.matrix as string}": use one of ${[...LAYER_MATRICES, 'embedding', 'output'].join(', ')}`);
  }
  const next: PrecisionMap = {
    preset: 'custom',
    embedding: o.matrix === 'embedding' ? checkEmbedding(edit(map.embedding)) : { ...map.embedding },
    output: o.matrix === 'output' ? edit(map.output) : { ...map.output },
    layers: map.layers.map((row, l) => Object.fromEntries(LAYER_MATRICES.map((m) => {
      const hit = o.matrix !== 'embedding' && o.matrix !== 'output' && (o.layer === undefined || o.layer === l) &&
        (o.matrix === undefined || o.matrix === m);
      return [m, hit ? edit(row[m]) : { ...row[m] }];
    })) as Record<LayerMatrix, LinearSpec>),
  };
  next.preset = presetOf(next);
  return next;
}

// ---- Text forms: preset names, and a compact URL-safe encoding of any map ----
// "<specs>.<cells>": specs are '-'-separated tokens, one per distinct spec; cells name a spec per slot by a
// letter (a = first spec), optionally followed by a repeat count, in the order embedding, output, then layer 0's
// wq wk wv wo w1 w3 w2, layer 1's ... A spec token is the dtype (f, b, 4 = E4M3, 5 = E5M2), 't' for BF16
// truncation or FP8 tensor-wise scales, then 'a4' / 'a5' for FP8 activations with the bound's digits ('p' for
// the decimal point, 'm' for a minus sign in an exponent). E.g. "b-4a41200.ab3a4b5...". A map that equals a preset is written as the preset's name.

const DTYPE_CHAR: Record<string, string> = { f32: 'f', bf16: 'b', fp8e4m3: '4', fp8e5m2: '5' };
const CHAR_DTYPE: Record<string, LinearSpec['dtype']> = { f: 'f32', b: 'bf16', '4': 'fp8e4m3', '5': 'fp8e5m2' };
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function specToken(s: LinearSpec): string {
  let t = DTYPE_CHAR[s.dtype];
  if ((s.dtype === 'bf16' && s.bf16Rounding === 'truncate') || (s.dtype.startsWith('fp8') && s.scale === 'tensor')) t += 't';
  if (s.act) t += `a${s.act === 'fp8e4m3' ? 4 : 5}${s.actBound === null ? '' : String(s.actBound).replace('.', 'p').replace('+', '').replace('-', 'm')}`;
  return t;
}

function parseToken(t: string): LinearSpec {
  const m = /^([fb45])(t?)(?:a([45])([0-9pem]*))?$/.exec(t);
  if (!m) throw new Error(`bad precision spec "${t}"`);
  const dtype = CHAR_DTYPE[m[1]];
  const bound = m[4] ? Number(m[4].replace('p', '.').replace('m', '-')) : null;
  if (bound !== null && !(bound > 0 && Number.isFinite(bound))) throw new Error(`bad activation bound in "${t}"`);
  if (m[3] && !dtype.startsWith('fp8')) throw new Error(`"${t}": only FP8 weights take FP8 activations`);
  return normalizeSpec({ dtype, scale: m[2] && dtype !== 'bf16' ? 'tensor' : 'row', act: m[3] ? (m[3] === '4' ? 'fp8e4m3' : 'fp8e5m2') : null,
    actBound: bound, bf16Rounding: m[2] && dtype === 'bf16' ? 'truncate' : 'nearest' });
}

const slots = (map: PrecisionMap) => [map.embedding, map.output, ...map.layers.flatMap((L) => LAYER_MATRICES.map((m) => L[m]))];

export function encodeMap(map: PrecisionMap): string {
  const p = presetOf(map);
  if (p !== 'custom') return p;
  const tokens: string[] = [];
  const idx = slots(map).map((s) => {
    const t = specToken(normalizeSpec(s));
    if (!tokens.includes(t)) tokens.push(t);
    return tokens.indexOf(t);
  });
  if (tokens.length > LETTERS.length) throw new Error(`a map with more than ${LETTERS.length} distinct formats cannot be encoded`);
  let cells = '';
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j < idx.length && idx[j] === idx[i]) j++;
    cells += LETTERS[idx[i]] + (j - i > 1 ? String(j - i) : '');
    i = j;
  }
  return `${tokens.join('-')}.${cells}`;
}

export function decodeMap(text: string, nLayers: number): PrecisionMap {
  const t = text.trim();
  if ((PRESETS as readonly string[]).includes(t)) return presetMap(nLayers, t as PresetName);
  const parts = t.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new Error(`bad precision map "${text}": expected a preset (${PRESETS.join(', ')}) or "<specs>.<cells>"`);
  const specs = parts[0].split('-').map(parseToken);
  const cells: LinearSpec[] = [];
  const re = /([a-zA-Z])(\d*)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(parts[1])) !== null) {
    const i = LETTERS.indexOf(m[1]);
    if (i >= specs.length) throw new Error(`bad precision map "${text}": cell "${m[1]}" names no spec`);
    const count = m[2] ? Number(m[2]) : 1;
    if (count < 1 || cells.length + count > 2 + 7 * nLayers) throw new Error(`bad precision map "${text}": too many cells for ${nLayers} layers`);
    for (let c = 0; c < count; c++) cells.push(specs[i]);
    at = re.lastIndex;
  }
  if (at !== parts[1].length) throw new Error(`bad precision map "${text}": unexpected "${parts[1].slice(at)}"`);
  if (cells.length !== 2 + LAYER_MATRICES.length * nLayers) {
    throw new Error(`bad precision map "${text}": ${cells.length} cells, a ${nLayers}-layer model needs ${2 + LAYER_MATRICES.length * nLayers}`);
  }
  const map: PrecisionMap = {
    preset: 'custom',
    embedding: checkEmbedding({ ...cells[0] }),
    output: { ...cells[1] },
    layers: Array.from({ length: nLayers }, (_, l) =>
      Object.fromEntries(LAYER_MATRICES.map((mm, j) => [mm, { ...cells[2 + 7 * l + j] }])) as Record<LayerMatrix, LinearSpec>),
  };
  map.preset = presetOf(map);
  return map;
}

/** The CLI's --precision: a preset name, or an encoded map (as in the URL). */
export function parsePrecision(text: string, nLayers: number): PrecisionMap {
  const t = text.trim();
  if ((PRESETS as readonly string[]).includes(t)) return presetMap(nLayers, t as PresetName);
  if (!t.includes('.')) throw new Error(`unknown precision "${text}": use one of ${PRESETS.join(', ')} (or an encoded map from a playground URL)`);
  return decodeMap(t, nLayers);
}
