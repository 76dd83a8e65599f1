// swiglu: h1[i] = silu(h1[i]) * h3[i], silu(x) = x / (1 + e^-x)   (Shazeer 2020, "GLU Variants Improve Transformer")
// h1, h3: (m, hiddenDim) f32. Dispatch: (ceil(m * hiddenDim / WG), 1, 1).
override WG: u32 = 64;

struct Params { hidden_dim: u32, _a: u32, _b: u32, _c: u32 }

@group(0) @binding(0) var<uniform> step: Step;
@group(0) @binding(1) var<uniform> p: Params;
@group(0) @binding(2) var<storage, read_write> h1: array<f32>;
@group(0) @binding(3) var<storage, read> h3: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= step.m * p.hidden_dim) { return; }
  let g = h1[i];
  h1[i] = g / (1.0 + exp(-g)) * h3[i];
}
