// matmul_gemm (core): y[m, n] = s(m, n) * Σ_k x[m,k] W[n,k] (or +=) for m > 1 rows: the prefill step.
// Shapes: x f32 [M, K] row-major (M = rows.x, written by the engine); y f32 [M, y_stride], W's outputs landing in
// columns y_offset .. y_offset + N; W packed [N, KV] vec4 words (N, K, KV in the Dims uniform), possibly one row
// chunk of a larger matrix.
// Classic shared-memory tiling: a workgroup of TX x TY threads owns a TM x TN tile of y (TM = 4 TY rows of x,
// TN = 4 TX rows of W); per K-chunk of TK = 16 it stages x and decoded W in workgroup memory, then each thread
// accumulates a 4 x 4 block in registers. A dtype file (matmul_<dtype>_gemm) provides
//   fn load_tiles(t: u32, m0: u32, n0: u32, k0: u32, M: u32)  fill xt [TK][TM] and wt [TK][TN], zeros outside
//   fn out_scale(m: u32, n: u32) -> f32                        the dequant factor (1 for f32 and bf16)
// Dispatch: (ceil(N / TN), ceil(M / TM)).
override TX: u32 = 8;
override TY: u32 = 8;
const TK = 16u;
override TM: u32 = 4u * TY; // derived sizes: not meant to be set
override TN: u32 = 4u * TX;
override WG: u32 = TX * TY;

struct Dims {
  n: u32, // rows of W (outputs)
  k: u32, // columns of W (inputs)
  kv: u32, // vec4 words per packed row of W
  accumulate: u32, // 1: y += W x
  y_stride: u32, // values per row of y (n, or the whole matrix's rows when W is one row chunk of it)
  y_offset: u32, // column of y that W's row 0 writes (the chunk's first row)
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> rows: vec4<u32>; // rows.x = M
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(6) var<storage, read_write> y: array<f32>;
@group(0) @binding(7) var<uniform> dims: Dims;

var<workgroup> xt: array<f32, TK * TM>; // xt[kk * TM + mm] = x[m0 + mm, k0 + kk]
var<workgroup> wt: array<f32, TK * TN>; // wt[kk * TN + nn] = W[n0 + nn, k0 + kk] (decoded, unscaled)

// Stages an f32 x tile (x rows are not 16-byte aligned when K % 4 != 0: scalar, coalesced loads).
fn load_x_f32(t: u32, m0: u32, k0: u32, M: u32) {
  let K = dims.k;
  for (var i = t; i < TM * TK; i += WG) {
    let m = m0 + i / TK;
    let k = k0 + i % TK;
    xt[(i % TK) * TM + i / TK] = select(0.0, x[m * K + k], m < M && k < K);
  }
}

@compute @workgroup_size(TX, TY)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
  let t = lid.y * TX + lid.x;
  let m0 = wg.y * TM;
  let n0 = wg.x * TN;
  let M = rows.x;
  let N = dims.n;
  var acc: array<vec4<f32>, 4>; // acc[i][j]: x row m0 + lid.y + TY i, W row n0 + lid.x + TX j
  for (var k0 = 0u; k0 < dims.k; k0 += TK) {
    load_tiles(t, m0, n0, k0, M);
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let a = vec4<f32>(xt[kk * TM + lid.y], xt[kk * TM + lid.y + TY], xt[kk * TM + lid.y + 2u * TY], xt[kk * TM + lid.y + 3u * TY]);
      let b = vec4<f32>(wt[kk * TN + lid.x], wt[kk * TN + lid.x + TX], wt[kk * TN + lid.x + 2u * TX], wt[kk * TN + lid.x + 3u * TX]);
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + lid.y + TY * i;
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + lid.x + TX * j;
      if (m < M && n < N) {
        let v = acc[i][j] * out_scale(m, n);
        let o = m * dims.y_stride + dims.y_offset + n;
        if (dims.accumulate != 0u) { y[o] = y[o] + v; } else { y[o] = v; }
      }
    }
  }
}
