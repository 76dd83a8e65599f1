// Conversations kept in IndexedDB (idb-keyval: one small, well-kept wrapper; each conversation one record), so a
// reload, a tab crash or a lost device loses no message that was shown. The chat is saved as it changes: at most
// every 200 ms while an answer streams, at once when it ends, and when the page is hidden. An answer that was still
// streaming when the page went away comes back marked interrupted.
import { createStore, del, get, set, values, type UseStore } from 'idb-keyval';
import { encodeMap } from '../../workers/shared.ts';
import { fromOpenAI, titleOf, toOpenAI, UNTITLED, type Conversation } from '../store/conversationFormat.ts';
import { newConversationId, useConversations } from '../store/conversations.ts';
import { useEngine } from '../store/engine.ts';
import { useSession, type Message } from '../store/session.ts';
import { useSettings } from '../store/settings.ts';
import { stop } from './controller.ts';

let db: UseStore | null = null;
const store = () => (db ??= createStore('llama-fp8-playground', 'conversations'));

/** The chat as a record: its messages, the model and precision it runs on, the sampling it uses. */
function current(): Conversation {
  const c = useConversations.getState();
  const { messages, system } = useSession.getState();
  const { info } = useEngine.getState();
  const saved = c.list?.find((x) => x.id === c.currentId);
  return {
    id: c.currentId,
    title: c.title ?? titleOf(messages),
    createdAt: c.createdAt,
    updatedAt: Date.now(),
    model: info?.name ?? saved?.model ?? null,
    precision: info ? encodeMap(info.precision) : saved?.precision ?? null,
    sampling: useSettings.getState().sampling,
    system,
    messages,
  };
}

const latestFirst = (a: Conversation, b: Conversation) => b.updatedAt - a.updatedAt;

function remember(c: Conversation): void {
  const list = useConversations.getState().list ?? [];
  useConversations.setState({ list: [c, ...list.filter((x) => x.id !== c.id)].sort(latestFirst) });
}

let pending: ReturnType<typeof setTimeout> | null = null;
let writing: Promise<void> = Promise.resolve();

/** Saves the chat now (an empty new chat is not worth a record). */
export function saveNow(): Promise<void> {
  if (pending) { clearTimeout(pending); pending = null; }
  const c = current();
  if (c.messages.length === 0 && c.title === UNTITLED && !useConversations.getState().list?.some((x) => x.id === c.id)) return writing;
  remember(c);
  writing = writing.then(() => set(c.id, c, store())).catch((e: unknown) => {
    useConversations.setState({ problem: `conversations can't be saved in this browser (${(e as Error).message ?? e}): export them to keep them` });
  });
  return writing;
}

function saveSoon(): void {
  pending ??= setTimeout(() => { pending = null; void saveNow(); }, 200);
}

/** An answer that was streaming when its page went away: what was shown stays, marked as cut off. */
const reopened = (m: Message): Message => (m.role === 'assistant' && m.finish === undefined && !m.error ? { ...m, interrupted: true } : m);

/** Shows a saved conversation in the chat; `withSampling`: its sampling settings too (not on a reload, where the
 * page's link already carries the settings). */
function open(c: Conversation, withSampling: boolean): void {
  switchTo(c.id, c.createdAt, c.title === titleOf(c.messages) ? null : c.title, () => useSession.getState().replace(c.messages.map(reopened), c.system));
  if (withSampling && c.sampling) useSettings.getState().setSampling(c.sampling);
}

let switching = false;

/** Makes another conversation the chat's; the session change it brings is not a change to save over the old one. */
function switchTo(id: string, createdAt: number, title: string | null, fill: () => void): void {
  switching = true;
  try {
    useConversations.setState({ currentId: id, createdAt, title });
    fill();
  } finally {
    switching = false;
  }
}

let started = false;

/** Loads the saved list, reopens the latest conversation, and saves the chat from now on. */
export async function startConversations(): Promise<void> {
  if (started) return;
  started = true;
  let list: Conversation[] = [];
  try {
    list = ((await values(store())) as Conversation[]).filter((c) => c && typeof c.id === 'string' && Array.isArray(c.messages)).sort(latestFirst);
  } catch (e) {
    useConversations.setState({ problem: `saved conversations can't be read in this browser (${(e as Error).message ?? e})` });
  }
  useConversations.setState({ list });
  // the latest conversation comes back, unless the user already started typing into a new one
  if (list[0] && useSession.getState().messages.length === 0) {
    open(list[0], false);
    if (list[0].messages.some((m) => m.role === 'assistant' && m.finish === undefined && !m.error)) await saveNow();
  }
  useSession.subscribe((s, prev) => {
    if (switching || (s.messages === prev.messages && s.system === prev.system)) return;
    if (s.streamingId === null) void saveNow(); else saveSoon();
  });
  useSession.subscribe((s, prev) => { if (prev.streamingId !== null && s.streamingId === null) void saveNow(); });
  window.addEventListener('pagehide', () => void saveNow());
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') void saveNow(); });
}

export async function newConversation(): Promise<void> {
  stop();
  await saveNow();
  switchTo(newConversationId(), Date.now(), null, () => useSession.getState().clear());
}

export async function openConversation(id: string): Promise<void> {
  if (id === useConversations.getState().currentId) return;
  stop();
  await saveNow();
  const c = (await get(id, store())) as Conversation | undefined ?? useConversations.getState().list?.find((x) => x.id === id);
  if (c) open(c, true);
}

export async function renameConversation(id: string, title: string): Promise<void> {
  const name = title.trim().slice(0, 200);
  if (id === useConversations.getState().currentId) {
    useConversations.setState({ title: name === '' ? null : name });
    await saveNow();
    return;
  }
  const c = useConversations.getState().list?.find((x) => x.id === id);
  if (!c) return;
  const renamed = { ...c, title: name === '' ? titleOf(c.messages) : name };
  remember(renamed);
  await set(id, renamed, store());
}

export async function deleteConversation(id: string): Promise<void> {
  const { currentId, list } = useConversations.getState();
  useConversations.setState({ list: (list ?? []).filter((x) => x.id !== id) });
  await del(id, store());
  if (id === currentId) {
    stop();
    switchTo(newConversationId(), Date.now(), null, () => useSession.getState().clear());
  }
}

/** The chat in OpenAI's messages format, as a file name and its JSON text. */
export function exportCurrent(): { name: string; json: string } {
  const c = current();
  const slug = c.title.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '').slice(0, 40).toLowerCase() || 'conversation';
  return { name: `${slug}.json`, json: `${JSON.stringify(toOpenAI(c), null, 2)}\n` };
}

/** Opens a conversation from a JSON file in OpenAI's messages format; throws a one-line error if it isn't one. */
export async function importConversation(textOfFile: string): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(textOfFile);
  } catch {
    throw new Error('not a conversation in OpenAI\'s messages format: the file is not JSON');
  }
  const c = fromOpenAI(json, newConversationId(), Date.now());
  stop();
  await saveNow();
  open(c, true);
  useConversations.setState({ title: c.title });
  await saveNow();
}
