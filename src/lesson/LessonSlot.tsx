// What the main bundle holds of the lesson: its header button and the slot the lesson opens in. The lesson itself
// (ten chapters, their charts and maths: LessonPanel.tsx) is a chunk of its own, fetched when it opens, so a page
// opened for chat does not download, parse and compile it before its first token.
import { Suspense, lazy, useEffect } from 'react';
import { Button } from '../components/ui.tsx';
import { useLesson } from './store.ts';

const LessonPanel = lazy(() => import('./LessonPanel.tsx').then((m) => ({ default: m.LessonPanel })));

/** Set by the header button: focus moves into the lesson once it is on screen (its chunk may still be loading). */
let focusWhenShown = false;
function shown(region: HTMLElement): void {
  if (!focusWhenShown) return;
  focusWhenShown = false;
  region.focus({ preventScroll: true }); // so the arrow keys turn its pages at once
  region.scrollIntoView({ block: 'start' });
}

export function LessonSlot() {
  const open = useLesson((s) => s.open);
  const projector = useLesson((s) => s.projector);
  useEffect(() => {
    document.documentElement.classList.toggle('projector', projector);
  }, [projector]);
  if (!open) return null;
  return (
    <Suspense fallback={<p role="status" className="px-4 py-3 text-sm text-zinc-600 dark:text-zinc-400">Opening the lesson…</p>}>
      <LessonPanel onShown={shown} />
    </Suspense>
  );
}

export function LessonButton() {
  const open = useLesson((s) => s.open);
  return (
    <Button id="lesson-toggle" size="sm" variant={open ? 'primary' : 'secondary'} aria-expanded={open} aria-controls={open ? 'lesson' : undefined}
      onClick={() => {
        focusWhenShown = !open;
        useLesson.getState().set({ open: !open });
      }}>
      Lesson
    </Button>
  );
}
