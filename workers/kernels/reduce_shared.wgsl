// reduce_shared: a workgroup's sum or max of one f32 per thread, by a shared-memory tree (the fallback where the
// device has no subgroups; reduce_subgroup.wgsl is the same interface with subgroupAdd). Needs `override WG` (a power
// of two) from the kernel; its entry point takes a Lane (the builtins a reduction needs) and calls these from
// workgroup-uniform control flow. Summation order: pairs at distance WG/2, WG/4, ... 1, the same on every device.
struct Lane { @builtin(local_invocation_index) t: u32 }

var<workgroup> partial: array<f32, WG>;

fn workgroup_reduce(v: f32, l: Lane, is_max: bool) -> f32 {
  partial[l.t] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (l.t < s) {
      if (is_max) { partial[l.t] = max(partial[l.t], partial[l.t + s]); } else { partial[l.t] += partial[l.t + s]; }
    }
    workgroupBarrier();
  }
  let r = partial[0];
  workgroupBarrier(); // partial is reused by the next reduction
  return r;
}

fn workgroup_sum(v: f32, l: Lane) -> f32 { return workgroup_reduce(v, l, false); }
fn workgroup_max(v: f32, l: Lane) -> f32 { return workgroup_reduce(v, l, true); }
