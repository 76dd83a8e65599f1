// The conversation: messages as the user sees them, plus the per-answer facts (finish reason, usage, seed).
import { create } from 'zustand';
import type { FinishReason, TokenLogprob, Usage } from '../../workers/api.ts';

export interface Message {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  /** Assistant only: set when the answer is complete. */
  finish?: FinishReason;
  usage?: Usage;
  seed?: number;
  error?: string;
  /** Assistant only: the answer was cut off by a reload, a crash or a closed tab (what was shown is kept). */
  interrupted?: boolean;
  /** Assistant only: what the engine said about this answer (old turns dropped to fit, a recovered device). */
  notice?: string;
  /** Assistant only, when logprobs were asked for: each token with its log-probability and the top alternatives. */
  tokens?: TokenLogprob[];
}

interface SessionSlice {
  messages: Message[];
  /** The system prompt a conversation carries (an imported one), sent first; null: none. */
  system: string | null;
  /** Id of the assistant message being streamed, or null. */
  streamingId: number | null;
  add: (m: Omit<Message, 'id'>) => number;
  append: (id: number, text: string) => void;
  update: (id: number, patch: Partial<Message>) => void;
  /** Drop the last assistant answer (for regenerate); returns the messages that remain. */
  dropLastAnswer: () => Message[];
  setStreaming: (id: number | null) => void;
  clear: () => void;
  /** Replace the conversation (opening a saved one). */
  replace: (messages: Message[], system: string | null) => void;
}

let nextId = 1;

export const useSession = create<SessionSlice>()((set, get) => ({
  messages: [],
  system: null,
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
  clear: () => set({ messages: [], system: null }),
  replace: (messages, system) => {
    nextId = Math.max(nextId, ...messages.map((m) => m.id + 1));
    set({ messages, system });
  },
}));
