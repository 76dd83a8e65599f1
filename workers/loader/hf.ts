// Hugging Face model folders (config.json + safetensors + tokenizer.json) -> LoadedModel.
import type { LoadedModel, ProgressFn } from './types.ts';

export function loadHfModel(_files: Map<string, Uint8Array>, _onProgress?: ProgressFn): LoadedModel {
  throw new Error('Hugging Face models are not supported yet');
}
