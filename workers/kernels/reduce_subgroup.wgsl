// reduce_subgroup: a workgroup's sum or max of one f32 per thread through subgroup operations (the `subgroups`
// feature; the module starts with `enable subgroups;`, added by the registry). Same interface as reduce_shared.wgsl.
// The subgroup size is known only at run time (adapter.info gives a range; SwiftShader 4, NVIDIA 32, AMD 32 or 64)
// and a workgroup holds num_subgroups of them: each subgroup reduces in registers (subgroupAdd / subgroupMax), its
// first invocation writes the result into a small shared array indexed by subgroup_id, and after one barrier every
// thread folds that array in index order (so the result is the same in every thread, and from run to run).
// SG_MIN: the adapter's subgroupMinSize (WebGPU's smallest is 4), so the array has a slot for every subgroup.
override SG_MIN: u32 = 4;

struct Lane {
  @builtin(local_invocation_index) t: u32,
  @builtin(subgroup_invocation_id) sid: u32,
  @builtin(subgroup_id) sg: u32,
  @builtin(num_subgroups) nsg: u32,
}

var<workgroup> sg_partial: array<f32, (WG + SG_MIN - 1u) / SG_MIN>;

fn workgroup_sum(v: f32, l: Lane) -> f32 {
  let s = subgroupAdd(v);
  if (l.sid == 0u) { sg_partial[l.sg] = s; }
  workgroupBarrier();
  var r = sg_partial[0];
  for (var i = 1u; i < l.nsg; i++) { r += sg_partial[i]; }
  workgroupBarrier(); // sg_partial is reused by the next reduction
  return r;
}

fn workgroup_max(v: f32, l: Lane) -> f32 {
  let s = subgroupMax(v);
  if (l.sid == 0u) { sg_partial[l.sg] = s; }
  workgroupBarrier();
  var r = sg_partial[0];
  for (var i = 1u; i < l.nsg; i++) { r = max(r, sg_partial[i]); }
  workgroupBarrier();
  return r;
}
