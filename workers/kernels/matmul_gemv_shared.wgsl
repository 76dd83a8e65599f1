// matmul_gemv entry point, shared-memory reduction (every device): a workgroup of WG threads works on WG / TPR rows,
// TPR lanes per row; the lanes' partial sums meet in a shared-memory tree. TPR = 1: one thread per row, no barrier
// (what CPU adapters run). Rows per workgroup: WG / TPR.
override TPR: u32 = 1; // lanes per row: a power of two dividing WG

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let lane = t % TPR;
  let n = (wg.x + wg.y * nwg.x) * (WG / TPR) + t / TPR;
  var acc = 0.0;
  if (n < dims.n) { acc = row_partial(n, lane, TPR); }
  if (TPR > 1u) {
    partial[t] = acc;
    for (var s = TPR / 2u; s > 0u; s = s / 2u) {
      workgroupBarrier();
      if (lane < s) { partial[t] = partial[t] + partial[t + s]; }
    }
    acc = partial[t]; // lane 0 wrote the row's sum itself
  }
  if (lane == 0u && n < dims.n) { store(n, acc); }
}
