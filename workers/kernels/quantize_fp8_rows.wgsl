// quantize_fp8_rows: per token row m of x, the Llama 3 recipe's dynamic activation quantization (arXiv:2407.21783
// §6.2; FBGEMM quantize_fp8_per_row with scale_ub):
//   amax = clamp(max_k |x[m,k]|, EPS, BOUND);  x_scale[m] = amax / MAX;  xq[m,k] = encode(x[m,k] * (MAX / amax))
// with MAX = 448 (E4M3) or 57344 (E5M2, when E5M2). Shapes (Params): x f32 [M, K]; xq [M, KW] u32, four codes per word
// (byte i = element 4j+i), padding codes 0; x_scale f32 [M]. One workgroup per row: a max tree, then the codes.
// Dispatch: (M, 1, 1). The CPU twin is workers/reference/linear.ts.
override WG: u32 = 64; // a power of two
override E5M2: bool = false;
const EPS: f32 = 1e-12;

struct Params {
  k: u32, // columns of x
  kw: u32, // words per row of xq (a multiple of 4)
  bound: f32, // upper clamp of amax (the largest f32 when unbounded)
  _pad: u32,
}

@group(0) @binding(0) var<uniform> rows: vec4<u32>; // rows.x = M
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> xq: array<u32>;
@group(0) @binding(3) var<storage, read_write> x_scale: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

var<workgroup> red: array<f32, WG>;

// a / b correctly rounded (nearest even) for positive normal a, b and a normal quotient. WGSL's `/` may be off by
// 2.5 ulp (SwiftShader's is off by one at times), and the scales must equal the CPU twin's bit for bit, so the
// 24-bit significands are divided exactly by integer long division: 24 quotient bits, a guard bit, a sticky bit.
fn div_rn(a: f32, b: f32) -> f32 {
  let ua = bitcast<u32>(a);
  let ub = bitcast<u32>(b);
  let mb = (ub & 0x7fffffu) | 0x800000u;
  var r = (ua & 0x7fffffu) | 0x800000u;
  var e = i32(ua >> 23u) - i32(ub >> 23u) + 127;
  if (r < mb) { r = r << 1u; e -= 1; } // now 1 <= r / mb < 2
  var q = 0u;
  for (var i = 0u; i < 25u; i++) {
    let bit = r >= mb;
    q = (q << 1u) | u32(bit);
    r = (r - select(0u, mb, bit)) << 1u;
  }
  let guard = q & 1u;
  q = q >> 1u;
  q += select(0u, 1u, guard == 1u && (r != 0u || (q & 1u) == 1u));
  if (q == 0x1000000u) { q = q >> 1u; e += 1; } // rounded up to 2.0
  return bitcast<f32>((u32(e) << 23u) | (q & 0x7fffffu));
}

fn encode(v: f32) -> u32 {
  if (E5M2) { return fp8e5m2_encode(v); }
  return fp8e4m3_encode(v);
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wg: vec3<u32>) {
  let m = wg.x;
  if (m >= rows.x) { return; }
  let K = params.k;
  let KW = params.kw;
  var a = 0.0;
  for (var k = t; k < K; k += WG) { a = max(a, abs(x[m * K + k])); }
  red[t] = a;
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    workgroupBarrier();
    if (t < s) { red[t] = max(red[t], red[t + s]); }
  }
  workgroupBarrier();
  let fmax = select(448.0, 57344.0, E5M2);
  let amax = clamp(red[0], EPS, params.bound);
  let qs = div_rn(fmax, amax);
  if (t == 0u) { x_scale[m] = div_rn(amax, fmax); }
  for (var j = t; j < KW; j += WG) {
    var word = 0u;
    for (var i = 0u; i < 4u; i++) {
      let k = 4u * j + i;
      let code = select(0u, encode(x[m * K + min(k, K - 1u)] * qs), k < K);
      word |= code << (8u * i);
    }
    xq[m * KW + j] = word;
  }
}
