// attention: causal grouped-query attention (Vaswani et al. 2017; GQA, Ainslie et al. 2023) for rows at
// positions pos0 .. pos0+m-1 against the KV cache of one layer:
//   out[r, h, :] = sum_t softmax_t(q[r, h, :] . k[t, h/group, :] / sqrt(headDim)) v[t, h/group, :],  t <= pos0 + r
// q: (m, nHeads*headDim); k_cache, v_cache: (maxSeq, nKvHeads*headDim); out: (m, nHeads*headDim).
// One workgroup per (head, row): scores live in workgroup memory (MAX_SEQ floats); their max and sum meet in
// workgroup_max / workgroup_sum (reduce_shared.wgsl's tree or reduce_subgroup.wgsl's subgroup ops, prepended).
// Dispatch: (nHeads, m).
override WG: u32 = 64;
override MAX_SEQ: u32 = 2048;

struct Params { n_heads: u32, n_kv_heads: u32, head_dim: u32, scale: f32 }

@group(0) @binding(0) var<uniform> step: Step;
@group(0) @binding(1) var<uniform> p: Params;
@group(0) @binding(2) var<storage, read> q: array<f32>;
@group(0) @binding(3) var<storage, read> k_cache: array<f32>;
@group(0) @binding(4) var<storage, read> v_cache: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

var<workgroup> scores: array<f32, MAX_SEQ>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, lane: Lane) {
  let h = wid.x;
  let r = wid.y;
  let hd = p.head_dim;
  let kv_width = p.n_kv_heads * hd;
  let kv_off = (h / (p.n_heads / p.n_kv_heads)) * hd;
  let q_off = (r * p.n_heads + h) * hd;
  let n = step.pos0 + r + 1u; // keys visible to this row

  // scores and their max
  var local_max = -3.0e38;
  for (var t = lane.t; t < n; t += WG) {
    var s = 0.0;
    for (var i = 0u; i < hd; i++) { s += q[q_off + i] * k_cache[t * kv_width + kv_off + i]; }
    s *= p.scale;
    scores[t] = s;
    local_max = max(local_max, s);
  }
  let m = workgroup_max(local_max, lane);

  // exponentials and their sum
  var local_sum = 0.0;
  for (var t = lane.t; t < n; t += WG) { let e = exp(scores[t] - m); scores[t] = e; local_sum += e; }
  let inv = 1.0 / workgroup_sum(local_sum, lane);

  // weighted sum of values: one output dimension per thread
  for (var i = lane.t; i < hd; i += WG) {
    var acc = 0.0;
    for (var t = 0u; t < n; t++) { acc += scores[t] * v_cache[t * kv_width + kv_off + i]; }
    out[q_off + i] = acc * inv;
  }
}
