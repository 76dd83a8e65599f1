// Models from the Hugging Face Hub in the page, against the stand-in Hub (tests/hub-standin.ts: the Hub's URL
// layout and headers, LFS files 302'd to a CDN on another origin, CORS, byte counters). The page is pointed at it
// through the endpoint setting in localStorage, as a person would through "Advanced". Each test has a fresh
// browser context, so a fresh OPFS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startHubStandin, writeShardedCopy, type Standin } from '../tests/hub-standin.ts';
import { hasDefaultModel, requireDefaultModel, root, shot } from './helpers.ts';

const MINI = resolve(root, 'public/models/llama31-mini');
const SHARD1 = 'model-00001-of-00002.safetensors';
const TOKEN = 'hf_e2e_standin_token';
let dir: string;
let hub: Standin;

const repos = () => ({ 'test/sharded': { dir: join(dir, 'sharded') }, 'test/gated': { dir: join(dir, 'sharded'), gated: true } });

test.beforeAll(async () => {
  if (!hasDefaultModel) return;
  dir = mkdtempSync(join(tmpdir(), 'hub-e2e-'));
  writeShardedCopy(MINI, join(dir, 'sharded'));
  hub = await startHubStandin({ repos: repos(), token: TOKEN });
});
test.afterAll(async () => {
  await hub?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
test.beforeEach(() => {
  requireDefaultModel('the stand-in Hub serves it');
  hub.stats.reset();
});

/** The app with the Hub endpoint set to the stand-in (before any script of the page runs), the default model loaded. */
async function openApp(page: Page, endpoint: string, query = ''): Promise<void> {
  await page.addInitScript((url) => localStorage.setItem('hub-endpoint', url), endpoint);
  await page.goto(`/${query}`);
  await expect(page.getByRole('region', { name: 'Model' }).getByTestId('model-name')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('progressbar')).toHaveCount(0, { timeout: 60_000 });
}

async function loadFromHub(page: Page, id: string): Promise<void> {
  const model = page.getByRole('region', { name: 'Model' });
  await model.getByLabel('Hub model id').fill(id);
  await model.getByRole('button', { name: 'Load from the Hub' }).click();
}

async function loaded(page: Page, id: string): Promise<void> {
  await expect(page.getByRole('region', { name: 'Model' }).getByText(`from ${id}`, { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('progressbar')).toHaveCount(0, { timeout: 60_000 });
}

const loadError = (page: Page) => page.getByRole('region', { name: 'Model' }).getByTestId('load-error');
const deviceModels = (page: Page) => page.getByRole('group', { name: 'Models on this device' }).getByTestId('device-model');
const cdnPath = (path: string) => `/cdn/${hub.file('test/sharded', path).sha256}`;

test('a sharded model by id: both progress bars move; reloaded with the Hub gone, it loads from this device', async ({ page }) => {
  const own = await startHubStandin({ repos: repos(), token: TOKEN }); // stopped halfway through this test
  try {
    own.setRate(1_200_000); // about 3 s for the 3.3 MB model: long enough to watch
    await openApp(page, own.url);
    await loadFromHub(page, 'test/sharded');
    const total = page.getByRole('progressbar', { name: 'Downloading hf:test/sharded' });
    const now = async () => Number((await total.getAttribute('aria-valuenow').catch(() => null)) ?? NaN);
    await expect.poll(now, { timeout: 20_000, intervals: [50] }).toBeGreaterThan(0);
    const first = await now();
    await expect.poll(now, { timeout: 20_000, intervals: [50] }).toBeGreaterThan(first);
    await expect(page.getByRole('progressbar', { name: `Downloading file ${SHARD1}` }).or(
      page.getByRole('progressbar', { name: 'Downloading file model-00002-of-00002.safetensors' }))).toBeVisible();
    await expect(total).toHaveAttribute('aria-valuetext', /MB of .* MB · [\d.]+ MB\/s · \d+ s left/, { timeout: 10_000 });
    await shot(page, 'hub-1-download-1280-light');
    await loaded(page, 'hf:test/sharded');
    expect(page.url()).toContain('model=hf%3Atest%2Fsharded'); // the link opens it
    await expect(deviceModels(page)).toHaveCount(1);
    await expect(deviceModels(page)).toContainText('test/sharded');
    await expect(deviceModels(page)).toContainText('main → ');
    const chat = page.getByRole('region', { name: 'Chat' }).getByRole('textbox', { name: 'Message', exact: true });
    await expect(chat).toBeEnabled();

    own.stats.reset();
    await own.close();
    await page.reload(); // the link's model=hf:test/sharded loads by itself
    await loaded(page, 'hf:test/sharded');
    await expect(page.getByRole('region', { name: 'Model' }).getByText(/loaded the copy of hf:test\/sharded on this device/)).toBeVisible();
    await expect(loadError(page)).toHaveCount(0);
    expect(own.stats.requests).toEqual([]);
    await shot(page, 'hub-2-from-device-1280-light');
  } finally {
    await own.close();
  }
});

test('a dropped connection resumes with a Range request where it stopped', async ({ page }) => {
  await openApp(page, hub.url);
  const size = hub.file('test/sharded', SHARD1).bytes.length;
  hub.setDropAfter('test/sharded', SHARD1, 1_100_000);
  hub.setRate(4_000_000); // paced like a network, so the bytes before the cut arrive before it
  try {
    await loadFromHub(page, 'test/sharded');
    await expect(loadError(page)).toHaveText(/connection dropped while downloading model-00001-of-00002\.safetensors of test\/sharded \(\d+ of \d+ bytes kept.*load it again to resume/, { timeout: 30_000 });
  } finally {
    hub.setRate(null);
  }
  const message = await loadError(page).innerText();
  expect(message).not.toContain('\n');
  // What the page kept: every byte before the cut, except that Chromium may drop the last piece it had not yet handed
  // to the reader when the connection closed early (seen in CI: 1048576 of the 1100000 sent). The resume asks for
  // exactly the bytes after what was kept.
  const kept = Number(/\((\d+) of \d+ bytes kept/.exec(message)![1]);
  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThanOrEqual(1_100_000);
  await expect(deviceModels(page)).toContainText('partial');
  await page.getByRole('region', { name: 'Model' }).getByRole('button', { name: 'Load from the Hub' }).click();
  await loaded(page, 'hf:test/sharded');
  const ranges = hub.stats.requests.filter((r) => r.server === 'cdn' && r.path === cdnPath(SHARD1)).map((r) => r.range);
  expect(ranges).toContain(`bytes=${kept}-`);
  expect(hub.stats.bytes.get(cdnPath(SHARD1))).toBeLessThan(2 * size);
  expect(hub.stats.bytes.get(cdnPath(SHARD1))).toBeGreaterThanOrEqual(size);
});

test('a page reload and Cancel mid-download: each resumes where it stopped', async ({ page }) => {
  await openApp(page, hub.url);
  const model = page.getByRole('region', { name: 'Model' });
  const SHARD2 = 'model-00002-of-00002.safetensors';
  const pct = (file: string) => async () =>
    Number((await page.getByRole('progressbar', { name: `Downloading file ${file}` }).getAttribute('aria-valuenow', { timeout: 50 }).catch(() => null)) ?? -1);
  hub.setRate(600_000);
  try {
    await loadFromHub(page, 'test/sharded');
    await expect.poll(pct(SHARD1), { timeout: 20_000, intervals: [50] }).toBeGreaterThan(20); // its first MB is stored
    await page.reload(); // the worker and its download end here
    await expect(model.getByText('from embedded default model')).toBeVisible({ timeout: 60_000 });
    await expect(deviceModels(page)).toContainText('partial');
    await loadFromHub(page, 'test/sharded');
    await expect.poll(pct(SHARD2), { timeout: 20_000, intervals: [50] }).toBeGreaterThan(20);
    await model.getByRole('button', { name: 'Cancel download' }).click();
    await expect(loadError(page)).toHaveText(/^Cancelled the download of hf:test\/sharded \(model-00002-of-00002\.safetensors: [\d.]+ [kM]B of [\d.]+ MB kept\): load it again to resume$/);
  } finally {
    hub.setRate(null);
  }
  await model.getByRole('button', { name: 'Load from the Hub' }).click();
  await loaded(page, 'hf:test/sharded');
  for (const shard of [SHARD1, SHARD2]) {
    const starts = hub.stats.requests.filter((r) => r.server === 'cdn' && r.path === cdnPath(shard)).map((r) => Number(/bytes=(\d+)-/.exec(r.range ?? '')?.[1] ?? 0));
    expect(starts).toEqual([0, expect.any(Number)]);
    expect(starts[1]).toBeGreaterThan(0);
    expect(hub.stats.bytes.get(cdnPath(shard))).toBeLessThan(1.5 * hub.file('test/sharded', shard).bytes.length);
  }
});

test('a tampered file is rejected and nothing is kept as complete; Delete frees the storage', async ({ page }) => {
  await openApp(page, hub.url);
  hub.setTamper('test/sharded', SHARD1, true);
  try {
    await loadFromHub(page, 'test/sharded');
    await expect(loadError(page)).toHaveText(/model-00001-of-00002\.safetensors of test\/sharded has the wrong SHA-256 .*discarded it/, { timeout: 30_000 });
  } finally {
    hub.setTamper('test/sharded', SHARD1, false);
  }
  const sha = hub.file('test/sharded', SHARD1).sha256;
  const stored = await page.evaluate(async (etag) => {
    const repo = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('hub')).getDirectoryHandle('models--test--sharded');
    const names = async (d: FileSystemDirectoryHandle) => { const out: string[] = []; for await (const k of (d as unknown as { keys(): AsyncIterable<string> }).keys()) out.push(k); return out; };
    const blobs = await names(await repo.getDirectoryHandle('blobs'));
    const snapshots = await repo.getDirectoryHandle('snapshots').then(names, () => []);
    return { blob: blobs.includes(etag), partial: blobs.some((b) => b.startsWith(`${etag}.incomplete`)), snapshots };
  }, sha);
  expect(stored).toEqual({ blob: false, partial: false, snapshots: [] });
  await expect(deviceModels(page)).toContainText('partial'); // the small files stay; the model is not complete

  await page.getByRole('region', { name: 'Model' }).getByRole('button', { name: 'Load from the Hub' }).click();
  await loaded(page, 'hf:test/sharded');
  const usage = () => page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
  const before = await usage();
  const device = page.getByRole('group', { name: 'Models on this device' });
  await device.getByRole('button', { name: 'Delete test/sharded' }).click();
  await device.getByRole('button', { name: 'Confirm delete test/sharded' }).click();
  await expect(deviceModels(page)).toHaveCount(0);
  await expect.poll(usage).toBeLessThan(before - 3_000_000);
});

test('a gated repo: one line with a link to its page; with a token it loads, and the token never reaches the CDN', async ({ page }) => {
  await openApp(page, hub.url);
  await loadFromHub(page, 'test/gated');
  await expect(loadError(page)).toHaveText(/test\/gated is gated \(HTTP 401\): accept its licence at .* and paste a token/, { timeout: 30_000 });
  const model = page.getByRole('region', { name: 'Model' });
  await expect(model.getByRole('link', { name: 'its page on the Hub' })).toHaveAttribute('href', `${hub.url}/test/gated`);
  await model.getByLabel('Hub token').fill(TOKEN);
  await model.getByRole('button', { name: 'Load from the Hub' }).click();
  await loaded(page, 'hf:test/gated');
  const hubGets = hub.stats.requests.filter((r) => r.server === 'hub' && r.path.startsWith('test/gated/resolve/') && r.status !== 401);
  expect(hubGets.length).toBeGreaterThan(0);
  expect(hubGets.every((r) => r.authorization)).toBe(true);
  const cdn = hub.stats.requests.filter((r) => r.server === 'cdn');
  expect(cdn.length).toBeGreaterThan(0);
  expect(cdn.filter((r) => r.authorization)).toEqual([]);
  // kept for this tab only, and never in the address
  expect(await page.evaluate(() => [sessionStorage.getItem('hub-token'), localStorage.getItem('hub-token')])).toEqual([TOKEN, null]);
  expect(page.url()).not.toContain(TOKEN);
});

test('the default model loads with no request leaving the page\'s own server', async ({ page, context, baseURL }) => {
  const elsewhere: string[] = [];
  const weights: string[] = []; // the worker's requests are seen too
  context.on('request', (r) => {
    if (new URL(r.url()).origin !== new URL(baseURL!).origin) elsewhere.push(r.url());
    else if (r.url().endsWith('/models/llama31-mini/model.safetensors')) weights.push(r.url());
  });
  await page.goto('/');
  await expect(page.getByRole('region', { name: 'Model' }).getByText('from embedded default model')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('progressbar')).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByRole('group', { name: 'Models on this device' })).toContainText('None yet');
  expect(weights.length).toBeGreaterThan(0);
  expect(elsewhere).toEqual([]);
});
