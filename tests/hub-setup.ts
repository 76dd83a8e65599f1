// Vitest globalSetup of the browser project: the Hub stand-in (tests/hub-standin.ts) runs in Node, beside the test
// page, serving the embedded default model as `test/llama31-mini`, a two-shard copy of it as `test/sharded`, a
// non-Llama (`test/qwen`), an index naming a shard the repo lacks (`test/broken`) and a GGUF repo (`test/gguf`).
// Browser tests read its URL with `inject('hubEndpoint')`; the page reaches it across origins, as it reaches the Hub.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startHubStandin, writeShardedCopy } from './hub-standin.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The stand-in Hub's URL (HF_ENDPOINT). */
    hubEndpoint: string;
  }
}

const MINI = fileURLToPath(new URL('../public/models/llama31-mini/', import.meta.url));
const DIR = fileURLToPath(new URL('../.cache/hub-standin/', import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  rmSync(DIR, { recursive: true, force: true });
  const sharded = join(DIR, 'sharded');
  writeShardedCopy(MINI, sharded);
  const broken = join(DIR, 'broken');
  writeShardedCopy(MINI, broken);
  rmSync(join(broken, 'model-00002-of-00002.safetensors'));
  const qwen = join(DIR, 'qwen');
  mkdirSync(qwen, { recursive: true });
  writeFileSync(join(qwen, 'config.json'), JSON.stringify({ model_type: 'qwen2', architectures: ['Qwen2ForCausalLM'] }));
  copyFileSync(join(MINI, 'tokenizer.json'), join(qwen, 'tokenizer.json'));
  writeFileSync(join(qwen, 'model.safetensors'), new Uint8Array(64));
  const gguf = join(DIR, 'gguf');
  mkdirSync(gguf, { recursive: true });
  writeFileSync(join(gguf, 'm.Q4_K_M.gguf'), new Uint8Array(3000));
  writeFileSync(join(gguf, 'm.Q8_0.gguf'), new Uint8Array(5000));
  const hub = await startHubStandin({
    repos: {
      'test/llama31-mini': { dir: MINI }, 'test/sharded': { dir: sharded }, 'test/broken': { dir: broken },
      'test/qwen': { dir: qwen }, 'test/gguf': { dir: gguf },
    },
  });
  project.provide('hubEndpoint', hub.url);
  return () => hub.close();
}
