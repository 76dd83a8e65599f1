// The conversation: messages streaming in as tokens arrive, and the composer (Enter sends, Shift+Enter is a new
// line, Esc stops). With a chat template the model answers messages; without one it continues the raw text.
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { clearConversation, regenerate, send, stop } from '../engine/controller.ts';
import { useEngine } from '../store/engine.ts';
import { useSession } from '../store/session.ts';
import { useRemote } from '../store/remote.ts';
import { MessageView } from './MessageView.tsx';
import { Button, Panel, focusRing } from './ui.tsx';

const SUGGESTIONS = {
  completion: ['Once upon a time', 'The little dog was', 'Lily and Ben went to the park.'],
  chat: ['Explain FP8 in two sentences.', 'Tell me a short story about a llama.', 'What is grouped-query attention?'],
};

export function ChatPanel() {
  const messages = useSession((s) => s.messages);
  const system = useSession((s) => s.system);
  const streamingId = useSession((s) => s.streamingId);
  const info = useEngine((s) => s.info);
  const loading = useEngine((s) => s.loading);
  const [draft, setDraft] = useState('');
  const listRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const stickToBottom = useRef(true);

  const remote = useRemote((s) => s.connected);
  const completion = !remote && info !== null && !info.hasChatTemplate; // a remote server takes messages
  const generating = streamingId !== null;
  const ready = remote || (info !== null && loading === null);
  const canSend = ready && !generating && draft.trim() !== '';

  // Follow the stream while the reader is at the bottom; leave them alone when they scrolled up.
  useLayoutEffect(() => {
    const el = listRef.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [messages]);

  // Esc stops generation anywhere on the page.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape' && useSession.getState().streamingId !== null) stop();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const submit = () => {
    if (!canSend) return;
    const text = draft;
    setDraft('');
    stickToBottom.current = true;
    void send(text);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  const lastAssistant = messages.findLast((m) => m.role === 'assistant');
  const mode = remote ? 'Remote chat' : info === null ? null : completion ? 'Completion mode' : 'Chat mode';
  const modeHint = remote
    ? 'streamed from the Remote engine'
    : completion
      ? 'no chat template: the model continues your text'
      : "the model's chat template formats the conversation";

  return (
    <Panel
      label="Chat"
      className="h-[78dvh] min-h-[28rem] lg:sticky lg:top-4 lg:h-[calc(100dvh-6.5rem)]"
      bodyClassName="flex min-h-0 flex-1 flex-col"
      hint={
        mode && (
          <span data-testid="chat-mode">
            <span className="rounded-full bg-indigo-50 px-2 py-0.5 font-medium text-indigo-700 dark:bg-indigo-500/15 dark:text-indigo-300">
              {mode}
            </span>{' '}
            <span className="hidden sm:inline">{modeHint}</span>
          </span>
        )
      }
      actions={
        <Button variant="ghost" size="sm" onClick={clearConversation} disabled={messages.length === 0}>
          Clear
        </Button>
      }
    >
      <div
        ref={listRef}
        role="log"
        aria-label="Conversation"
        aria-live="polite"
        aria-busy={generating}
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
        }}
        className={`flex min-h-0 flex-1 flex-col gap-4 overflow-y-auto px-4 py-4 [contain:strict] ${focusRing}`}
      >
        {system && (
          <p className="rounded-lg border border-dashed border-zinc-300 px-3 py-2 text-sm whitespace-pre-wrap text-zinc-600 dark:border-zinc-700 dark:text-zinc-300">
            <span className="font-medium">System prompt: </span>
            {system}
          </p>
        )}
        {messages.length === 0 ? (
          <EmptyState
            ready={ready}
            completion={completion}
            onPick={(t) => {
              setDraft(t);
              inputRef.current?.focus();
            }}
          />
        ) : (
          messages.map((m, i) => {
            const prev = messages[i - 1];
            return (
              <MessageView
                key={m.id}
                message={m}
                completion={completion}
                lead={completion && m.role === 'assistant' && prev ? prev.content.slice(-48) : undefined}
                streaming={m.id === streamingId}
                canRegenerate={m === lastAssistant && !generating && ready}
                onRegenerate={regenerate}
              />
            );
          })
        )}
      </div>

      <form
        className="border-t border-zinc-100 p-3 dark:border-zinc-800"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label htmlFor="chat-input" className="sr-only">
          Message
        </label>
        <div className="flex items-end gap-2">
          <textarea
            id="chat-input"
            ref={inputRef}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKeyDown}
            rows={2}
            placeholder={
              completion ? 'Write the start of a text; the model continues it…' : info ? 'Write a message…' : 'Load a model to start'
            }
            className={`max-h-48 min-h-[3.25rem] flex-1 resize-y rounded-xl border border-zinc-300 bg-white px-3 py-2.5 text-[0.95rem] text-zinc-900 placeholder:text-zinc-400 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100 dark:placeholder:text-zinc-500 ${focusRing}`}
          />
          <div className="flex flex-col gap-1.5 sm:flex-row">
            <Button type="submit" variant="primary" disabled={!canSend}>
              Send
            </Button>
            <Button variant="secondary" onClick={stop} disabled={!generating}>
              Stop
            </Button>
          </div>
        </div>
        <p className="mt-1.5 hidden px-1 text-xs text-zinc-600 sm:block dark:text-zinc-400">
          <kbd className="font-sans font-semibold">Enter</kbd> sends · <kbd className="font-sans font-semibold">Shift+Enter</kbd> new line ·{' '}
          <kbd className="font-sans font-semibold">Esc</kbd> stops
        </p>
      </form>
    </Panel>
  );
}

function EmptyState(props: { ready: boolean; completion: boolean; onPick: (text: string) => void }) {
  if (!props.ready) {
    return (
      <div className="m-auto max-w-sm text-center text-sm text-zinc-600 dark:text-zinc-400">
        The conversation starts once a model is loaded. Open one in the Model panel, or drop a .gguf file or a model
        folder anywhere on the page.
      </div>
    );
  }
  const list = props.completion ? SUGGESTIONS.completion : SUGGESTIONS.chat;
  return (
    <div className="m-auto flex max-w-md flex-col items-center gap-3 text-center">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        {props.completion
          ? 'This model has no chat template, so it continues whatever text you give it. Try:'
          : 'Ask the model something. Try:'}
      </p>
      <div className="flex flex-wrap justify-center gap-2">
        {list.map((t) => (
          <Button key={t} variant="secondary" size="sm" onClick={() => props.onPick(t)}>
            {t}
          </Button>
        ))}
      </div>
    </div>
  );
}
