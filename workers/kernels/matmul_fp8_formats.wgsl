// The FP8 formats of a matmul's operands, chosen per pipeline: E4M3, or E5M2 when W_E5M2 (weights) or X_E5M2
// (activations, W8A8). Shared by matmul_fp8_* and matmul_fp8a8_*; prepended after quant.wgsl's decoders.
override W_E5M2: bool = false;
override X_E5M2: bool = false;

fn w_decode4(word: u32) -> vec4<f32> {
  if (W_E5M2) { return fp8e5m2x4(word); }
  return fp8e4m3x4(word);
}

fn x_decode4(word: u32) -> vec4<f32> {
  if (X_E5M2) { return fp8e5m2x4(word); }
  return fp8e4m3x4(word);
}
