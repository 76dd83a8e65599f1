// The CLI with `--model hf:...` against the Hub stand-in, run as a child process with the Hub's environment
// variables (HF_ENDPOINT, HF_HOME in a temp dir, HF_TOKEN, HF_HUB_OFFLINE): the same tokens as the local folder,
// huggingface_hub's cache layout, no weight request on a second run, a truncated or corrupt blob repaired, a dropped
// connection resumed with a Range request, offline mode, one-line errors, a sharded model, `models list|rm`.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubEnv } from '../../scripts/hub/env.ts';
import { pullModel } from '../../scripts/hub/pull.ts';
import { startHubStandin, writeShardedCopy, type Standin } from '../hub-standin.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MINI = join(ROOT, 'public/models/llama31-mini');
const REPO = 'test/llama31-mini';
const TOKEN = 'hf_standin_secret_token';
let hub: Standin;
let tmp: string;
let home: string; // the HF_HOME most tests share

interface Run { code: number; stdout: string; stderr: string }

/** `npm run -s cli -- ...` as a child process (async: the stand-in answers from this process meanwhile). */
function cli(args: string[], env: Record<string, string> = {}, hfHome = home): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(HF_|HUGGING)/.test(k)));
  return new Promise((ok) => execFile(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args], {
    cwd: ROOT, env: { ...base, HF_ENDPOINT: hub.url, HF_HOME: hfHome, ...env }, maxBuffer: 16 << 20,
  }, (e, stdout, stderr) => ok({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, stdout, stderr })));
}

const generate = (model: string, env?: Record<string, string>, hfHome?: string) =>
  cli(['generate', '--model', model, '--prompt', 'Once upon a time', '--max-tokens', '12', '--json'], env, hfHome);
const tokens = (r: Run) => { expect(r.stderr.match(/^error: .*/m)?.[0] ?? '').toBe(''); return JSON.parse(r.stdout).tokens as number[]; };

/** A failed run: exit != 0 and exactly one error line, the last one. */
function oneLineError(r: Run): string {
  expect(r.code).not.toBe(0);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
  expect(errors.length, r.stderr).toBe(1);
  expect(r.stderr.trim().split('\n').at(-1)).toBe(errors[0]);
  return errors[0];
}

const repoDir = (h = home, repo = REPO) => join(h, 'hub', `models--${repo.replace('/', '--')}`);
const weights = () => hub.file(REPO, 'model.safetensors');
const cdnRequests = () => hub.stats.requests.filter((r) => r.server === 'cdn');
const cdnBytes = () => [...hub.stats.bytes].filter(([p]) => p.startsWith('/cdn/')).reduce((n, [, b]) => n + b, 0);
const sameBytes = (a: string, b: string) => readFileSync(a).equals(readFileSync(b));
let local: number[];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'hub-cli-'));
  home = join(tmp, 'home');
  const sharded = join(tmp, 'sharded');
  writeShardedCopy(MINI, sharded);
  hub = await startHubStandin({
    repos: { [REPO]: { dir: MINI, branches: { sharded } }, 'test/sharded': { dir: sharded }, 'test/gated': { dir: MINI, gated: true } },
    token: TOKEN,
  });
  local = tokens(await generate(MINI));
});

afterAll(async () => {
  await hub?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('CLI --model hf:', () => {
  it('gives the local folder\'s tokens, from a cache in huggingface_hub\'s layout', async () => {
    expect(tokens(await generate(`hf:${REPO}`))).toEqual(local);
    const dir = repoDir();
    const commit = hub.commit(REPO);
    expect(readFileSync(join(dir, 'refs/main'), 'utf8')).toBe(commit);
    const snap = join(dir, 'snapshots', commit);
    expect(readlinkSync(join(snap, 'model.safetensors'))).toBe(`../../blobs/${weights().sha256}`); // LFS: named by SHA-256
    const config = hub.file(REPO, 'config.json');
    expect(readlinkSync(join(snap, 'config.json'))).toBe(`../../blobs/${config.oid}`); // plain git file: its blob sha1
    expect(readdirSync(snap).sort()).toEqual(['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    for (const f of readdirSync(snap)) expect(sameBytes(join(snap, f), join(MINI, f)), f).toBe(true);
    expect(readdirSync(join(dir, 'blobs')).filter((b) => b.includes('.'))).toEqual([]); // nothing partial left
  });

  it('uses a model that huggingface_hub downloaded (its layout, written by hand here) without a download', async () => {
    const h = join(tmp, 'home-python');
    const commit = hub.commit(REPO);
    const dir = repoDir(h);
    mkdirSync(join(dir, 'refs'), { recursive: true });
    writeFileSync(join(dir, 'refs/main'), commit);
    for (const path of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors']) {
      const f = hub.file(REPO, path);
      const etag = f.lfs ? f.sha256 : f.oid; // file_download.py: X-Linked-Etag, else ETag
      mkdirSync(join(dir, 'blobs'), { recursive: true });
      copyFileSync(join(MINI, path), join(dir, 'blobs', etag));
      mkdirSync(join(dir, 'snapshots', commit), { recursive: true });
      symlinkSync(`../../blobs/${etag}`, join(dir, 'snapshots', commit, path));
    }
    hub.stats.reset();
    expect(tokens(await generate(`hf:${REPO}`, {}, h))).toEqual(local);
    expect(hub.stats.requests.filter((r) => r.method === 'GET' && (r.server === 'cdn' || r.path.includes('/resolve/')))).toEqual([]);
  });

  it('downloads no weights on a second run', async () => {
    hub.stats.reset();
    expect(tokens(await generate(`hf:${REPO}`))).toEqual(local);
    expect(cdnRequests()).toEqual([]);
    expect(hub.stats.requests.filter((r) => r.method === 'GET' && r.path.includes('/resolve/'))).toEqual([]);
  });

  it('repairs a truncated blob (resuming it) and a corrupt one', async () => {
    const blob = join(repoDir(), 'blobs', weights().sha256);
    truncateSync(blob, 1_000_000);
    const tokBlob = join(repoDir(), 'blobs', hub.file(REPO, 'tokenizer.json').oid);
    truncateSync(tokBlob, 100);
    hub.stats.reset();
    let r = await generate(`hf:${REPO}`);
    expect(tokens(r)).toEqual(local);
    expect(r.stderr).toContain(`the cached model.safetensors of ${REPO} has 1000000 bytes, not ${weights().bytes.length}: fetching it again`);
    expect(cdnRequests().map((x) => x.range)).toEqual(['bytes=1000000-']);
    expect(sameBytes(blob, join(MINI, 'model.safetensors'))).toBe(true);
    expect(sameBytes(tokBlob, join(MINI, 'tokenizer.json'))).toBe(true);

    const bytes = readFileSync(blob);
    bytes[2_000_000] ^= 0x55; // same size, wrong hash
    writeFileSync(blob, bytes);
    utimesSync(blob, new Date(), new Date(Date.now() + 5000));
    hub.stats.reset();
    r = await generate(`hf:${REPO}`);
    expect(tokens(r)).toEqual(local);
    expect(r.stderr).toContain('has the wrong SHA-256: fetching it again');
    expect(cdnBytes()).toBe(weights().bytes.length);
    expect(sameBytes(blob, join(MINI, 'model.safetensors'))).toBe(true);
  });

  it('leaves *.incomplete when the connection drops mid-file, and resumes it with a Range request', async () => {
    const h = join(tmp, 'home-drop');
    hub.setDropAfter(REPO, 'model.safetensors', 1_000_000);
    let r = await generate(`hf:${REPO}`, {}, h);
    expect(oneLineError(r)).toMatch(/connection dropped while downloading model\.safetensors of test\/llama31-mini .*run again to resume/);
    const blob = join(repoDir(h), 'blobs', weights().sha256);
    const kept = statSync(`${blob}.incomplete`).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(1_000_000);
    expect(existsSync(blob)).toBe(false);
    expect(existsSync(join(repoDir(h), 'snapshots', hub.commit(REPO), 'model.safetensors'))).toBe(false);
    hub.stats.reset();
    r = await generate(`hf:${REPO}`, {}, h);
    expect(tokens(r)).toEqual(local);
    expect(cdnRequests().map((x) => x.range)).toEqual([`bytes=${kept}-`]);
    expect(cdnBytes()).toBe(weights().bytes.length - kept); // not from zero
    expect(existsSync(`${blob}.incomplete`)).toBe(false);
  });

  it('works offline from the cache, and says in one line when the model is not cached', async () => {
    hub.stats.reset();
    expect(tokens(await generate(`hf:${REPO}`, { HF_HUB_OFFLINE: '1' }))).toEqual(local);
    expect(hub.stats.requests).toEqual([]);
    expect(oneLineError(await generate('hf:test/sharded', { HF_HUB_OFFLINE: '1' })))
      .toBe(`error: hf:test/sharded is not in the cache (${join(home, 'hub')}) and HF_HUB_OFFLINE is set: run once without it to download the model`);
    const unreachable = await generate(`hf:${REPO}`, { HF_ENDPOINT: 'http://127.0.0.1:1' });
    expect(tokens(unreachable)).toEqual(local); // as huggingface_hub: the Hub unreachable, the cache answers
    expect(unreachable.stderr).toMatch(/could not reach http:\/\/127\.0\.0\.1:1 .*using the cached hf:test\/llama31-mini/);
  });

  it('fails in one line for a missing repo or file and a gated repo; a token opens it and never reaches the CDN', async () => {
    const h = join(tmp, 'home-errors');
    const [repo, file, gated, wrong] = await Promise.all([
      generate('hf:test/missing', {}, h), generate(`hf:${REPO}/missing.Q4_K_M.gguf`, {}, h),
      generate('hf:test/gated', {}, h), generate('hf:test/gated', { HF_TOKEN: 'hf_wrong' }, h),
    ]);
    expect(oneLineError(repo)).toMatch(/repository test\/missing not found on .* \(HTTP 404\)/);
    expect(oneLineError(file)).toBe(`error: ${REPO} has no file missing.Q4_K_M.gguf at main (HTTP 404)`);
    expect(oneLineError(gated)).toBe(`error: test/gated is gated (HTTP 401): accept its licence at ${hub.url}/test/gated and give a token (HF_TOKEN)`);
    expect(oneLineError(wrong)).toMatch(/test\/gated is gated: the token given has no access to it \(HTTP 403\)/);
    hub.stats.reset();
    const open = await generate('hf:test/gated', { HF_TOKEN: TOKEN }, h);
    expect(tokens(open)).toEqual(local);
    expect(cdnRequests().length).toBe(1);
    expect(cdnRequests().some((x) => x.authorization)).toBe(false);
    expect(hub.stats.requests.filter((x) => x.server === 'hub').every((x) => x.authorization)).toBe(true);
    expect(open.stdout + open.stderr).not.toContain(TOKEN);
  });

  it('inspect and tokenize on a model not cached read the weights\' headers by range, never the weights', async () => {
    const fresh = join(tmp, 'inspect-home');
    hub.stats.reset();
    const r = await cli(['inspect', '--model', `hf:${REPO}`, '--json'], {}, fresh);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).tensors.length).toBeGreaterThan(10);
    expect(cdnBytes()).toBeLessThan(weights().bytes.length / 4); // the safetensors header, not the file
    expect(existsSync(join(repoDir(fresh), 'blobs', weights().sha256))).toBe(false);
    const t = await cli(['tokenize', '--model', `hf:${REPO}`, '--text', 'Once upon a time', '--json'], {}, fresh);
    expect(JSON.parse(t.stdout).tokens).toEqual(JSON.parse((await cli(['tokenize', '--model', MINI, '--text', 'Once upon a time', '--json'])).stdout).tokens);
    rmSync(fresh, { recursive: true, force: true });
  });

  it('loads a sharded model: the index and every shard it names', async () => {
    expect(tokens(await generate('hf:test/sharded'))).toEqual(local);
    const snap = join(repoDir(home, 'test/sharded'), 'snapshots', hub.commit('test/sharded'));
    expect(readdirSync(snap)).toEqual(expect.arrayContaining(['model.safetensors.index.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']));
  });

  it('lists the cached models and removes a revision (its own blobs only) or a whole repo', async () => {
    expect(tokens(await generate(`hf:${REPO}@sharded`))).toEqual(local);
    const list = JSON.parse((await cli(['models', 'list', '--json'])).stdout) as { models: { repo: string; revisions: { revision: string | null; commit: string }[]; size_bytes: number }[] };
    const mini = list.models.find((m) => m.repo === REPO)!;
    expect(list.models.map((m) => m.repo)).toEqual([REPO, 'test/sharded']);
    expect(mini.revisions).toEqual(expect.arrayContaining([{ revision: 'main', commit: hub.commit(REPO) }, { revision: 'sharded', commit: hub.commit(REPO, 'sharded') }]));
    expect(mini.size_bytes).toBeGreaterThan(2 * weights().bytes.length * 0.9);
    const table = await cli(['models', 'list']);
    expect(table.stdout).toMatch(/test\/llama31-mini\s+main \(\w{10}\), sharded \(\w{10}\)\s+\d/);

    const rm = await cli(['models', 'rm', `hf:${REPO}@sharded`]);
    expect(rm.stdout).toMatch(/^removed test\/llama31-mini@sharded \(\w{10}, [\d.]+ MB\)/);
    const blobs = readdirSync(join(repoDir(), 'blobs'));
    const shard = hub.file(REPO, 'model-00001-of-00002.safetensors', 'sharded');
    expect(blobs).not.toContain(shard.sha256);
    expect(blobs).toContain(hub.file(REPO, 'tokenizer.json').oid); // shared with main: kept
    expect(existsSync(join(repoDir(), 'refs/sharded'))).toBe(false);
    expect(tokens(await generate(`hf:${REPO}`, { HF_HUB_OFFLINE: '1' }))).toEqual(local); // main intact

    expect((await cli(['models', 'rm', `hf:${REPO}`])).stdout).toMatch(/^removed test\/llama31-mini \(/);
    expect(existsSync(repoDir())).toBe(false);
    expect(oneLineError(await cli(['models', 'rm', `hf:${REPO}`]))).toContain('test/llama31-mini is not in the cache');
  });

  it('checks the disk has room before downloading, naming bytes needed and available', async () => {
    const h = join(tmp, 'home-full');
    const env = hubEnv({ HF_ENDPOINT: hub.url, HF_HOME: h });
    const e = await pullModel(`hf:${REPO}`, { env, freeBytes: async () => 1_000_000, log: () => {} }).then(() => null, (x: unknown) => x);
    expect((e as Error).message).toMatch(/^not enough disk space in .*blobs: 3\.\d MB needed, 1\.0 MB available$/);
    expect(readdirSync(join(repoDir(h), 'blobs')).filter((b) => b.startsWith(weights().sha256))).toEqual([]);
  });
});
