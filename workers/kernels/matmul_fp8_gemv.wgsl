// matmul_fp8_gemv: y[n] (+)= s_w[n] * Σ_k q_w[n,k] x[k]: FP8 weights, f32 activations.
// W [N, KV] vec4<u32>: 16 codes per vec4, word c holding elements 4c..4c+3 (byte i = element 4c+i);
// s_w f32 [N] row dequant scales; x f32 [K]. Format: Format from matmul_fp8_formats.wgsl. Appended to matmul_gemv.wgsl and an entry point.

@group(0) @binding(4) var<storage, read> w: array<vec4<u32>>;
@group(0) @binding(5) var<storage, read> w_scale: array<f32>;

fn row_partial(n: u32, lane: u32, lanes: u32) -> f32 {
  let K = dims.k;
  let KV = dims.kv;
  let full = K / 16u;
  var acc = vec4<f32>(0.0);
  for (var j = lane; j < full; j += lanes) {
    let wv = w[n * KV + j];
    acc += w_decode4(wv.x) * x4(16u * j);
    acc += w_decode4(wv.y) * x4(16u * j + 4u);
    acc += w_decode4(wv.z) * x4(16u * j + 8u);
    acc += w_decode4(wv.w) * x4(16u * j + 12u);
  }
  var s = (acc.x + acc.y) + (acc.z + acc.w);
  if (K % 16u != 0u && lane == full % lanes) { // the last, partial vec4
    let wv = w[n * KV + full];
    for (var i = 0u; i < K % 16u; i++) {
      s += w_decode4(wv[i / 4u])[i % 4u] * x[16u * full + i];
    }
  }
  return s;
}

fn out_scale(n: u32) -> f32 { return w_scale[n]; }
