// rmsnorm: out[r, :] = w * x[first_row + r, :] / sqrt(mean(x[first_row + r, :]^2) + eps)   (Zhang & Sennrich 2019)
// x: (rows, dim) f32; w: (dim) f32; out: (m, dim) f32. One workgroup per row; the sum of squares meets in
// workgroup_sum (reduce_shared.wgsl's tree, or reduce_subgroup.wgsl's subgroupAdd, prepended by the registry).
// Dispatch: (m, 1, 1).
override WG: u32 = 64;

struct Params { dim: u32, eps: f32, _a: u32, _b: u32 }

@group(0) @binding(0) var<uniform> step: Step;
@group(0) @binding(1) var<uniform> p: Params;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, lane: Lane) {
  let r = wid.x;
  let src = (step.first_row + r) * p.dim;
  var ss = 0.0;
  for (var j = lane.t; j < p.dim; j += WG) { let v = x[src + j]; ss += v * v; }
  let inv = inverseSqrt(workgroup_sum(ss, lane) / f32(p.dim) + p.eps);
  for (var j = lane.t; j < p.dim; j += WG) { out[r * p.dim + j] = w[j] * (x[src + j] * inv); }
}
