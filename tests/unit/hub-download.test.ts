// The resumable, verifying download (workers/hub/download.ts) into an in-memory store, the shape the browser's
// OPFS store will have: a dropped connection keeps its bytes and hash state and the next call continues with a
// Range request; a partial file without a state is re-hashed; a server that ignores Range restarts the file;
// a wrong SHA-256 discards it.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient, type FileInfo } from '../../workers/hub/client.ts';
import { downloadFile, type PartialFile } from '../../workers/hub/download.ts';
import { HubError } from '../../workers/hub/errors.ts';
import { startHubStandin, type Standin } from '../hub-standin.ts';

const MINI = fileURLToPath(new URL('../../public/models/llama31-mini/', import.meta.url));
const REPO = 'test/llama31-mini';
let hub: Standin;

/** A partial file in memory; `done` holds the committed bytes. */
function memoryPart() {
  let bytes = new Uint8Array(0);
  const s = { state: null as Uint8Array | null, done: null as Uint8Array | null, appends: 0, reads: 0 };
  const part: PartialFile = {
    size: async () => bytes.length,
    read: async (o, n) => { s.reads++; return bytes.slice(o, o + n); },
    append: async (b) => { const next = new Uint8Array(bytes.length + b.length); next.set(bytes); next.set(b, bytes.length); bytes = next; s.appends++; },
    truncate: async (n) => { bytes = bytes.slice(0, n); },
    loadState: async () => s.state,
    saveState: async (st) => { s.state = st.slice(); },
    commit: async () => { s.done = bytes; bytes = new Uint8Array(0); s.state = null; },
    discard: async () => { bytes = new Uint8Array(0); s.state = null; },
  };
  return { part, s, bytes: () => bytes, set: (b: Uint8Array) => { bytes = b.slice(); } };
}

const cdnBytes = () => [...hub.stats.bytes].filter(([p]) => p.startsWith('/cdn/')).reduce((n, [, b]) => n + b, 0);
const cdnRanges = () => hub.stats.requests.filter((r) => r.server === 'cdn').map((r) => r.range);

beforeAll(async () => { hub = await startHubStandin({ repos: { [REPO]: { dir: MINI } } }); });
afterAll(async () => { await hub?.close(); });

describe('downloadFile', () => {
  let info: FileInfo;
  let client: HubClient;
  beforeAll(async () => {
    client = new HubClient({ endpoint: hub.url });
    info = await client.fileInfo(REPO, 'main', 'model.safetensors');
  });
  const served = () => hub.file(REPO, 'model.safetensors').bytes;

  it('resumes a dropped download from its bytes and hash state, without fetching them again', async () => {
    const m = memoryPart();
    hub.stats.reset();
    hub.setDropAfter(REPO, 'model.safetensors', 1_500_000);
    const e = await downloadFile(client, info, m.part).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(HubError);
    expect(e).toMatchObject({ code: 'Network', resumable: true });
    expect((e as Error).message).toMatch(/connection dropped while downloading model\.safetensors .*run again to resume/);
    const kept = m.bytes().length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(1_500_000);
    expect(m.s.state).not.toBeNull();
    const progress: number[] = [];
    const r = await downloadFile(client, info, m.part, (p) => progress.push(p.done));
    expect(r).toEqual({ resumedFrom: kept, fetched: info.size - kept });
    expect(m.s.reads).toBe(0); // the saved state covered the kept bytes: nothing re-read
    expect(Buffer.from(m.s.done!).equals(Buffer.from(served()))).toBe(true);
    expect(cdnRanges()).toEqual([null, `bytes=${kept}-`]);
    expect(cdnBytes()).toBe(1_500_000 + info.size - kept); // what was cut, then only the rest
    expect(progress.at(-1)).toBe(info.size);
  });

  it('re-hashes a partial file that has no saved state (an interrupted huggingface_hub download)', async () => {
    const m = memoryPart();
    m.set(served().subarray(0, 1_000_000));
    hub.stats.reset();
    const r = await downloadFile(client, info, m.part);
    expect(r.resumedFrom).toBe(1_000_000);
    expect(m.s.reads).toBeGreaterThan(0);
    expect(Buffer.from(m.s.done!).equals(Buffer.from(served()))).toBe(true);
    expect(cdnRanges()).toEqual(['bytes=1000000-']);
  });

  it('discards a file whose SHA-256 is wrong, in one line', async () => {
    const m = memoryPart();
    const bad = served().slice(0, 1_000_000);
    bad[1234] ^= 0xff;
    m.set(bad);
    const e = await downloadFile(client, info, m.part).then(() => null, (x: unknown) => x);
    expect(e).toMatchObject({ code: 'Integrity' });
    expect((e as Error).message).toMatch(/model\.safetensors of test\/llama31-mini has the wrong SHA-256 .*discarded it; run again/);
    expect(m.bytes().length).toBe(0);
    expect(m.s.done).toBeNull();
  });

  it('starts over when the server ignores the Range header (200 instead of 206)', async () => {
    const noRange: typeof fetch = (input, init) => {
      const headers = { ...(init?.headers as Record<string, string>) };
      delete headers.Range;
      return fetch(input, { ...init, headers });
    };
    const m = memoryPart();
    m.set(served().subarray(0, 500_000));
    const r = await downloadFile(new HubClient({ endpoint: hub.url, fetch: noRange }), info, m.part);
    expect(r.fetched).toBe(info.size);
    expect(Buffer.from(m.s.done!).equals(Buffer.from(served()))).toBe(true);
  });

  it('checks the size of a plain (non-LFS) file and streams it in pieces', async () => {
    const tok = await client.fileInfo(REPO, 'main', 'tokenizer.json');
    expect(tok.sha256).toBeNull();
    const m = memoryPart();
    await downloadFile(client, tok, m.part);
    expect(m.s.done!.length).toBe(tok.size);
    const short = await downloadFile(client, { ...tok, size: tok.size - 10 }, memoryPart().part).then(() => null, (x: unknown) => x);
    expect(short).toMatchObject({ code: 'Integrity' });
  });
});
