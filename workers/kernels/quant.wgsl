// quant: decode (and encode) helpers for weights and activations stored packed in u32 words.
// Layouts (workers/quant/pack.ts): a word holds BF16 elements 2j (low half) and 2j+1 (high half), or FP8
// elements 4j+i in bits 8i..8i+7 (little-endian). Formats: OCP 8-bit floating point rev 1.0
// (arXiv:2209.05433); BF16 is the top half of an f32. Prepended to the matmul and quantize kernels.
// WGSL lets implementations flush subnormal f32 values to zero, even through bitcast (SwiftShader does), so
// FP8 codes with exponent field 0 are decoded as f32(m) * 2^-9 (E4M3) or f32(m) * 2^-16 (E5M2), never by
// placing their bits in an f32. Normal codes are moved into place with the exponent rebiased (+120 / +112).

fn bf16_lo(w: u32) -> f32 { return bitcast<f32>(w << 16u); }
fn bf16_hi(w: u32) -> f32 { return bitcast<f32>(w & 0xffff0000u); }
fn bf16x4_lo(w: vec4<u32>) -> vec4<f32> { return bitcast<vec4<f32>>(w << vec4<u32>(16u)); }
fn bf16x4_hi(w: vec4<u32>) -> vec4<f32> { return bitcast<vec4<f32>>(w & vec4<u32>(0xffff0000u)); }

// A quiet NaN / +Inf made at run time (a constant NaN or Inf is a shader-creation error in WGSL).
fn nan_f32(zero: u32) -> f32 { return bitcast<f32>(0x7fc00000u | zero); }
fn inf_f32(zero: u32) -> f32 { return bitcast<f32>(0x7f800000u | zero); }

// The four bytes of a word, element 4j+i in lane i.
fn bytes4(w: u32) -> vec4<u32> { return (vec4<u32>(w) >> vec4<u32>(0u, 8u, 16u, 24u)) & vec4<u32>(0xffu); }

// E4M3: S.EEEE.MMM, bias 7, max 448, NaN at S.1111.111, no infinities.
fn fp8e4m3x4_codes(c: vec4<u32>) -> vec4<f32> {
  let mag = c & vec4<u32>(0x7fu);
  let normal = bitcast<vec4<f32>>((mag << vec4<u32>(20u)) + vec4<u32>(120u << 23u));
  let sub = vec4<f32>(mag) * 0.001953125; // exponent 0: m * 2^-9 (mag == m)
  var v = select(normal, sub, mag < vec4<u32>(8u));
  v = select(v, vec4<f32>(nan_f32(c.x & 0u)), mag == vec4<u32>(0x7fu));
  return select(v, -v, c >= vec4<u32>(0x80u));
}

// E5M2: S.EEEEE.MM, bias 15, max 57344, S.11111.00 is Inf, S.11111.{01,10,11} NaN.
fn fp8e5m2x4_codes(c: vec4<u32>) -> vec4<f32> {
  let mag = c & vec4<u32>(0x7fu);
  let normal = bitcast<vec4<f32>>((mag << vec4<u32>(21u)) + vec4<u32>(112u << 23u));
  let sub = vec4<f32>(mag) * 1.52587890625e-5; // exponent 0: m * 2^-16
  var v = select(normal, sub, mag < vec4<u32>(4u));
  v = select(v, vec4<f32>(inf_f32(c.x & 0u)), mag == vec4<u32>(0x7cu));
  v = select(v, vec4<f32>(nan_f32(c.x & 0u)), mag > vec4<u32>(0x7cu));
  return select(v, -v, c >= vec4<u32>(0x80u));
}

fn fp8e4m3(code: u32) -> f32 { return fp8e4m3x4_codes(vec4<u32>(code)).x; }
fn fp8e5m2(code: u32) -> f32 { return fp8e5m2x4_codes(vec4<u32>(code)).x; }
// Four packed codes -> four values, element 4j+i in lane i.
fn fp8e4m3x4(w: u32) -> vec4<f32> { return fp8e4m3x4_codes(bytes4(w)); }
fn fp8e5m2x4(w: u32) -> vec4<f32> { return fp8e5m2x4_codes(bytes4(w)); }

// Encoders, f32 -> code, nearest even, saturating (as workers/quant/fp8.ts). Normal targets round the f32 bits
// in place; subnormal targets are |v| * 2^9 (or 2^16) rounded by round(), which WGSL defines as ties-to-even.
fn fp8e4m3_encode(v: f32) -> u32 {
  let u = bitcast<u32>(v);
  let a = u & 0x7fffffffu;
  let normal = ((a + 0x7ffffu + ((a >> 20u) & 1u)) >> 20u) - (120u << 3u);
  let sub = u32(round(abs(v) * 512.0));
  var code = min(select(normal, sub, a < (121u << 23u)), 0x7eu);
  code = select(code, 0x7fu, a > 0x7f800000u);
  return ((u >> 24u) & 0x80u) | code;
}

fn fp8e5m2_encode(v: f32) -> u32 {
  let u = bitcast<u32>(v);
  let a = u & 0x7fffffffu;
  let normal = ((a + 0xfffffu + ((a >> 21u) & 1u)) >> 21u) - (112u << 2u);
  let sub = u32(round(abs(v) * 65536.0));
  var code = min(select(normal, sub, a < (113u << 23u)), 0x7bu);
  code = select(code, 0x7eu, a > 0x7f800000u);
  return ((u >> 24u) & 0x80u) | code;
}
