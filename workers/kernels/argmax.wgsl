// argmax: token[0] = the index of the largest logit (the lowest index among equals; NaN counts as -inf), so greedy
// decoding reads back 4 bytes per token instead of the whole vocabulary. logits: (vocab) f32, the head's last row.
// One workgroup: each thread scans a strided slice, then a tree reduction. Dispatch: (1, 1, 1).
override WG: u32 = 256;

struct Params { vocab: u32, _a: u32, _b: u32, _c: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read_write> token: array<u32>;

var<workgroup> best_value: array<f32, WG>;
var<workgroup> best_index: array<u32, WG>;

// a beats b when larger, or equal and earlier
fn beats(va: f32, ia: u32, vb: f32, ib: u32) -> bool { return va > vb || (va == vb && ia < ib); }

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) t: u32) {
  var v = -3.4028234e38; // about -f32 max (NaN never replaces it)
  var idx = 0xffffffffu;
  for (var i = t; i < p.vocab; i += WG) {
    let x = logits[i];
    if (x == x && beats(x, i, v, idx)) { v = x; idx = i; } // x == x is false for NaN
  }
  best_value[t] = v;
  best_index[t] = idx;
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (t < s && beats(best_value[t + s], best_index[t + s], best_value[t], best_index[t])) {
      best_value[t] = best_value[t + s];
      best_index[t] = best_index[t + s];
    }
  }
  if (t == 0u) { token[0] = select(best_index[0], 0u, best_index[0] == 0xffffffffu); }
}
