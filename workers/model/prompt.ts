// A request's prompt as token ids: a chat through the model's template (only the template inserts special tokens,
// model/chat.ts), or a plain prompt after BOS. With `drop_oldest`, a conversation longer than the KV cache loses its
// oldest turns (the system prompt stays) until it fits with room for the answer, and says how much it dropped; a
// plain prompt keeps its last tokens. Without it, a prompt over the context is the caller's to fix.
import type { ChatMessage, GenerateRequest } from '../api.ts';
import type { LoadedModel } from '../loader/types.ts';
import { fail } from '../errors.ts';
import { encodeChat } from './chat.ts';

export interface Prompt {
  tokens: number[];
  /** What was left out to fit the context: whole messages (chat) or tokens (a plain prompt); null when all fit. */
  dropped: { messages: number; tokens: number } | null;
}

/** Positions kept free for the answer when old turns must go: what max_tokens asks, at most half the context. */
export const answerRoom = (maxTokens: number, context: number) => Math.max(1, Math.min(maxTokens, Math.floor(context / 2)));

export function buildPrompt(model: LoadedModel, request: GenerateRequest, context: number): Prompt {
  const room = answerRoom(request.max_tokens ?? 256, context);
  const fits = (n: number) => n + room <= context;
  if (request.messages) {
    if (!model.chatTemplate) throw fail('unsupported', 'this model has no chat template: send a plain prompt instead');
    let messages = request.messages as ChatMessage[];
    let tokens = encodeChat(model, messages);
    if (!request.drop_oldest || fits(tokens.length)) return { tokens, dropped: null };
    const all = tokens.length;
    let dropped = 0;
    while (!fits(tokens.length)) {
      const next = dropOldestTurn(messages);
      if (!next) {
        throw fail('context-overflow', `the last message and the system prompt are ${tokens.length} tokens; with ${room} kept for the answer this model's context holds ${context}: shorten the message`);
      }
      dropped += messages.length - next.length;
      messages = next;
      tokens = encodeChat(model, messages);
    }
    return { tokens, dropped: { messages: dropped, tokens: all - tokens.length } };
  }
  const tokens = model.tokenizer.encode(request.prompt ?? '', { bos: true });
  if (!request.drop_oldest || fits(tokens.length)) return { tokens, dropped: null };
  const bos = model.tokenizer.bosId !== null && tokens[0] === model.tokenizer.bosId ? 1 : 0;
  const keep = context - room - bos;
  return { tokens: [...tokens.slice(0, bos), ...tokens.slice(tokens.length - keep)], dropped: { messages: 0, tokens: tokens.length - keep - bos } };
}

/** The conversation without its oldest turn (a user message and the answers after it); the system prompt and the
 * last message stay. Null when nothing more can go. */
function dropOldestTurn(messages: ChatMessage[]): ChatMessage[] | null {
  const first = messages.findIndex((m) => m.role !== 'system');
  if (first < 0 || first >= messages.length - 1) return null;
  let end = first + 1;
  while (end < messages.length - 1 && messages[end].role === 'assistant') end++;
  return [...messages.slice(0, first), ...messages.slice(end)];
}
