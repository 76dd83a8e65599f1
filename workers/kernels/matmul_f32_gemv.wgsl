// matmul_f32_gemv: y[n] (+)= Σ_k W[n,k] x[k], W in f32. W [N, 4*KV] f32 rows padded to vec4; x f32 [K].
// Appended to matmul_gemv.wgsl and an entry point (the thread layout, reduction and store live there).
@group(0) @binding(4) var<storage, read> w: array<vec4<f32>>;

fn row_partial(n: u32, lane: u32, lanes: u32) -> f32 {
  let K = dims.k;
  let KV = dims.kv;
  let full = K / 4u; // vec4s wholly inside the row
  var acc = vec4<f32>(0.0);
  for (var j = lane; j < full; j += lanes) {
    acc += w[n * KV + j] * x4(4u * j);
  }
  var s = (acc.x + acc.y) + (acc.z + acc.w);
  if (K % 4u != 0u && lane == full % lanes) { // the last, partial vec4: only its K % 4 real elements
    let wv = w[n * KV + full];
    for (var i = 0u; i < K % 4u; i++) { s += wv[i] * x[4u * full + i]; }
  }
  return s;
}

fn out_scale(n: u32) -> f32 { return 1.0; }
