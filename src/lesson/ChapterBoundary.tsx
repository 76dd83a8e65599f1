// A chapter that fails to draw says so in one line, and the rest of the page (and the other chapters) keep working.
import { Component, type ReactNode } from 'react';
import { oneLine } from '../engine/errors.ts';

/** `resetKey`: when it changes (the text), a failed chapter tries again. */
export class ChapterBoundary extends Component<{ children: ReactNode; resetKey: string }, { error: string | null }> {
  state = { error: null as string | null };

  static getDerivedStateFromError(e: unknown) {
    return { error: oneLine(e) };
  }

  componentDidUpdate(prev: { resetKey: string }) {
    if (prev.resetKey !== this.props.resetKey && this.state.error !== null) this.setState({ error: null });
  }

  render() {
    if (this.state.error === null) return this.props.children;
    return (
      <p role="alert" className="rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-800 dark:bg-rose-500/10 dark:text-rose-200" data-testid="lesson-error">
        This chapter could not be drawn ({this.state.error}). Change the text to try again, or move to another chapter.
      </p>
    );
  }
}
