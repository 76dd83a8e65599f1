// Spec 7: real-size checkpoints, the UI side. A model folder picked with the folder picker (webkitdirectory) loads
// without the page reading it (Blob handles; the folder names the model, files beside config.json only), the Model
// view shows the memory the engine holds and the stored precision, the Context control reloads the model with the
// KV positions chosen (the link keeps them), and the quality card names its reference. A sharded copy of the same
// checkpoint (two .safetensors shards + model.safetensors.index.json, plus files to skip) answers exactly like it.
// A link's context applies at load; a link's map made for another layer count leaves the stored precision, saying so.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { applyOverride, encodeMap, presetMap } from '../workers/quant/precision.ts';
import { modelsDir, openApp, requireDefaultModel, shot } from './helpers.ts';

const MINI = resolve(modelsDir, 'llama31-mini');
const SMALL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json'];

/** Splits a .safetensors file in two by tensor (first half of the tensors, the rest) and writes the index. */
function writeShards(from: string, dir: string): string[] {
  const bytes = readFileSync(from);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const data = bytes.subarray(8 + n);
  const names = Object.keys(header).filter((k) => k !== '__metadata__').sort((a, b) => header[a].data_offsets[0] - header[b].data_offsets[0]);
  const files = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
  const half = Math.ceil(names.length / 2);
  const weightMap: Record<string, string> = {};
  files.forEach((file, s) => {
    const part = s === 0 ? names.slice(0, half) : names.slice(half);
    const head: Record<string, unknown> = {};
    const chunks: Buffer[] = [];
    let at = 0;
    for (const name of part) {
      const t = header[name];
      const chunk = data.subarray(t.data_offsets[0], t.data_offsets[1]);
      head[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + chunk.length] };
      chunks.push(chunk);
      at += chunk.length;
      weightMap[name] = file;
    }
    let json = JSON.stringify(head);
    json += ' '.repeat((8 - (json.length % 8)) % 8); // the data starts 8-byte aligned, as the format recommends
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    writeFileSync(resolve(dir, file), Buffer.concat([len, Buffer.from(json, 'utf8'), ...chunks]));
  });
  writeFileSync(resolve(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: data.length }, weight_map: weightMap }));
  return files;
}

async function pickFolder(page: Page, dir: string, name: string) {
  const model = page.getByRole('region', { name: 'Model' });
  await model.getByLabel('Model folder').setInputFiles(dir);
  await expect(model.getByTestId('model-name')).toHaveText(name, { timeout: 60_000 });
  await expect(page.getByRole('progressbar')).toHaveCount(0, { timeout: 60_000 });
  await expect(model.getByTestId('load-error')).toHaveCount(0);
}

async function answer(page: Page, text: string | null): Promise<string> {
  const chat = page.getByRole('region', { name: 'Chat' });
  if (text !== null) {
    await chat.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
    await chat.getByRole('button', { name: 'Send' }).click();
  } else {
    await chat.getByRole('button', { name: 'Regenerate' }).click();
  }
  await expect(chat.getByRole('button', { name: 'Stop' })).toBeDisabled({ timeout: 60_000 });
  await expect(chat.getByRole('button', { name: 'Send' })).toBeVisible();
  return chat.getByTestId('assistant-message').last().innerText();
}

test('a picked model folder shows the memory held, Context reloads it, quality names its reference', async ({ page }) => {
  requireDefaultModel('this spec opens its folder');
  await openApp(page, '?max_tokens=8&temperature=0');
  await pickFolder(page, MINI, 'llama31-mini');
  const model = page.getByRole('region', { name: 'Model' });
  // the five model files beside config.json; MODEL_CARD.md, loss.png and eval/ are not sent
  await expect(model.getByText('from llama31-mini/ (5 files)')).toBeVisible();
  await expect(model.getByTestId('model-stored-precision')).toHaveText('bf16');
  const context = model.getByLabel('Context', { exact: true });
  await expect(context).toHaveValue('512'); // min(the model's 512, the engine's default 4096)

  // The memory the engine holds, in words and as a stacked bar.
  const memory = model.getByTestId('engine-memory');
  const webgpu = (await model.getByTestId('model-engine').innerText()) === 'WebGPU';
  if (webgpu) {
    await expect(memory.getByTestId('memory-gpu')).toHaveText(/^weights [\d.]+ [kMG]B \(bf16 [\d.]+ [kMG]B\), KV cache [\d.]+ [kMG]B \(512 positions\), activations [\d.]+ [kMG]?B$/);
    await expect(memory.getByTestId('memory-host')).toContainText('norm gains');
    await expect(memory.getByRole('img', { name: /^GPU memory [\d.]+ [kMG]B: weights bf16 [\d.]+ [kMG]B, KV cache [\d.]+ [kMG]B, activations/ })).toBeVisible();
  } else {
    await expect(memory.getByTestId('memory-host')).toHaveText(/^weights [\d.]+ [kMG]B, KV cache [\d.]+ [kMG]B \(512 positions\), scratch/);
    await expect(memory.getByRole('img', { name: /^Host memory / })).toBeVisible();
  }
  await expect(model.getByText('File size')).toBeVisible();
  await expect(model.getByText('Weight bytes')).toBeVisible();
  const kv512 = await memory.getByTestId('memory-kv').innerText();

  // An answer, then quality against the stored precision: under bf16 itself the KL is exactly 0.
  await answer(page, 'Once upon a time');
  const quality = page.getByTestId('quality');
  await expect(quality).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(quality.getByRole('heading', { name: 'Quality vs bf16' })).toBeVisible();
  await expect(quality.getByTestId('quality-reference-ppl')).toHaveText(/^bf16 reference perplexity [\d.,]+ on the same \d+ tokens/);
  await expect(quality.getByTestId('quality-kl-mean')).toHaveText('0');

  // Context: a smaller KV cache reloads the same model (same precision, conversation kept) and the link says so.
  await expect(context).toBeEnabled();
  await expect(context.locator('option')).toHaveText([/^128 positions/, /^256 positions/, /^512 positions/]);
  await context.selectOption('256');
  await expect(model.getByTestId('context-status')).toHaveText('Reloaded with a 256-position KV cache.', { timeout: 60_000 });
  await expect(context).toHaveValue('256');
  await expect(memory).toContainText('(256 positions)');
  await expect(page).toHaveURL(/[?&]context=256(&|$)/);
  await expect(model.getByTestId('model-name')).toHaveText('llama31-mini');
  await expect(memory.getByTestId('memory-kv')).not.toHaveText(kv512);
  await expect(page.getByRole('region', { name: 'Chat' }).getByTestId('assistant-message')).toHaveCount(1);
  await expect(quality).toHaveAttribute('data-status', 'ready', { timeout: 60_000 }); // re-measured on the reloaded model
  await shot(page, '7-model-folder-context-1280-light');
  await model.screenshot({ path: resolve('e2e-output', '7-model-panel-1280-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(300);
  await model.screenshot({ path: resolve('e2e-output', '7-model-panel-1280-dark.png') });
});

test('a sharded copy (index + two shards, other files skipped) answers exactly like the single file', async ({ page }, testInfo) => {
  requireDefaultModel('this spec shards its checkpoint');
  const dir = testInfo.outputPath('llama31-mini-sharded');
  mkdirSync(resolve(dir, 'eval'), { recursive: true });
  for (const f of SMALL_FILES) copyFileSync(resolve(MINI, f), resolve(dir, f));
  writeShards(resolve(MINI, 'model.safetensors'), dir);
  // what a downloaded folder also holds: none of it may be sent, nor shadow the model's own files
  writeFileSync(resolve(dir, 'README.md'), '# not a model file\n');
  writeFileSync(resolve(dir, 'pytorch_model.bin'), Buffer.alloc(64, 7));
  writeFileSync(resolve(dir, 'eval', 'config.json'), '{"not": "this model"}');

  // The embedded model answers first (greedy), then the sharded copy regenerates the same answer.
  await openApp(page, '?max_tokens=12&temperature=0');
  await expect(page.getByRole('region', { name: 'Model' }).getByText('from embedded default model')).toBeVisible();
  const single = await answer(page, 'Once upon a time');
  expect(single.trim().length).toBeGreaterThan(0);

  await pickFolder(page, dir, 'llama31-mini-sharded');
  const model = page.getByRole('region', { name: 'Model' });
  await expect(model.getByText('from llama31-mini-sharded/ (7 files)')).toBeVisible(); // 4 JSON + index + 2 shards
  await expect(model.getByTestId('model-stored-precision')).toHaveText('bf16');
  await expect(model.getByTestId('engine-memory')).toContainText('KV cache');
  await expect(model.getByTestId('engine-memory')).toContainText('(512 positions)');
  expect(await answer(page, null)).toBe(single);
  await expect(page.getByTestId('quality')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('quality').getByTestId('quality-reference')).toHaveText('bf16');
});

test('a link’s context loads that KV size; a map for another layer count leaves the stored precision with one line', async ({ page }) => {
  requireDefaultModel('this spec loads it from a link');
  const wrongLayers = encodeMap(applyOverride(presetMap(3, 'bf16'), { layer: 1, spec: { dtype: 'fp8e5m2' } }));
  await openApp(page, `?precision=${wrongLayers}&context=256`);
  const model = page.getByRole('region', { name: 'Model' });
  await expect(model.getByText('from embedded default model')).toBeVisible();
  await expect(model.getByLabel('Context', { exact: true })).toHaveValue('256');
  const error = model.getByTestId('load-error');
  await expect(error).toContainText('precision map does not fit this model');
  await expect(error).toContainText('running bf16');
  expect(await error.innerText()).not.toContain('\n');
  await expect(model.getByText(/does not fit this model/)).toHaveCount(1); // the engine's notice says it too: once on the page
  await expect(page.getByRole('region', { name: 'Quantization map' }).getByRole('button', { name: /^Layer 1 wo: bf16 / })).toBeVisible();
  await expect(page).toHaveURL(/[?&]precision=bf16&context=256(&|$)/);
  await model.screenshot({ path: resolve('e2e-output', '7-link-map-does-not-fit-1280-light.png') });
});
