// matmul_fp8a8_gemv: y[n] (+)= (s_x * s_w[n]) * Σ_k q_x[k] q_w[n,k]: FP8 weights and FP8 activations (W8A8,
// the Llama 3 recipe, arXiv:2407.21783 §6.2). q_x comes from quantize_fp8_rows.wgsl: xq [1, KV] vec4<u32> and
// x_scale [1]; W [N, KV] vec4<u32> and s_w [N] as in matmul_fp8_gemv. Both rows are zero-padded to whole vec4s,
// so no tail is needed. Formats from matmul_fp8_formats.wgsl. Appended to matmul_gemv.wgsl and an entry point.

@group(0) @binding(2) var<storage, read> xq: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> x_scale: array<f32>;
@group(0) @binding(4) var<storage, read> w: array<vec4<u32>>;
@group(0) @binding(5) var<storage, read> w_scale: array<f32>;

fn row_partial(n: u32, lane: u32, lanes: u32) -> f32 {
  let KV = dims.kv;
  var acc = vec4<f32>(0.0);
  for (var j = lane; j < KV; j += lanes) {
    let wv = w[n * KV + j];
    let xv = xq[j];
    acc += w_decode4(wv.x) * x_decode4(xv.x);
    acc += w_decode4(wv.y) * x_decode4(xv.y);
    acc += w_decode4(wv.z) * x_decode4(xv.z);
    acc += w_decode4(wv.w) * x_decode4(xv.w);
  }
  return (acc.x + acc.y) + (acc.z + acc.w);
}

fn out_scale(n: u32) -> f32 { return x_scale[0] * w_scale[n]; }
