// matmul_bf16_gemm: tile loads for W in BF16 pairs. W [N, KV] vec4<u32> (8 elements per vec4, element 2c in the
// low half of word c); x f32 [M, K]. Appended to matmul_gemm.wgsl. A TK = 16 chunk of a W row is 2 vec4 loads.
@group(0) @binding(4) var<storage, read> w: array<vec4<u32>>;

fn load_tiles(t: u32, m0: u32, n0: u32, k0: u32, M: u32) {
  let N = dims.n;
  let KV = dims.kv;
  load_x_f32(t, m0, k0, M);
  for (var i = t; i < TN * 2u; i += WG) {
    let nn = i / 2u;
    let c = i % 2u;
    let j = k0 / 8u + c;
    let wv = select(vec4<u32>(0u), w[(n0 + nn) * KV + j], n0 + nn < N && j < KV);
    let lo = bf16x4_lo(wv); // elements 0, 2, 4, 6 of this vec4
    let hi = bf16x4_hi(wv); // elements 1, 3, 5, 7
    for (var e = 0u; e < 4u; e++) {
      wt[(8u * c + 2u * e) * TN + nn] = lo[e];
      wt[(8u * c + 2u * e + 1u) * TN + nn] = hi[e];
    }
  }
}

fn out_scale(m: u32, n: u32) -> f32 { return 1.0; }
