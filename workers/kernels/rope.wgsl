// rope: rotate each head of v[r, :] by the angle of position pos0 + r (Su et al. 2021, RoPE), in place, then
// optionally store the rotated rows into a cache at those positions (keys) — and copy `extra` rows (values) too.
// Pairs: INTERLEAVED (x[2i], x[2i+1]) as in llama2.c/GGUF, else halves (x[i], x[i + headDim/2]) as in Hugging Face.
// table: (positions, headDim/2, 2) cos/sin precomputed on the CPU (workers/model/rope.ts).
// Dispatch: (ceil(nHeads * headDim/2 / WG), m).
override WG: u32 = 64;
override INTERLEAVED: bool = true;
override STORE: bool = false; // write rotated rows to k_cache and copy v rows to v_cache

struct Params { n_heads: u32, head_dim: u32, _a: u32, _b: u32 }

@group(0) @binding(0) var<uniform> step: Step;
@group(0) @binding(1) var<uniform> p: Params;
@group(0) @binding(2) var<storage, read> table: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<storage, read> extra: array<f32>;
@group(0) @binding(5) var<storage, read_write> k_cache: array<f32>;
@group(0) @binding(6) var<storage, read_write> v_cache: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let half = p.head_dim / 2u;
  let r = gid.y;
  if (gid.x >= p.n_heads * half || r >= step.m) { return; }
  let h = gid.x / half;
  let i = gid.x % half;
  let width = p.n_heads * p.head_dim;
  let base = r * width + h * p.head_dim;
  var a = base + i;
  var b = base + i + half;
  if (INTERLEAVED) { a = base + 2u * i; b = a + 1u; }
  let cs = table[(step.pos0 + r) * half + i];
  let x0 = v[a];
  let x1 = v[b];
  let y0 = x0 * cs.x - x1 * cs.y;
  let y1 = x0 * cs.y + x1 * cs.x;
  v[a] = y0;
  v[b] = y1;
  if (STORE) {
    let dst = step.pos0 * width; // element a of row r lands in cache row pos0 + r
    k_cache[dst + a] = y0;
    k_cache[dst + b] = y1;
    v_cache[dst + a] = extra[a];
    v_cache[dst + b] = extra[b];
  }
}
