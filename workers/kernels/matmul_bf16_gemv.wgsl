// matmul_bf16_gemv: y[n] (+)= Σ_k W[n,k] x[k], W in BF16 pairs. W [N, KV] vec4<u32>: 8 elements per vec4, word c
// holding elements 2c (low half) and 2c+1 (high half); x f32 [K]. Appended to matmul_gemv.wgsl and an entry point.
@group(0) @binding(4) var<storage, read> w: array<vec4<u32>>;

fn row_partial(n: u32, lane: u32, lanes: u32) -> f32 {
  let K = dims.k;
  let KV = dims.kv;
  let full = K / 8u;
  var acc = vec4<f32>(0.0);
  for (var j = lane; j < full; j += lanes) {
    let wv = w[n * KV + j];
    let xa = x4(8u * j);
    let xb = x4(8u * j + 4u);
    acc += bf16x4_lo(wv) * vec4<f32>(xa.x, xa.z, xb.x, xb.z); // elements 0, 2, 4, 6
    acc += bf16x4_hi(wv) * vec4<f32>(xa.y, xa.w, xb.y, xb.w); // elements 1, 3, 5, 7
  }
  var s = (acc.x + acc.y) + (acc.z + acc.w);
  if (K % 8u != 0u && lane == full % lanes) { // the last, partial vec4
    let wv = w[n * KV + full];
    for (var i = 0u; i < K % 8u; i++) {
      s += bitcast<f32>((wv[i / 2u] >> (16u * (i % 2u))) << 16u) * x[8u * full + i];
    }
  }
  return s;
}

fn out_scale(n: u32) -> f32 { return 1.0; }
