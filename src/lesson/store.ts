// The lesson's state, mirrored in the URL like every other setting (store/settings.ts), so a teacher's link reopens
// exactly this chapter, text and settings:
//
//   lesson=<chapter>   open at that chapter (tokens, embedding, attention, rope, ffn, next-token, fp8, pipeline,
//                      memory, throughput); absent: the lesson is closed
//   text=<text>        the one text every chapter runs on (absent: the sample sentence)
//   layer, head, pos   the layer, attention head and token position a chapter looks at (absent: its default)
//   rope_pos=<n>       the RoPE chapter's position slider
//   value=<number>     the FP8 chapter's value on the number line
//   projector=1        large type and strong contrast
//
// The sampling sliders of the next-token chapter are the page's own (temperature, top_k, top_p in settings.ts).
import { create } from 'zustand';
import { CHAPTER_IDS, chapterIndex, isChapterId, type ChapterId } from './chapters.ts';

export const SAMPLE_TEXT = 'Once upon a time, a little cat found 12 red apples under the old tree.';
export const DEFAULT_VALUE = '0.3';
/** The engine traces at most this many tokens (workers/api.ts TraceRequest). */
export const MAX_TRACE_TOKENS = 128;

export const LESSON_KEYS = { chapter: 'lesson', text: 'text', layer: 'layer', head: 'head', pos: 'pos', ropePos: 'rope_pos', value: 'value', projector: 'projector' } as const;

export interface LessonState {
  open: boolean;
  chapter: ChapterId;
  text: string;
  layer: number | null;
  head: number | null;
  pos: number | null;
  ropePos: number | null;
  value: string;
  projector: boolean;
}

const whole = (raw: string | null): number | null => (raw !== null && /^\d{1,7}$/.test(raw) ? Number(raw) : null);

export function lessonFromQuery(search: string): LessonState {
  const q = new URLSearchParams(search);
  const chapter = q.get(LESSON_KEYS.chapter);
  return {
    open: q.has(LESSON_KEYS.chapter),
    chapter: isChapterId(chapter) ? chapter : CHAPTER_IDS[0],
    text: q.get(LESSON_KEYS.text) ?? SAMPLE_TEXT,
    layer: whole(q.get(LESSON_KEYS.layer)),
    head: whole(q.get(LESSON_KEYS.head)),
    pos: whole(q.get(LESSON_KEYS.pos)),
    ropePos: whole(q.get(LESSON_KEYS.ropePos)),
    value: q.get(LESSON_KEYS.value) ?? DEFAULT_VALUE,
    projector: q.get(LESSON_KEYS.projector) === '1',
  };
}

/** The query string with the lesson's keys rewritten (all removed when it is closed); every other key kept. */
export function lessonToQuery(s: LessonState, search: string): string {
  const q = new URLSearchParams(search);
  for (const k of Object.values(LESSON_KEYS)) q.delete(k);
  if (s.open) {
    q.set(LESSON_KEYS.chapter, s.chapter);
    q.set(LESSON_KEYS.text, s.text);
    if (s.layer !== null) q.set(LESSON_KEYS.layer, String(s.layer));
    if (s.head !== null) q.set(LESSON_KEYS.head, String(s.head));
    if (s.pos !== null) q.set(LESSON_KEYS.pos, String(s.pos));
    if (s.ropePos !== null) q.set(LESSON_KEYS.ropePos, String(s.ropePos));
    if (s.chapter === 'fp8' || s.value !== DEFAULT_VALUE) q.set(LESSON_KEYS.value, s.value);
  }
  if (s.projector) q.set(LESSON_KEYS.projector, '1');
  return q.toString();
}

interface LessonSlice extends LessonState {
  set: (patch: Partial<LessonState>) => void;
  go: (chapter: ChapterId) => void;
  /** +1: next chapter, -1: previous (stays at the ends). */
  step: (delta: 1 | -1) => void;
}

const initial = lessonFromQuery(typeof location === 'undefined' ? '' : location.search);

export const useLesson = create<LessonSlice>()((set, get) => ({
  ...initial,
  set: (patch) => set(patch),
  go: (chapter) => set({ chapter, open: true }),
  step: (delta) => {
    const i = chapterIndex(get().chapter) + delta;
    if (i >= 0 && i < CHAPTER_IDS.length) set({ chapter: CHAPTER_IDS[i] });
  },
}));

function writeUrl(s: LessonState) {
  const query = lessonToQuery(s, location.search);
  const url = `${location.pathname}${query ? `?${query}` : ''}${location.hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(history.state, '', url);
}

if (typeof window !== 'undefined') {
  writeUrl(useLesson.getState());
  useLesson.subscribe((s) => writeUrl(s));
}
