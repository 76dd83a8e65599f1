// Chat prompts rendered with the model's own Jinja chat template (tokenizer_config.json / GGUF
// tokenizer.chat_template), by @huggingface/jinja — the same engine Transformers.js uses, so templates written
// for Hugging Face render here exactly as they do there.
import { Template } from '@huggingface/jinja';
import type { ChatMessage } from '../api.ts';
import type { LoadedModel } from '../loader/types.ts';

const compiled = new WeakMap<LoadedModel, Template>();

export function renderChat(model: LoadedModel, messages: ChatMessage[], addGenerationPrompt = true): string {
  if (!model.chatTemplate) throw new Error('this model has no chat template');
  for (const m of messages) {
    if (!['system', 'user', 'assistant'].includes(m.role) || typeof m.content !== 'string') {
      throw new Error(`invalid chat message: role must be system, user or assistant and content a string`);
    }
  }
  let template = compiled.get(model);
  if (!template) {
    try {
      template = new Template(model.chatTemplate);
    } catch (e) {
      throw new Error(`the model's chat template does not parse: ${(e as Error).message.split('\n')[0]}`, { cause: e });
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
