// How to reach a whole precision map (from a link) with the engine's edits: setPrecision takes a preset or one
// override (a cell, a row, a column, the embedding or the head), and every call re-packs the weights. So: start
// from the preset nearest to the map, then cover what differs with few overrides — columns and rows where most of
// their cells want one format, then single cells. Pure; tested in tests/unit/precision-plan.test.ts.
import type { LinearSpec, PrecisionMap, PrecisionOverride, PresetName } from '../../workers/api.ts';
import { LAYER_MATRICES, type LayerMatrix } from '../../workers/model/weights.ts';
import { PRESETS } from '../../workers/quant/types.ts';
import { applyOverride, normalizeSpec, presetMap } from '../../workers/quant/precision.ts';

const same = (a: LinearSpec, b: LinearSpec) =>
  a.dtype === b.dtype && a.scale === b.scale && a.act === b.act && a.actBound === b.actBound && a.bf16Rounding === b.bf16Rounding;

function differing(a: PrecisionMap, b: PrecisionMap): number {
  let n = (same(a.embedding, b.embedding) ? 0 : 1) + (same(a.output, b.output) ? 0 : 1);
  a.layers.forEach((row, l) => LAYER_MATRICES.forEach((m) => (n += same(row[m], b.layers[l][m]) ? 0 : 1)));
  return n;
}

function mostCommon(specs: LinearSpec[]): LinearSpec {
  let best = specs[0];
  let bestCount = 0;
  for (const s of specs) {
    const n = specs.filter((t) => same(t, s)).length;
    if (n > bestCount) [best, bestCount] = [s, n];
  }
  return best;
}

export interface PrecisionPlan {
  preset: PresetName;
  overrides: PrecisionOverride[];
}

export function planPrecision(target: PrecisionMap): PrecisionPlan {
  const L = target.layers.length;
  const goal: PrecisionMap = {
    ...target,
    embedding: normalizeSpec(target.embedding),
    output: normalizeSpec(target.output),
    layers: target.layers.map((row) => Object.fromEntries(LAYER_MATRICES.map((m) => [m, normalizeSpec(row[m])])) as PrecisionMap['layers'][number]),
  };
  let preset: PresetName = PRESETS[0];
  let best = Infinity;
  for (const p of PRESETS) {
    const d = differing(presetMap(L, p), goal);
    if (d < best) [best, preset] = [d, p];
  }
  let map = presetMap(L, preset);
  const overrides: PrecisionOverride[] = [];
  const push = (o: PrecisionOverride) => {
    overrides.push(o);
    map = applyOverride(map, o);
  };
  // A column (or row) edit is worth it when it fixes at least two more cells than it breaks; cells it breaks or
  // misses are fixed one by one below.
  const worth = (cells: [number, LayerMatrix][]) => {
    const spec = mostCommon(cells.map(([l, m]) => goal.layers[l][m]));
    let gain = 0;
    for (const [l, m] of cells) {
      const ok = same(map.layers[l][m], goal.layers[l][m]);
      if (same(goal.layers[l][m], spec)) gain += ok ? 0 : 1;
      else if (ok) gain -= 1;
    }
    return gain >= 2 ? spec : null;
  };
  for (const m of LAYER_MATRICES) {
    const spec = worth(goal.layers.map((_, l) => [l, m]));
    if (spec) push({ matrix: m, spec: { ...spec } });
  }
  for (let l = 0; l < L; l++) {
    const spec = worth(LAYER_MATRICES.map((m) => [l, m]));
    if (spec) push({ layer: l, spec: { ...spec } });
  }
  for (let l = 0; l < L; l++) {
    for (const m of LAYER_MATRICES) {
      if (!same(map.layers[l][m], goal.layers[l][m])) push({ layer: l, matrix: m, spec: { ...goal.layers[l][m] } });
    }
  }
  if (!same(map.embedding, goal.embedding)) push({ matrix: 'embedding', spec: { ...goal.embedding } });
  if (!same(map.output, goal.output)) push({ matrix: 'output', spec: { ...goal.output } });
  return { preset, overrides };
}
