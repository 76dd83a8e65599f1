// Shared by the non-matmul kernels: the per-forward step uniform written once before each submit.
struct Step {
  m: u32,         // rows (tokens) in this pass
  pos0: u32,      // position of row 0
  first_row: u32, // first input row to read (the final norm reads only the last row when logits of one token suffice)
  _pad: u32,
}
