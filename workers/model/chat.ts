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
 * content as plain text. The template is rendered once more with each content replaced by a padded marker, so the
 * cut between template text and content is known, not searched for (a search finds "sys" inside the header
 * "system"); a template that trims contents trims the padding too, and then the content goes in trimmed. If the
 * pieces don't rebuild the real rendering (a template that rewrites contents), a content holding special-token text
 * is refused rather than misread.
 */
export function encodeChat(model: LoadedModel, messages: ChatMessage[], addGenerationPrompt = true): number[] {
  const text = renderChat(model, messages, addGenerationPrompt);
  const tok = model.tokenizer;
  const marked = renderChat(model, messages.map((m, i) => ({ ...m, content: ` ${MARK}${i}${MARK} ` })), addGenerationPrompt);
  const trims = messages.length > 0 && !marked.includes(` ${MARK}0${MARK} `);
  const pieces = marked.split(trims ? new RegExp(`${MARK}(\\d+)${MARK}`) : new RegExp(` ${MARK}(\\d+)${MARK} `));
  // pieces alternate: template text, a message index, template text, ...
  const parts = pieces.map((piece, k) => k % 2 === 0
    ? { text: piece, plain: false }
    : { text: trims ? messages[Number(piece)].content.trim() : messages[Number(piece)].content, plain: true });
  if (parts.map((p) => p.text).join('') !== text) {
    if (messages.some((m) => hasSpecialText(tok, m.content))) {
      throw fail('unsupported', "this model's chat template rewrites message text, so a message can't hold special-token text like <|eot_id|> here");
    }
    return tok.encode(text, { bos: false, specials: true });
  }
  return parts.flatMap((p) => (p.text === '' ? [] : tok.encode(p.text, { bos: false, specials: !p.plain })));
}

/** A private-use character no template writes: it brackets the markers that stand in for message contents. */
const MARK = '\uE000';

const hasSpecialText = (tok: Tokenizer, s: string) =>
  tok.encode(s, { bos: false, specials: true }).join() !== tok.encode(s, { bos: false, specials: false }).join();
