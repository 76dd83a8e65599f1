// The saved conversations as the list shows them, and which one the chat holds. Saving and loading live in
// src/engine/conversations.ts.
import { create } from 'zustand';
import type { Conversation } from './conversationFormat.ts';

interface ConversationsSlice {
  /** Every saved conversation, the latest first; null until IndexedDB has answered. */
  list: Conversation[] | null;
  /** The conversation the chat shows (saved as it changes). */
  currentId: string;
  createdAt: number;
  /** A name the user gave; null: the title follows the first message. */
  title: string | null;
  query: string;
  /** Why saving does not work here (private mode, storage disabled), shown once; null when it works. */
  problem: string | null;
}

export const newConversationId = () => crypto.randomUUID();

export const useConversations = create<ConversationsSlice>()(() => ({
  list: null,
  currentId: newConversationId(),
  createdAt: Date.now(),
  title: null,
  query: '',
  problem: null,
}));
