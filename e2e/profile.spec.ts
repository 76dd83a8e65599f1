// Spec 6: GPU time per layer and per kernel. On WebGPU (SwiftShader here) Profile times every kernel of a decode
// step and a prefill chunk: the per-kernel bars and the per-layer columns show non-zero times under the precision
// they were measured with, and after a precision switch Profile measures again and lists both. On the CPU engine
// the engine's one-line answer shows instead of numbers.
import { resolve } from 'node:path';
import { chromium, expect, test, type Locator } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.ts';
import { openWithTestModel, outDir, shot } from './helpers.ts';

const msOf = (bars: Locator) => bars.evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-ms'))));

test('Profile draws GPU time per kernel and per layer, and again after a precision switch', async ({ page }) => {
  await openWithTestModel(page);
  const stored = await page.getByRole('region', { name: 'Model' }).getByTestId('model-stored-precision').innerText(); // loaded as stored
  const throughput = page.getByRole('region', { name: 'Throughput' });
  const profile = throughput.getByTestId('kernel-profile');
  const button = profile.getByRole('button', { name: 'Profile', exact: true });
  await expect(button).toBeEnabled();

  // Keyboard: focus the button and press Enter.
  await button.focus();
  await page.keyboard.press('Enter');
  await expect(profile.getByTestId('profile-precision')).toHaveText(stored, { timeout: 60_000 });
  await expect(profile.getByTestId('profile-message')).toHaveCount(0);

  const kernels = profile.getByTestId('profile-kernels').locator('g[data-kernel]');
  await expect(kernels).toHaveCount(16); // embed, 13 per layer, final_norm, head
  const kernelMs = await msOf(kernels);
  expect(kernelMs.every((ms) => ms >= 0)).toBe(true);
  expect(kernelMs.reduce((s, ms) => s + ms, 0)).toBeGreaterThan(0);
  expect(Number(await profile.locator('g[data-kernel="w1"]').getAttribute('data-ms'))).toBeGreaterThan(0);

  const nLayers = await page.getByRole('region', { name: 'Quantization map' }).getByRole('button', { name: /^L\d+: layer \d+, every matrix/ }).count();
  const layers = profile.getByTestId('profile-layers').locator('g[data-layer]');
  await expect(layers).toHaveCount(nLayers + 2); // the embedding and the head apart
  const layerMs = await msOf(layers);
  expect(layerMs.slice(1, -1).every((ms) => ms > 0)).toBe(true);
  await expect(profile.getByTestId('profile-layers')).toHaveAccessibleName(/^Time per layer: embedding [\d.<]+ ms, layer 0 [\d.]+ ms/);
  await expect(profile.getByTestId('profile-summary')).toHaveText(/^Decode step \(1 token\): [\d.]+ ms on the GPU\. .*FFN matmuls [\d.]+%.*Slowest layer: \d+/);

  // Prefill: the same charts for the prompt chunk.
  const prefill = profile.getByRole('button', { name: /^Prefill \(\d+ tokens\)$/ });
  await prefill.click();
  await expect(prefill).toHaveAttribute('aria-pressed', 'true');
  await expect(profile.getByTestId('profile-summary')).toHaveText(/^Prefill chunk \(\d+ tokens\): [\d.]+ ms on the GPU\./);
  expect((await msOf(kernels)).reduce((s, ms) => s + ms, 0)).toBeGreaterThan(0);
  await profile.getByRole('button', { name: 'Decode step' }).click();

  // Screenshots for review: the page, and the view light and dark, laptop and phone.
  await shot(page, '6-profile-1280-light');
  await throughput.screenshot({ path: resolve(outDir, '6-profile-throughput-1280-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await throughput.screenshot({ path: resolve(outDir, '6-profile-throughput-1280-dark.png') });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(200);
  await throughput.screenshot({ path: resolve(outDir, '6-profile-throughput-390-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 900 });

  // A precision switch: the profile says it is stale; Profile again measures fp8-all and both step times show.
  await page.getByRole('region', { name: 'Quantization map' }).getByRole('button', { name: 'fp8-all', exact: true }).click();
  await expect(profile.getByTestId('profile-stale')).toContainText('fp8-all');
  await expect(button).toBeEnabled();
  await button.click();
  await expect(profile.getByTestId('profile-precision')).toHaveText('fp8-all', { timeout: 60_000 });
  await expect(profile.getByTestId('profile-stale')).toHaveCount(0);
  const compare = profile.getByRole('list', { name: 'Decode step GPU time by precision' });
  await expect(compare.getByRole('listitem')).toHaveCount(2);
  await expect(compare.getByRole('listitem').first()).toHaveAccessibleName(new RegExp(`^${stored}: [\\d.]+ ms$`));
  await expect(compare.getByRole('listitem').last()).toHaveAccessibleName(/^fp8-all: [\d.]+ ms$/);
  await profile.screenshot({ path: resolve(outDir, '6-profile-two-precisions-1280-light.png') });
});

test('Profile on the CPU engine shows the engine’s one-line answer, no numbers', async ({ baseURL }) => {
  // The same Chromium without the WebGPU flags has no adapter, so the page runs the CPU engine.
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs.filter((a) => !/webgpu|vulkan|swiftshader/i.test(a)) });
  try {
    const page = await (await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 } })).newPage();
    await openWithTestModel(page);
    await expect(page.getByRole('banner').getByText('CPU', { exact: true })).toBeVisible();
    const profile = page.getByRole('region', { name: 'Throughput' }).getByTestId('kernel-profile');
    await profile.getByRole('button', { name: 'Profile', exact: true }).click();
    await expect(profile.getByTestId('profile-message')).toHaveText('GPU time per kernel needs the WebGPU engine; this is the CPU engine');
    await expect(profile.getByTestId('profile-kernels')).toHaveCount(0);
    await expect(profile.getByTestId('profile-summary')).toHaveCount(0);
  } finally {
    await browser.close();
  }
});
