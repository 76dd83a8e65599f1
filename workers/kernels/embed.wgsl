// embed: x[r, j] = E[tokens[r], j] — gather token rows from the embedding table, or from one row chunk of it
// [row0, row0 + rows) when the table is split across buffers (a dispatch per chunk; other tokens are skipped).
// E is packed like every weight (workers/quant/pack.ts): f32, or BF16 pairs (element 2c in the low half of word c),
// words_per_row u32 words per row (rows padded to whole vec4s).
// Dispatch: (ceil(dim / WG), m).
override WG: u32 = 64;
override BF16: bool = false;

struct Params { dim: u32, words_per_row: u32, row0: u32, rows: u32, vocab: u32, _pad0: u32, _pad1: u32, _pad2: u32 }

@group(0) @binding(0) var<uniform> step: Step;
@group(0) @binding(1) var<uniform> p: Params;
@group(0) @binding(2) var<storage, read> tokens: array<u32>;
@group(0) @binding(3) var<storage, read> table: array<u32>;
@group(0) @binding(4) var<storage, read_write> x: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  let r = gid.y;
  if (j >= p.dim || r >= step.m) { return; }
  let tok = min(tokens[r], p.vocab - 1u);
  if (tok < p.row0 || tok >= p.row0 + p.rows) { return; } // another chunk holds this token's row
  let at = (tok - p.row0) * p.words_per_row;
  var v: f32;
  if (BF16) {
    let w = table[at + j / 2u];
    v = select(bitcast<f32>(w << 16u), bitcast<f32>(w & 0xffff0000u), (j & 1u) == 1u);
  } else {
    v = bitcast<f32>(table[at + j]);
  }
  x[r * p.dim + j] = v;
}
