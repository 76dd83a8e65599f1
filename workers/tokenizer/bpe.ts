// The BPE merge loop shared by both tokenizers: repeatedly merge the adjacent pair with the best rank.
// References: Sennrich et al. 2016 (arXiv:1508.07909); llama.cpp llm_tokenizer_spm (priority queue of bigrams);
// Hugging Face tokenizers models/bpe/word.rs (merge_all). A heap over pairs plus a linked list of symbols makes it
// O(n log n) instead of llama2.c's O(n^2) rescan, so prompts of thousands of characters stay fast.

/** Rank of merging `left`+`right` (lower merges first), or undefined when the pair never merges. */
export type PairRank = (left: string, right: string) => number | undefined;

/**
 * Binary min-heap of candidate pairs on (rank, left): ties go to the leftmost pair, as in llama.cpp and HF.
 * Candidates live in typed arrays (at most 3 per symbol: the initial pairs plus two per merge), so long prompts
 * make no garbage.
 */
class PairHeap {
  readonly rank: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly size: Int32Array; // length of left+right when queued: a pair whose symbols changed since is stale
  private readonly heap: Int32Array;
  private count = 0;
  private added = 0;
  constructor(capacity: number) {
    this.rank = new Float64Array(capacity);
    this.left = new Int32Array(capacity);
    this.right = new Int32Array(capacity);
    this.size = new Int32Array(capacity);
    this.heap = new Int32Array(capacity);
  }
  get length(): number { return this.count; }
  private less(a: number, b: number): boolean {
    return this.rank[a] < this.rank[b] || (this.rank[a] === this.rank[b] && this.left[a] < this.left[b]);
  }
  push(rank: number, left: number, right: number, size: number): void {
    const c = this.added++;
    this.rank[c] = rank; this.left[c] = left; this.right[c] = right; this.size[c] = size;
    const h = this.heap;
    let i = this.count++;
    h[i] = c;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  /** Removes the best candidate and returns its index into rank/left/right/size. */
  pop(): number {
    const h = this.heap;
    const top = h[0];
    h[0] = h[--this.count];
    for (let i = 0; ;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < this.count && this.less(h[l], h[m])) m = l;
      if (r < this.count && this.less(h[r], h[m])) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
    return top;
  }
}

/** Merges `symbols` (characters or byte-characters) into the pieces BPE picks; returns the pieces in order. */
export function bpeMerge(symbols: string[], rank: PairRank): string[] {
  const n = symbols.length;
  if (n < 2) return symbols.slice();
  const text = symbols.slice();
  const prev = new Int32Array(n), next = new Int32Array(n);
  for (let i = 0; i < n; i++) { prev[i] = i - 1; next[i] = i + 1 < n ? i + 1 : -1; }
  const heap = new PairHeap(3 * n);
  const consider = (left: number, right: number) => {
    if (left < 0 || right < 0) return;
    const r = rank(text[left], text[right]);
    if (r !== undefined) heap.push(r, left, right, text[left].length + text[right].length);
  };
  for (let i = 0; i + 1 < n; i++) consider(i, i + 1);

  while (heap.length > 0) {
    const c = heap.pop();
    const left = heap.left[c], right = heap.right[c];
    // stale: one side was merged away or grew since this pair was queued
    if (text[left] === '' || text[right] === '' || next[left] !== right) continue;
    if (text[left].length + text[right].length !== heap.size[c]) continue;
    text[left] += text[right];
    text[right] = '';
    next[left] = next[right];
    if (next[right] >= 0) prev[next[right]] = left;
    consider(prev[left], left);
    consider(left, next[left]);
  }
  const out: string[] = [];
  for (let i = 0; i >= 0; i = next[i]) out.push(text[i]);
  return out;
}
