// matmul_gemv entry point, subgroup reduction (the `subgroups` feature; the registry puts `enable subgroups;` first):
// one subgroup per row, its invocations the row's lanes, their partial sums meeting in subgroupAdd: no shared
// memory, no barrier. The subgroup size is known only at run time, so a workgroup takes ROWS rows (set to
// WG / subgroupMaxSize: each subgroup has at least one when subgroups are largest) and its num_subgroups subgroups
// take them in turn. Rows per workgroup: ROWS. WG (128) is a multiple of every subgroup size WebGPU allows (powers
// of two, 4..128), so every subgroup is full and its lanes cover the row's words. The loop runs the same trips in
// every subgroup (its bound depends on ROWS and num_subgroups only, not on subgroup_id), so every invocation reaches
// each subgroupAdd; rows past ROWS or N add zeros and store nothing.
override ROWS: u32 = 4;

@compute @workgroup_size(WG)
fn main(@builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) lanes: u32, @builtin(subgroup_id) sg: u32,
  @builtin(num_subgroups) nsg: u32, @builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row0 = (wg.x + wg.y * nwg.x) * ROWS;
  for (var r0 = 0u; r0 < ROWS; r0 += nsg) {
    let r = r0 + sg;
    let n = row0 + r;
    let live = r < ROWS && n < dims.n;
    var acc = 0.0;
    if (live) { acc = row_partial(n, lane, lanes); }
    let sum = subgroupAdd(acc);
    if (lane == 0u && live) { store(n, sum); }
  }
}
