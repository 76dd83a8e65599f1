// attention_online: the same causal grouped-query attention as attention.wgsl, one thread per (head, row) with an
// online softmax (Milakov & Gimelshein 2018, "Online normalizer calculation for softmax"; as in FlashAttention):
//   m' = max(m, s_t); l' = l e^(m - m') + e^(s_t - m'); acc' = acc e^(m - m') + e^(s_t - m') v_t;  out = acc / l
// No barriers and no workgroup memory: the variant for CPU adapters (SwiftShader, llvmpipe), where barriers cost
// far more than arithmetic. q: (m, nHeads*headDim); caches: (maxSeq, nKvHeads*headDim); out like q.
// Dispatch: (ceil(nHeads / WG), m).
override WG: u32 = 8;
const HEAD_DIM_MAX: u32 = 256u; // private arrays need a constant size; the engine checks headDim <= 256

struct Params { n_heads: u32, n_kv_heads: u32, head_dim: u32, scale: f32 }

@group(0) @binding(0) var<uniform> step: Step;
@group(0) @binding(1) var<uniform> p: Params;
@group(0) @binding(2) var<storage, read> q: array<f32>;
@group(0) @binding(3) var<storage, read> k_cache: array<f32>;
@group(0) @binding(4) var<storage, read> v_cache: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let h = gid.x;
  let r = gid.y;
  if (h >= p.n_heads || r >= step.m) { return; }
  let hd = p.head_dim;
  let kv_width = p.n_kv_heads * hd;
  let kv_off = (h / (p.n_heads / p.n_kv_heads)) * hd;
  let q_off = (r * p.n_heads + h) * hd;
  let n = step.pos0 + r + 1u;
  var acc: array<f32, HEAD_DIM_MAX>;
  for (var i = 0u; i < hd; i++) { acc[i] = 0.0; }
  var m = -3.0e38;
  var l = 0.0;
  for (var t = 0u; t < n; t++) {
    let base = t * kv_width + kv_off;
    var s = 0.0;
    for (var i = 0u; i < hd; i++) { s += q[q_off + i] * k_cache[base + i]; }
    s *= p.scale;
    let m_new = max(m, s);
    let correction = exp(m - m_new);
    let weight = exp(s - m_new);
    l = l * correction + weight;
    for (var i = 0u; i < hd; i++) { acc[i] = acc[i] * correction + weight * v_cache[base + i]; }
    m = m_new;
  }
  let inv = 1.0 / l;
  for (var i = 0u; i < hd; i++) { out[q_off + i] = acc[i] * inv; }
}
