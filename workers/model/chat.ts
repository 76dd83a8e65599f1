// Chat prompts rendered with the model's own Jinja chat template (tokenizer_config.json / GGUF
// tokenizer.chat_template), by @huggingface/jinja — the same engine Transformers.js uses, so templates written
// for Hugging Face render here exactly as they do there. encodeChat tokenizes the result so that only the template
// inserts special tokens: text a person typed is always plain text, so a message holding "<|eot_id|>" or
// "<|start_header_id|>" can't end its turn or forge another (the Hub's and llama.cpp's servers parse specials in
// the whole rendered prompt).
import { Template } from '@huggingface/jinja';
import type { ChatMessage } from '../api.ts';
import type { LoadedModel } from '../loader/types.ts';
import type { Tokenizer } from '../tokenizer/types.ts';
import { fail } from '../errors.ts';

const compiled = new WeakMap<LoadedModel, Template>();

export function renderChat(model: LoadedModel, messages: ChatMessage[], addGenerationPrompt = true): string {
  if (!model.chatTemplate) throw fail('unsupported', 'this model has no chat template: send a plain prompt instead');
  for (const m of messages) {
    if (!['system', 'user', 'assistant'].includes(m?.role) || typeof m?.content !== 'string') {
      throw fail('bad-request', `invalid chat message: role must be system, user or assistant and content a string`);
    }
  }
  let template = compiled.get(model);
  if (!template) {
    try {
      template = new Template(model.chatTemplate);
    } catch (e) {
      throw fail('bad-model', `the model's chat template does not parse: ${(e as Error).message.split('\n')[0]}`);
    }
    compiled.set(model, template);
  }
  return template.render({
    messages,
    add_generation_prompt: addGenerationPrompt,
    bos_token: model.bosToken ?? '',
    eos_token: model.eosToken ?? '',
  });
}

/**
 * The rendered conversation as token ids: the template's own text with special tokens parsed, every message's
 * content as plain text. Each content is found, in order, in the rendered text (as written, or trimmed, as templates
 * that `| trim` it write it); a template that changes a content in other ways can't be told apart from it, so such
 * a content may not hold special-token text.
 */
export function encodeChat(model: LoadedModel, messages: ChatMessage[], addGenerationPrompt = true): number[] {
  const text = renderChat(model, messages, addGenerationPrompt);
  const tok = model.tokenizer;
  const ids: number[] = [];
  let cursor = 0;
  for (const m of messages) {
    const found = locate(text, m.content, cursor);
    if (!found) {
      if (hasSpecialText(tok, m.content)) throw fail('unsupported', "this model's chat template rewrites message text, so a message can't hold special-token text like <|eot_id|> here");
      continue; // left inside the template's text; it holds no special-token text to misread
    }
    ids.push(...tok.encode(text.slice(cursor, found.start), { bos: false, specials: true }));
    ids.push(...tok.encode(text.slice(found.start, found.end), { bos: false, specials: false }));
    cursor = found.end;
  }
  ids.push(...tok.encode(text.slice(cursor), { bos: false, specials: true }));
  return ids;
}

function locate(text: string, content: string, from: number): { start: number; end: number } | null {
  if (content === '') return null;
  for (const c of [content, content.trim()]) {
    const i = c === '' ? -1 : text.indexOf(c, from);
    if (i >= 0) return { start: i, end: i + c.length };
  }
  return null;
}

const hasSpecialText = (tok: Tokenizer, s: string) =>
  tok.encode(s, { bos: false, specials: true }).join() !== tok.encode(s, { bos: false, specials: false }).join();
