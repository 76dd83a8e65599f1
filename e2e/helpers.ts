// Shared steps of the e2e specs: where the test model is, loading it through the file input, screenshots.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The real 260K-parameter Llama from ../shared (see ../shared/README.md). */
export const STORIES = resolve(root, '../shared/models/stories260K/stories260K.gguf');

/** The embedded default model (public/models/), which the page loads by itself when it is there. */
export const modelsDir = resolve(root, 'public/models');
export const hasDefaultModel =
  existsSync(modelsDir) && readdirSync(modelsDir, { recursive: true }).some((f) => !String(f).startsWith('.'));

/** Opens the app with the model the views are tested on: the default model when there is one, else stories260K. */
export async function openWithTestModel(page: Page, query = ''): Promise<void> {
  if (hasDefaultModel) {
    await page.goto(`/${query}`);
    await expect(page.getByRole('region', { name: 'Model' }).getByText('from embedded default model')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByRole('progressbar')).toHaveCount(0, { timeout: 60_000 });
  } else {
    requireFile(STORIES, 'The stories260K model');
    await openApp(page, query);
    await loadFile(page, STORIES, 'stories260K.gguf');
  }
}

/** Skips the test when a file it needs is absent, saying which; under CI=true it must be there, so it fails. */
export function requireFile(path: string, what: string): void {
  if (existsSync(path) || process.env.CI === 'true') return;
  skipWithReason(`${what} not found at ${path}: this spec needs it (it is in ../shared on the project's machines)`);
}

/** Skips the test when the embedded default model is absent, saying why; it is committed, so under CI=true this fails. */
export function requireDefaultModel(why: string): void {
  if (hasDefaultModel) return;
  if (process.env.CI === 'true') throw new Error(`CI=true but no default model in ${modelsDir}: ${why}`);
  skipWithReason(`no default model in ${modelsDir}: ${why}`);
}

/** test.skip with the reason also printed, so a skipped spec says why in the run's output. */
export function skipWithReason(reason: string): void {
  console.log(`SKIPPED: ${reason}`);
  test.info().skip(true, reason);
}

export const outDir = resolve(root, 'e2e-output');

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: resolve(outDir, `${name}.png`), fullPage: true });
}

/** Opens the app and waits until the automatic default-model load has finished (loaded or failed). */
export async function openApp(page: Page, query = ''): Promise<void> {
  await page.goto(`/${query}`);
  await expect(page.getByRole('region', { name: 'Chat' })).toBeVisible();
  await expect(page.getByRole('progressbar')).toHaveCount(0, { timeout: 60_000 });
}

/** Loads a model file through the Model view's file input and waits until it is the loaded model. */
export async function loadFile(page: Page, path: string, name: string): Promise<void> {
  const model = page.getByRole('region', { name: 'Model' });
  await model.getByLabel('Model file').setInputFiles(path);
  await expect(model.getByTestId('model-name')).toBeVisible({ timeout: 60_000 });
  await expect(model.getByText(`from ${name}`)).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('progressbar')).toHaveCount(0, { timeout: 60_000 });
}

/** Sets a sampling number through its labelled input (what a keyboard user does). */
export async function setSampling(page: Page, label: string, value: string): Promise<void> {
  const box = page.getByRole('region', { name: 'Sampling' }).getByRole('spinbutton', { name: label, exact: true });
  await box.fill(value);
  await box.blur();
}

/** Per chapter: the values (by test id) that must change when the text does. */
export const LESSON_PROBES: Record<string, string[]> = {
  tokens: ['tokens-llama3', 'tokens-cpt-model'],
  embedding: ['embedding-norm'],
  attention: ['attention-top', 'kv-text'],
  rope: ['rope-similarity'],
  ffn: ['ffn-quiet', 'ffn-top'],
  'next-token': ['next-top', 'next-kept', 'logit-lens'],
  fp8: ['fp8-row-summary'],
  pipeline: ['pipeline-prompt-m1', 'pipeline-prompt-m4'],
  memory: ['memory-text-kv'],
  throughput: ['throughput-prompt'],
};
