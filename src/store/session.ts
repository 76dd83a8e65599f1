// The conversation: messages as the user sees them, plus the per-answer facts (finish reason, usage, seed).
import { create } from 'zustand';
import type { FinishReason, Usage } from '../../workers/api.ts';

export interface Message {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  /** Assistant only: set when the answer is complete. */
  finish?: FinishReason;
  usage?: Usage;
  seed?: number;
  error?: string;
}

interface SessionSlice {
  messages: Message[];
  /** Id of the assistant message being streamed, or null. */
  streamingId: number | null;
  add: (m: Omit<Message, 'id'>) => number;
  append: (id: number, text: string) => void;
  update: (id: number, patch: Partial<Message>) => void;
  /** Drop the last assistant answer (for regenerate); returns the messages that remain. */
  dropLastAnswer: () => Message[];
  setStreaming: (id: number | null) => void;
  clear: () => void;
}

let nextId = 1;

export const useSession = create<SessionSlice>()((set, get) => ({
  messages: [],
  streamingId: null,
  add: (m) => {
    const id = nextId++;
    set((st) => ({ messages: [...st.messages, { ...m, id }] }));
    return id;
  },
  append: (id, text) =>
    set((st) => ({ messages: st.messages.map((m) => (m.id === id ? { ...m, content: m.content + text } : m)) })),
  update: (id, patch) => set((st) => ({ messages: st.messages.map((m) => (m.id === id ? { ...m, ...patch } : m)) })),
  dropLastAnswer: () => {
    const msgs = get().messages;
    const last = msgs.at(-1);
    const kept = last?.role === 'assistant' ? msgs.slice(0, -1) : msgs;
    set({ messages: kept });
    return kept;
  },
  setStreaming: (streamingId) => set({ streamingId }),
  clear: () => set({ messages: [] }),
}));
