// matmul_fp8a8_gemm: tile loads for FP8 weights and FP8 activations (W8A8, arXiv:2407.21783 §6.2);
// y[m,n] = (s_x[m] * s_w[n]) * Σ_k q_x[m,k] q_w[n,k]. xq [M, KV] vec4<u32> and s_x [M] from quantize_fp8_rows;
// W [N, KV] and s_w [N] as in matmul_fp8_gemm. Formats from matmul_fp8_formats.wgsl. Appended to matmul_gemm.wgsl.

@group(0) @binding(2) var<storage, read> xq: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> x_scale: array<f32>;
@group(0) @binding(4) var<storage, read> w: array<vec4<u32>>;
@group(0) @binding(5) var<storage, read> w_scale: array<f32>;

fn load_tiles(t: u32, m0: u32, n0: u32, k0: u32, M: u32) {
  let N = dims.n;
  let KV = dims.kv;
  // Threads [0, TM) stage one x row's vec4 each, threads [TM, TM + TN) one W row's (wrapping when WG is small).
  for (var i = t; i < TM + TN; i += WG) {
    if (i < TM) {
      let xv = select(vec4<u32>(0u), xq[(m0 + i) * KV + k0 / 16u], m0 + i < M);
      for (var c = 0u; c < 4u; c++) {
        let d = x_decode4(xv[c]);
        for (var e = 0u; e < 4u; e++) { xt[(4u * c + e) * TM + i] = d[e]; }
      }
    } else {
      let nn = i - TM;
      let wv = select(vec4<u32>(0u), w[(n0 + nn) * KV + k0 / 16u], n0 + nn < N);
      for (var c = 0u; c < 4u; c++) {
        let d = w_decode4(wv[c]);
        for (var e = 0u; e < 4u; e++) { wt[(4u * c + e) * TN + nn] = d[e]; }
      }
    }
  }
}

fn out_scale(m: u32, n: u32) -> f32 { return x_scale[m] * w_scale[n]; }
