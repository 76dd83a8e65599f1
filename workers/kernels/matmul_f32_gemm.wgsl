// matmul_f32_gemm: tile loads for W in f32. W [N, 4*KV] f32 rows padded to vec4; x f32 [M, K].
// Appended to matmul_gemm.wgsl. A TK = 16 chunk of a W row is 4 vec4 loads.
@group(0) @binding(4) var<storage, read> w: array<vec4<f32>>;

fn load_tiles(t: u32, m0: u32, n0: u32, k0: u32, M: u32) {
  let N = dims.n;
  let KV = dims.kv;
  load_x_f32(t, m0, k0, M);
  for (var i = t; i < TN * 4u; i += WG) {
    let nn = i / 4u;
    let c = i % 4u;
    let j = k0 / 4u + c;
    let wv = select(vec4<f32>(0.0), w[(n0 + nn) * KV + j], n0 + nn < N && j < KV);
    for (var e = 0u; e < 4u; e++) { wt[(4u * c + e) * TN + nn] = wv[e]; }
  }
}

fn out_scale(m: u32, n: u32) -> f32 { return 1.0; }
