// copy_u32_vec4: dst[i] = src[i] over vec4<u32> words. Not part of the model: the bandwidth yardstick that the
// matmul kernels' weight reads are compared against (workers/gpu/linear-bench.ts). Shapes: src, dst [WORDS].
// Dispatch: ceil(WORDS / WG) groups, folded into (x, y) when above 65535.
override WG: u32 = 256;
override WORDS: u32;

@group(0) @binding(0) var<storage, read> src: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<u32>>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = (wg.x + wg.y * nwg.x) * WG + t;
  if (i < WORDS) { dst[i] = src[i]; }
}
