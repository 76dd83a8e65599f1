// One message of the conversation. Model output is rendered as text (React text nodes), never as HTML;
// special tokens such as <|eot_id|> or </s> are shown dimmed, still as text.
import { memo, useState } from 'react';
import type { Message } from '../store/session.ts';
import { formatFigure, formatInt } from '../format.ts';
import { Button } from './ui.tsx';
import { TokenView } from './TokenView.tsx';

const SPECIAL = /(<\|[A-Za-z0-9_]+\|>|<\/?s>|<unk>)/;

function TextWithSpecials({ text }: { text: string }) {
  const parts = text.split(SPECIAL);
  return (
    <>
      {parts.map((p, i) =>
        i % 2 === 1 ? (
          <span key={i} className="rounded bg-zinc-200/60 px-0.5 font-mono text-[0.85em] text-zinc-600 dark:bg-zinc-700/60 dark:text-zinc-400">
            {p}
          </span>
        ) : (
          p
        ),
      )}
    </>
  );
}

const finishText: Record<string, string> = {
  stop: 'stopped at end of text',
  length: 'reached max tokens',
  abort: 'stopped by you',
  error: 'failed',
};

export const MessageView = memo(function MessageView(props: {
  message: Message;
  completion: boolean;
  /** Completion mode: the end of the text this continuation follows, shown dimmed for context. */
  lead?: string;
  streaming: boolean;
  canRegenerate: boolean;
  onRegenerate: () => void;
}) {
  const { message: m, completion, streaming } = props;
  const [copied, setCopied] = useState(false);
  const [showTokens, setShowTokens] = useState(false);
  const tokenView = showTokens && !streaming && (m.tokens?.length ?? 0) > 0;
  const user = m.role === 'user';
  const who = completion ? (user ? 'Prompt' : 'Continuation') : user ? 'You' : 'Model';

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(m.content);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  };

  return (
    <article
      aria-label={`${who} message`}
      className={`group flex flex-col gap-1 ${user && !completion ? 'items-end' : 'items-start'}`}
    >
      <div className="flex items-center gap-2 px-1 text-xs font-medium text-zinc-600 dark:text-zinc-400">
        <span>{who}</span>
        {streaming && (
          <span className="inline-flex items-center gap-1 text-indigo-600 dark:text-indigo-400">
            <span className="size-1.5 animate-pulse rounded-full bg-current" aria-hidden="true" />
            generating
          </span>
        )}
      </div>
      <div
        data-testid={user ? 'user-message' : 'assistant-message'}
        className={`max-w-full rounded-2xl px-4 py-2.5 text-[0.95rem] leading-relaxed break-words whitespace-pre-wrap sm:max-w-[92%] ${
          user
            ? 'bg-indigo-600 text-white dark:bg-indigo-500'
            : 'border border-zinc-200 bg-zinc-50 text-zinc-900 dark:border-zinc-700 dark:bg-zinc-800/60 dark:text-zinc-100'
        }`}
      >
        {props.lead && (
          <span className="text-zinc-500 dark:text-zinc-400" aria-hidden="true">
            …{props.lead}
          </span>
        )}
        {tokenView ? <TokenView tokens={m.tokens!} /> : <TextWithSpecials text={m.content} />}
        {streaming && <span className="ml-0.5 inline-block h-4 w-1.5 translate-y-0.5 animate-pulse bg-indigo-500" aria-hidden="true" />}
        {!streaming && !user && m.content === '' && !m.error && <span className="text-zinc-500 italic">(no text)</span>}
      </div>
      {m.interrupted && (
        <p className="px-1 text-sm text-amber-700 dark:text-amber-300">
          Interrupted: the page was closed or reloaded while this answer was being written. What was shown is kept; Regenerate writes it again.
        </p>
      )}
      {m.notice && (
        <p role="status" className="px-1 text-sm text-zinc-600 dark:text-zinc-300">
          {m.notice}
        </p>
      )}
      {m.error && (
        <p role="alert" className="px-1 text-sm text-rose-600 dark:text-rose-400">
          {m.error}
        </p>
      )}
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1 px-1 text-xs text-zinc-600 dark:text-zinc-400">
        {!user && m.usage && (
          <span className="tabular-nums">
            {formatInt(m.usage.completion_tokens)} tokens · {formatFigure(m.usage.decode_tok_s)} tok/s
            {m.finish ? ` · ${finishText[m.finish] ?? m.finish}` : ''}
          </span>
        )}
        {!user && m.seed !== undefined && <span className="tabular-nums">seed {m.seed}</span>}
        {!streaming && m.content !== '' && (
          <Button variant="ghost" size="sm" onClick={copy} aria-label={`Copy ${who.toLowerCase()} message`}>
            {copied ? 'Copied' : 'Copy'}
          </Button>
        )}
        {!user && !streaming && (m.tokens?.length ?? 0) > 0 && (
          <Button variant="ghost" size="sm" aria-pressed={showTokens} onClick={() => setShowTokens((v) => !v)}>
            Tokens
          </Button>
        )}
        {!user && props.canRegenerate && (
          <Button variant="ghost" size="sm" onClick={props.onRegenerate}>
            Regenerate
          </Button>
        )}
      </div>
    </article>
  );
});
