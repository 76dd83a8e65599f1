// matmul_gemv (core): y[n] = s(n) * dot(W[n, :], x[0, :]) (or y[n] += ...) for one token: the decode step.
// Shapes (the Dims uniform): x f32 [1, K]; y f32 [y_offset + N ..]; W packed [N, KV] vec4 words (workers/quant/pack.ts),
// possibly one row chunk of a larger matrix (a buffer holds at most the binding limit). Memory-bound: every
// weight byte is read once, with vec4<u32> loads. Prepended by quant.wgsl; followed by the entry point, which says
// how a row's lanes meet (matmul_gemv_shared.wgsl: a shared-memory tree; matmul_gemv_subgroup.wgsl: subgroupAdd),
// then one dtype file (matmul_<dtype>_gemv) that provides
//   fn row_partial(n: u32, lane: u32, lanes: u32) -> f32   lane's share of row n's dot product (lanes stride its words)
//   fn out_scale(n: u32) -> f32                             the dequant factor of row n (1 for f32 and bf16)
// Dispatch: ceil(N / rows per workgroup) groups, folded into (x, y) when above 65535.
override WG: u32 = 128;

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

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(6) var<storage, read_write> y: array<f32>;
@group(0) @binding(7) var<uniform> dims: Dims;

// x[i..i+3] (x rows are not 16-byte aligned when K % 4 != 0, so no vec4 view of x).
fn x4(i: u32) -> vec4<f32> { return vec4<f32>(x[i], x[i + 1u], x[i + 2u], x[i + 3u]); }

// Row n's finished dot product, scaled, into y.
fn store(n: u32, acc: f32) {
  let v = acc * out_scale(n);
  let o = dims.y_offset + n;
  if (dims.accumulate != 0u) { y[o] = y[o] + v; } else { y[o] = v; }
}
