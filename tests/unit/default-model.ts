// Loads the embedded default model from public/models in Node, as the CLI does.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadModelFromBytes } from '../../workers/loader/index.ts';
import { DEFAULT_MODEL } from '../../workers/engine.ts';

export const defaultModelDir = fileURLToPath(new URL(`../../public/models/${DEFAULT_MODEL}/`, import.meta.url));

export const loadDefault = () => loadModelFromBytes(readdirSync(defaultModelDir).filter((f) => /\.(json|safetensors)$/.test(f))
  .map((f) => ({ name: `${DEFAULT_MODEL}/${f}`, bytes: readFileSync(defaultModelDir + f) })));
