// The Lesson: a guided walk through the live model, one chapter at a time (the table of contents, Previous / Next,
// ArrowRight / ArrowLeft / Space), every chapter on the same text, every visual computed by the engine just now.
// Opened from the header or by a link (?lesson=<chapter>); everything on screen lives in the URL (store.ts).
import { useEffect, useId, useRef } from 'react';
import { Button, focusRing } from '../components/ui.tsx';
import { ChapterBoundary } from './ChapterBoundary.tsx';
import { CHAPTERS, chapterIndex, type ChapterId } from './chapters.ts';
import { pageTurn } from './keys.ts';
import { CHAPTER_VIEWS } from './registry.tsx';
import { LESSON_KEYS, SAMPLE_TEXT, lessonToQuery, useLesson } from './store.ts';
import './lesson.css';

/** onShown: called with the lesson's region once it is on screen (the header button moves focus into it). */
export function LessonPanel({ onShown }: { onShown?: (region: HTMLElement) => void }) {
  const open = useLesson((s) => s.open);
  const chapter = useLesson((s) => s.chapter);
  const projector = useLesson((s) => s.projector);
  const text = useLesson((s) => s.text);
  const region = useRef<HTMLElement>(null);
  const i = chapterIndex(chapter);
  const meta = CHAPTERS[i];
  const View = CHAPTER_VIEWS[chapter];

  useEffect(() => {
    if (open && region.current) onShown?.(region.current);
  }, [open, onShown]);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as Node | null;
      const inLesson = t === document.body || t === document.documentElement || (t !== null && region.current?.contains(t));
      if (!inLesson) return;
      const turn = pageTurn(e);
      if (turn === null) return;
      e.preventDefault();
      useLesson.getState().step(turn);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  if (!open) return null;
  const prev = CHAPTERS[i - 1], next = CHAPTERS[i + 1];
  return (
    <section ref={region} id="lesson" role="region" aria-label="Lesson" data-chapter={chapter} tabIndex={-1}
      className="lesson flex scroll-mt-2 outline-none min-w-0 flex-col rounded-2xl border border-indigo-200 bg-white shadow-sm dark:border-indigo-500/30 dark:bg-zinc-900">
      <header className="flex flex-wrap items-center gap-x-3 gap-y-2 border-b border-zinc-100 px-4 py-2.5 dark:border-zinc-800">
        <h2 className="text-sm font-semibold tracking-wide text-zinc-900 uppercase dark:text-zinc-100">Lesson</h2>
        <p className="lesson-muted text-xs text-zinc-600 dark:text-zinc-400" aria-live="polite" data-testid="lesson-position">
          Chapter {i + 1} of {CHAPTERS.length}: {meta.title}
        </p>
        <div className="ml-auto flex items-center gap-1.5">
          <Button size="sm" aria-pressed={projector} onClick={() => useLesson.getState().set({ projector: !projector })} title="Larger type and stronger contrast, for a projector">
            Projector
          </Button>
          <Button size="sm" variant="ghost" onClick={() => {
            useLesson.getState().set({ open: false });
            document.getElementById('lesson-toggle')?.focus(); // back where it was opened
          }}>Close lesson</Button>
        </div>
      </header>
      <div className="grid min-w-0 grid-cols-1 gap-4 p-4 lg:grid-cols-[15rem_minmax(0,1fr)]">
        <Contents current={chapter} />
        <div className="flex min-w-0 flex-col gap-4">
          <LessonText />
          <article aria-labelledby="lesson-chapter-title" className="flex min-w-0 flex-col gap-4" data-testid={`chapter-${chapter}`}>
            <h3 id="lesson-chapter-title" className="text-xl font-bold tracking-tight text-zinc-900 dark:text-zinc-50">
              {i + 1}. {meta.title}
            </h3>
            <ChapterBoundary key={chapter} resetKey={text}>
              <View />
            </ChapterBoundary>
          </article>
          <nav aria-label="Previous and next chapter" className="flex flex-wrap items-center gap-2 border-t border-zinc-100 pt-3 dark:border-zinc-800">
            <Button onClick={() => useLesson.getState().step(-1)} disabled={!prev}>← Previous{prev ? `: ${prev.title}` : ''}</Button>
            <Button variant="primary" onClick={() => useLesson.getState().step(1)} disabled={!next}>Next{next ? `: ${next.title}` : ''} →</Button>
            <p className="lesson-muted text-xs text-zinc-600 dark:text-zinc-400">Keys: → or Space next, ← previous (outside text boxes)</p>
          </nav>
        </div>
      </div>
    </section>
  );
}

/** The table of contents: links that reopen each chapter with this text and these settings. */
function Contents({ current }: { current: ChapterId }) {
  const state = useLesson();
  return (
    <nav aria-label="Chapters" className="min-w-0">
      <ol className="flex gap-1 overflow-x-auto pb-1 lg:flex-col lg:overflow-visible">
        {CHAPTERS.map((c, n) => {
          const here = c.id === current;
          const href = `?${lessonToQuery({ ...state, chapter: c.id }, location.search)}`;
          return (
            <li key={c.id} className="shrink-0">
              <a href={href} aria-current={here ? 'page' : undefined}
                onClick={(e) => { e.preventDefault(); state.go(c.id); }}
                className={`flex items-baseline gap-2 rounded-lg px-2.5 py-1.5 text-sm ${focusRing} ${here ? 'bg-indigo-600 text-white' : 'text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800'}`}>
                <span className="tabular-nums opacity-80">{n + 1}.</span>
                <span className="flex flex-col">
                  <span className="font-medium whitespace-nowrap">{c.title}</span>
                  <span className={`hidden text-xs lg:block ${here ? 'text-indigo-100' : 'text-zinc-600 dark:text-zinc-400'}`}>{c.blurb}</span>
                </span>
              </a>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

/** The one text every chapter runs on. */
function LessonText() {
  const text = useLesson((s) => s.text);
  const id = useId();
  return (
    <div className="flex flex-col gap-1">
      <div className="flex flex-wrap items-baseline gap-2">
        <label htmlFor={id} className="text-sm font-semibold text-zinc-800 dark:text-zinc-200">Lesson text</label>
        <span className="lesson-muted text-xs text-zinc-600 dark:text-zinc-400">every chapter runs the model on it; change it and the visuals follow</span>
        {text !== SAMPLE_TEXT && (
          <Button size="sm" variant="ghost" className="ml-auto" onClick={() => useLesson.getState().set({ text: SAMPLE_TEXT })}>Back to the sample</Button>
        )}
      </div>
      <textarea id={id} value={text} rows={2} maxLength={400} spellCheck={false} name={LESSON_KEYS.text}
        onChange={(e) => useLesson.getState().set({ text: e.target.value })}
        className={`w-full resize-y rounded-lg border border-zinc-300 bg-white px-3 py-2 text-base text-zinc-900 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100 ${focusRing}`} />
    </div>
  );
}

/** The header's button: opens the lesson (at its chapter) or closes it. */
