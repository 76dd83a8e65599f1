// A Hugging Face model folder by URL (the embedded default model is one): its JSON files and its weights are asked
// for at once, so an unsharded folder costs no round trip waiting for the index's 404; a sharded folder's shards
// come from the index; a folder with neither says which file is missing.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openModelFiles } from '../../workers/loader/open.ts';
import { readAll } from '../../workers/loader/source.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

/** A static server over `files` (name -> body) that logs each request as it arrives, with the files pending so far. */
function folder(files: Record<string, Uint8Array>, log: { name: string; pending: number }[]) {
  let pending = 0;
  return async (url: string, init?: RequestInit): Promise<Response> => {
    const name = new URL(url).pathname.split('/').pop()!;
    log.push({ name, pending: ++pending });
    await new Promise((r) => setTimeout(r, 5)); // a round trip: requests made at once overlap
    pending--;
    const body = files[name];
    if (!body) return new Response('not found', { status: 404, statusText: 'Not Found' });
    const m = /^bytes=(\d+)-(\d+)$/.exec(new Headers(init?.headers).get('range') ?? '');
    if (!m) return new Response(body.slice(), { status: 200 });
    const [a, b] = [Number(m[1]), Math.min(Number(m[2]), body.length - 1)];
    return new Response(body.slice(a, b + 1), { status: 206, headers: { 'content-range': `bytes ${a}-${b}/${body.length}` } });
  };
}

const json = { 'config.json': bytes('{}'), 'tokenizer.json': bytes('{}') };

describe('a model folder by URL', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('asks for model.safetensors together with the JSON files and the index', async () => {
    const log: { name: string; pending: number }[] = [];
    vi.stubGlobal('fetch', folder({ ...json, 'model.safetensors': bytes('weights') }, log));
    const files = await openModelFiles({ kind: 'url', url: 'https://host.test/m/' }, 'https://host.test/', 'x');
    expect(files.map((f) => f.name)).toEqual(['m/config.json', 'm/tokenizer.json', 'm/model.safetensors']);
    expect(new TextDecoder().decode(await readAll(files[2].source))).toBe('weights');
    // the first request of each file went out before any answer came back (all six pending at once)
    const firsts = log.filter((r, i) => log.findIndex((q) => q.name === r.name) === i);
    expect(firsts.map((r) => r.name).sort()).toEqual(['config.json', 'generation_config.json', 'model.safetensors', 'model.safetensors.index.json', 'tokenizer.json', 'tokenizer_config.json']);
    expect(Math.max(...firsts.map((r) => r.pending))).toBe(6);
  });

  it('reads a sharded folder\'s shards from its index', async () => {
    const log: { name: string; pending: number }[] = [];
    const index = bytes(JSON.stringify({ weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors', c: 'model-00001-of-00002.safetensors' } }));
    vi.stubGlobal('fetch', folder({ ...json, 'model.safetensors.index.json': index, 'model-00001-of-00002.safetensors': bytes('one'), 'model-00002-of-00002.safetensors': bytes('two') }, log));
    const files = await openModelFiles({ kind: 'url', url: 'https://host.test/m/' }, 'https://host.test/', 'x');
    expect(files.map((f) => f.name)).toEqual(['m/config.json', 'm/tokenizer.json', 'm/model.safetensors.index.json', 'm/model-00001-of-00002.safetensors', 'm/model-00002-of-00002.safetensors']);
  });

  it('says which file is missing when a folder has neither model.safetensors nor an index', async () => {
    vi.stubGlobal('fetch', folder({ ...json }, []));
    await expect(openModelFiles({ kind: 'url', url: 'https://host.test/m/' }, 'https://host.test/', 'x'))
      .rejects.toThrow('could not download https://host.test/m/model.safetensors: HTTP 404 Not Found');
  });

  it('says so when a required JSON file is missing, even while the weights are on their way', async () => {
    vi.stubGlobal('fetch', folder({ 'tokenizer.json': bytes('{}'), 'model.safetensors': bytes('w') }, []));
    await expect(openModelFiles({ kind: 'url', url: 'https://host.test/m/' }, 'https://host.test/', 'x'))
      .rejects.toThrow('could not download https://host.test/m/config.json: HTTP 404 Not Found');
  });
});
