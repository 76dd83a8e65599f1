// The BPE merge loop shared by both tokenizers: repeatedly merge the adjacent pair with the best rank.
// References: Sennrich et al. 2016 (arXiv:1508.07909); llama.cpp llm_tokenizer_spm (priority queue of bigrams);
// Hugging Face tokenizers models/bpe/word.rs (merge_all). A heap over pairs plus a linked list of symbols makes it
// O(n log n) instead of llama2.c's O(n^2) rescan, so prompts of thousands of characters stay fast.

/** Rank of merging `left`+`right` (lower merges first), or undefined when the pair never merges. */
export type PairRank = (left: string, right: string) => number | undefined;

interface Candidate {
  rank: number;
  left: number; // index of the left symbol; ties go to the leftmost pair, as in llama.cpp and HF
  right: number;
  size: number; // length of left+right when queued: a pair whose symbols changed since is stale
}

/** Binary min-heap on (rank, left). */
class PairHeap {
  private readonly items: Candidate[] = [];
  get size(): number { return this.items.length; }
  private less(a: Candidate, b: Candidate): boolean { return a.rank < b.rank || (a.rank === b.rank && a.left < b.left); }
  push(c: Candidate): void {
    const h = this.items;
    h.push(c);
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  pop(): Candidate {
    const h = this.items;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
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
  const heap = new PairHeap();
  const consider = (left: number, right: number) => {
    if (left < 0 || right < 0) return;
    const r = rank(text[left], text[right]);
    if (r !== undefined) heap.push({ rank: r, left, right, size: text[left].length + text[right].length });
  };
  for (let i = 0; i + 1 < n; i++) consider(i, i + 1);

  while (heap.size > 0) {
    const c = heap.pop();
    // stale: one side was merged away or grew since this pair was queued
    if (text[c.left] === '' || text[c.right] === '' || next[c.left] !== c.right) continue;
    if (text[c.left].length + text[c.right].length !== c.size) continue;
    text[c.left] += text[c.right];
    text[c.right] = '';
    next[c.left] = next[c.right];
    if (next[c.right] >= 0) prev[next[c.right]] = c.left;
    consider(prev[c.left], c.left);
    consider(c.left, next[c.left]);
  }
  const out: string[] = [];
  for (let i = 0; i >= 0; i = next[i]) out.push(text[i]);
  return out;
}
