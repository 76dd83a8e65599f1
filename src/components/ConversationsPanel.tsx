// Saved conversations (IndexedDB, src/engine/conversations.ts): the latest first, searchable by text; new, open,
// rename, delete; export the open one and import one as JSON in OpenAI's messages format.
import { memo, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { deleteConversation, exportCurrent, importConversation, newConversation, openConversation, renameConversation } from '../engine/conversations.ts';
import { matches, titleOf, type Conversation } from '../store/conversationFormat.ts';
import { useConversations } from '../store/conversations.ts';
import { useSession } from '../store/session.ts';
import { Button, Panel, focusRing } from './ui.tsx';

// One formatter for every row: toLocaleString with options builds a new one per call (~1 ms each, the first ~10 ms).
let dateFormat: Intl.DateTimeFormat | null = null;
const when = (ms: number) => (dateFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })).format(ms);

export function ConversationsPanel() {
  const list = useConversations((s) => s.list);
  const currentId = useConversations((s) => s.currentId);
  const title = useConversations((s) => s.title);
  const query = useConversations((s) => s.query);
  const problem = useConversations((s) => s.problem);
  // what this view shows of the open conversation, not its messages: a streamed answer does not redraw the list
  const openTitle = useSession((s) => titleOf(s.messages));
  const empty = useSession((s) => s.messages.length === 0);
  const [error, setError] = useState<string | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const shown = useMemo(() => (list ?? []).filter((c) => matches(c, query)), [list, query]);
  const currentTitle = title ?? openTitle;

  const download = () => {
    const { name, json } = exportCurrent();
    const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const upload = async (f: File | undefined) => {
    if (!f) return;
    setError(null);
    try {
      await importConversation(await f.text());
    } catch (e) {
      setError(`${f.name}: ${(e as Error).message}`);
    }
    if (file.current) file.current.value = '';
  };

  return (
    <Panel
      label="Conversations"
      hint={list === null ? 'reading saved conversations…' : `${list.length} saved in this browser`}
      actions={<Button size="sm" variant="primary" onClick={() => void newConversation()}>New</Button>}
    >
      <div className="flex flex-col gap-3">
        <label className="flex flex-col gap-1 text-xs font-medium text-zinc-600 dark:text-zinc-300">
          Search conversations
          <input
            type="search"
            value={query}
            onChange={(e) => useConversations.setState({ query: e.target.value })}
            placeholder="words in a title or a message"
            className={`rounded-lg border border-zinc-300 bg-white px-2.5 py-1.5 text-sm font-normal text-zinc-900 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100 ${focusRing}`}
          />
        </label>
        <ul aria-label="Saved conversations" className="flex max-h-64 flex-col gap-1 overflow-y-auto">
          {shown.map((c) => (
            <ConversationRow key={c.id} c={c} current={c.id === currentId} title={c.id === currentId ? currentTitle : c.title} />
          ))}
          {list !== null && shown.length === 0 && (
            <li className="px-1 text-sm text-zinc-600 dark:text-zinc-300">{query ? `No conversation mentions “${query}”.` : 'None yet: what you write is saved here as you go.'}</li>
          )}
        </ul>
        <div className="flex flex-wrap items-center gap-2">
          <Button size="sm" onClick={download} disabled={empty}>Download JSON</Button>
          <Button size="sm" onClick={() => file.current?.click()}>Open a JSON file…</Button>
          <input ref={file} type="file" accept="application/json,.json" className="sr-only" tabIndex={-1}
            aria-label="Import a conversation (JSON, OpenAI messages format)" onChange={(e) => void upload(e.target.files?.[0])} />
        </div>
        {(error ?? problem) && <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">{error ?? problem}</p>}
      </div>
    </Panel>
  );
}

const ConversationRow = memo(function ConversationRow({ c, current, title }: { c: Conversation; current: boolean; title: string }) {
  const [renaming, setRenaming] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [name, setName] = useState(title);

  const commit = () => {
    setRenaming(false);
    if (name.trim() !== title) void renameConversation(c.id, name);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') commit();
    if (e.key === 'Escape') { e.stopPropagation(); setRenaming(false); setName(title); }
  };

  return (
    <li className={`flex items-center gap-1 rounded-lg px-1 py-0.5 ${current ? 'bg-indigo-50 dark:bg-indigo-500/15' : ''}`}>
      {renaming ? (
        <input
          autoFocus
          aria-label="Conversation name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={onKey}
          onBlur={commit}
          className={`min-w-0 flex-1 rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950 ${focusRing}`}
        />
      ) : (
        <button
          type="button"
          aria-current={current ? 'true' : undefined}
          onClick={() => void openConversation(c.id)}
          className={`flex min-w-0 flex-1 flex-col items-start rounded px-2 py-1 text-left ${focusRing}`}
        >
          <span className="w-full truncate text-sm font-medium text-zinc-900 dark:text-zinc-100">{title}</span>
          <span className="text-xs text-zinc-600 dark:text-zinc-300">
            {when(c.updatedAt)} · {c.messages.length} message{c.messages.length === 1 ? '' : 's'}{c.model ? ` · ${c.model}` : ''}{c.precision ? ` · ${c.precision}` : ''}
          </span>
        </button>
      )}
      {confirming ? (
        <>
          <Button size="sm" variant="danger" onClick={() => void deleteConversation(c.id)} aria-label={`Delete ${title} for good`}>Delete</Button>
          <Button size="sm" variant="ghost" onClick={() => setConfirming(false)}>Keep</Button>
        </>
      ) : (
        <>
          <Button size="sm" variant="ghost" onClick={() => { setName(title); setRenaming(true); }} aria-label={`Rename ${title}`}>Rename</Button>
          <Button size="sm" variant="ghost" onClick={() => setConfirming(true)} aria-label={`Delete ${title}`}>Delete</Button>
        </>
      )}
    </li>
  );
});
