// embed: x[r, j] = E[tokens[r], j] — gather token rows from the embedding table.
// E is f32 (vocab, dim) or BF16 pairs (vocab, ceil(dim/2)) u32 words, low half first (workers/quant/pack.ts).
// Dispatch: (ceil(dim / WG), m).
override WG: u32 = 64;
override BF16: bool = false;

struct Params { dim: u32, words_per_row: u32, vocab: u32, _pad: u32 }

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
  var v: f32;
  if (BF16) {
    let w = table[tok * p.words_per_row + j / 2u];
    v = select(bitcast<f32>(w << 16u), bitcast<f32>(w & 0xffff0000u), (j & 1u) == 1u);
  } else {
    v = bitcast<f32>(table[tok * p.dim + j]);
  }
  x[r * p.dim + j] = v;
}
