// The lesson's chapters in order: the id a link names (?lesson=<id>), the title, and a few words for the table of
// contents. The chapters themselves live in chapters/, one file each (see registry.tsx).

export const CHAPTER_IDS = ['tokens', 'embedding', 'attention', 'rope', 'ffn', 'next-token', 'fp8', 'pipeline', 'memory', 'throughput'] as const;
export type ChapterId = (typeof CHAPTER_IDS)[number];

export interface ChapterMeta {
  id: ChapterId;
  title: string;
  /** One line for the table of contents. */
  blurb: string;
}

export const CHAPTERS: ChapterMeta[] = [
  { id: 'tokens', title: 'Tokens', blurb: 'Text becomes numbers' },
  { id: 'embedding', title: 'Embedding', blurb: 'Each number becomes a vector' },
  { id: 'attention', title: 'Attention', blurb: 'Tokens look at earlier tokens' },
  { id: 'rope', title: 'Positions (RoPE)', blurb: 'Where a token is, by rotation' },
  { id: 'ffn', title: 'Feed-forward (SwiGLU)', blurb: 'Most of the weights live here' },
  { id: 'next-token', title: 'The next token', blurb: 'Scores become a choice' },
  { id: 'fp8', title: 'FP8 numbers', blurb: 'Eight bits per weight' },
  { id: 'pipeline', title: 'Pipeline stages', blurb: 'One model on several GPUs' },
  { id: 'memory', title: 'Memory', blurb: 'Why 405B needs FP8' },
  { id: 'throughput', title: 'Speed', blurb: 'Prefill and decode' },
];

export const isChapterId = (s: string | null): s is ChapterId => s !== null && (CHAPTER_IDS as readonly string[]).includes(s);

export const chapterIndex = (id: ChapterId) => CHAPTER_IDS.indexOf(id);
