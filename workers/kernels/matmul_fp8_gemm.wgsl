// matmul_fp8_gemm: tile loads for FP8 weights with f32 activations; y = s_w[n] * Σ_k x[m,k] q_w[n,k].
// W [N, KV] vec4<u32> (16 codes per vec4, byte i of word c = element 4c+i); s_w f32 [N]; x f32 [M, K].
// Format from matmul_fp8_formats.wgsl. Appended to matmul_gemm.wgsl. A TK = 16 chunk of a W row is one vec4 load.

@group(0) @binding(4) var<storage, read> w: array<vec4<u32>>;
@group(0) @binding(5) var<storage, read> w_scale: array<f32>;

fn load_tiles(t: u32, m0: u32, n0: u32, k0: u32, M: u32) {
  let N = dims.n;
  let KV = dims.kv;
  load_x_f32(t, m0, k0, M);
  for (var nn = t; nn < TN; nn += WG) {
    let wv = select(vec4<u32>(0u), w[(n0 + nn) * KV + k0 / 16u], n0 + nn < N);
    for (var c = 0u; c < 4u; c++) {
      let d = w_decode4(wv[c]);
      for (var e = 0u; e < 4u; e++) { wt[(4u * c + e) * TN + nn] = d[e]; }
    }
  }
}

fn out_scale(m: u32, n: u32) -> f32 { return w_scale[n]; }
