// Streaming detokenization: tokens arrive one at a time, but a character may span several byte-fallback or
// byte-level tokens (an emoji is 4 bytes), so text is released only once its UTF-8 sequence is complete.
// Reference: WHATWG Encoding Standard, UTF-8 decoder (streaming; each maximal invalid subpart becomes U+FFFD).
import type { Tokenizer } from './types.ts';

/** Incremental UTF-8 decoder: push bytes, get the text completed so far; partial sequences wait for more bytes. */
export class Utf8Stream {
  private readonly decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

  push(bytes: Uint8Array): string {
    return this.decoder.decode(bytes, { stream: true });
  }

  /** End of stream: an unfinished sequence becomes U+FFFD. */
  flush(): string {
    return this.decoder.decode();
  }
}

/** Token ids in, text out: the engine's streaming decode (BOS and other special tokens are not shown). */
export class TokenTextStream {
  private readonly utf8 = new Utf8Stream();
  private prev: number | undefined;
  constructor(private readonly tokenizer: Tokenizer) {}

  push(id: number): string {
    const prev = this.prev;
    this.prev = id;
    if (this.tokenizer.specialIds.has(id)) return '';
    return this.utf8.push(this.tokenizer.tokenBytes(id, prev));
  }

  /** Starts a new text after `prevId` (e.g. the last prompt token), so the first piece is decoded in context. */
  reset(prevId?: number): void {
    this.prev = prevId;
    this.utf8.flush();
  }

  flush(): string { return this.utf8.flush(); }
}
