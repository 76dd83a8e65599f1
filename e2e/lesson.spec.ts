// Spec 7: the Lesson. Every chapter opens from its link, shows values the engine computes from the lesson's text
// (they change when the text does), and the keyboard turns the pages (ArrowRight / Space / ArrowLeft, never while
// typing) with the URL following. The FP8 number line prints exactly what `cli quant` prints. Most of it runs on
// the CPU engine (Chromium without the WebGPU flags: what a school laptop without WebGPU gets); one test runs a
// chapter on WebGPU (SwiftShader). Screenshots of every chapter land in e2e-output/ for a person to look at.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium, expect, test, type Page } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.ts';
import { Sampler, mulberry32 } from '../workers/model/sampler.ts';
import { CHAPTERS } from '../src/lesson/chapters.ts';
import { pageTurn } from '../src/lesson/keys.ts';
import { samplingDistribution } from '../src/lesson/math/sampling.ts';
import { SAMPLE_TEXT } from '../src/lesson/store.ts';
import { LESSON_PROBES, hasDefaultModel, outDir, root, skipWithReason } from './helpers.ts';

const run = promisify(execFile);
const cpuArgs = chromiumArgs.filter((a) => !/webgpu|vulkan|swiftshader/i.test(a));
test.use({ launchOptions: { executablePath: chromiumPath(), args: cpuArgs } });

const OTHER_TEXT = 'My dog Rex ate 4096 small cookies, then slept!';


const lesson = (page: Page) => page.getByRole('region', { name: 'Lesson' });
const link = (chapter: string, text = SAMPLE_TEXT, extra = '') => `/?lesson=${chapter}&text=${encodeURIComponent(text)}${extra}`;

/** The probes' texts joined, once every one of them shows something. */
async function probe(page: Page, chapter: string): Promise<string> {
  const values: string[] = [];
  for (const id of LESSON_PROBES[chapter]) {
    const el = lesson(page).getByTestId(id);
    await expect(el).toHaveText(/\S/, { timeout: 60_000 });
    values.push(await el.innerText());
  }
  return values.join(' | ');
}

async function openLesson(page: Page, url: string) {
  await page.goto(url);
  await expect(lesson(page)).toBeVisible();
  await expect(page.getByRole('banner').getByText('CPU', { exact: true })).toBeVisible({ timeout: 60_000 });
}

test.beforeEach(() => {
  if (!hasDefaultModel) skipWithReason('the lesson is tested on the embedded default model (public/models/), which is not there');
});

for (const [n, c] of CHAPTERS.entries()) {
  test(`chapter ${n + 1}, ${c.id}: opens from its link, follows the text, turns with the keyboard`, async ({ page }) => {
    test.setTimeout(120_000);
    await openLesson(page, link(c.id));
    const region = lesson(page);
    await expect(region.getByRole('heading', { name: `${n + 1}. ${c.title}`, exact: true })).toBeVisible();
    await expect(region.getByRole('navigation', { name: 'Chapters' }).getByRole('link', { name: new RegExp(`^${n + 1}\\.`) })).toHaveAttribute('aria-current', 'page');
    const before = await probe(page, c.id);
    if (c.id === 'fp8') await expect(region.getByTestId('fp8-experiments')).toHaveAttribute('data-fresh', 'true', { timeout: 90_000 });
    await region.screenshot({ path: resolve(outDir, `7-lesson-${String(n + 1).padStart(2, '0')}-${c.id}-1280-light.png`) });

    // The text changes: the chapter computes again, its values move, the link carries the new text.
    const box = region.getByRole('textbox', { name: 'Lesson text' });
    await box.fill(OTHER_TEXT);
    await expect.poll(() => probe(page, c.id), { timeout: 60_000 }).not.toBe(before);
    await expect(region.getByTestId('lesson-error')).toHaveCount(0);
    expect(new URL(page.url()).searchParams.get('text')).toBe(OTHER_TEXT);

    // Arrows typed in the text box move its caret, not the lesson.
    await box.press('ArrowLeft');
    await box.press('ArrowRight');
    expect(new URL(page.url()).searchParams.get('lesson')).toBe(c.id);

    // From the page (nothing focused): ArrowRight / Space forward, ArrowLeft back; the URL follows.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const next = CHAPTERS[n + 1], prev = CHAPTERS[n - 1];
    if (next) {
      await page.keyboard.press(n % 2 === 0 ? 'ArrowRight' : 'Space');
      await expect(page).toHaveURL(new RegExp(`lesson=${next.id}(&|$)`));
      await expect(region.getByRole('heading', { name: `${n + 2}. ${next.title}`, exact: true })).toBeVisible();
      await page.keyboard.press('ArrowLeft');
      await expect(page).toHaveURL(new RegExp(`lesson=${c.id}(&|$)`));
    } else {
      await page.keyboard.press('ArrowRight'); // the last page stays
      await expect(page).toHaveURL(new RegExp(`lesson=${c.id}(&|$)`));
      await page.keyboard.press('ArrowLeft');
      await expect(page).toHaveURL(new RegExp(`lesson=${prev.id}(&|$)`));
    }
    expect(new URL(page.url()).searchParams.get('text')).toBe(OTHER_TEXT); // the text goes along
  });
}

test('the FP8 number line shows exactly what `cli quant` prints', async ({ page }) => {
  test.setTimeout(120_000);
  const values = ['0.3', '1.0625', '1.1875', '448', '500', '-0.0123', '1e-9', '60000', '-inf', 'nan'];
  const formats = ['e4m3', 'e5m2', 'bf16'] as const;
  // the CLI, once per value and format, as a student would run it
  const cli = new Map<string, string>();
  await Promise.all(values.flatMap((v) => formats.map(async (f) => {
    const { stdout } = await run('bash', ['-c', `echo "$V" | npx tsx scripts/cli.ts quant --format ${f}`], { cwd: root, env: { ...process.env, V: v } });
    cli.set(`${v}|${f}`, stdout.trim());
  })));
  await openLesson(page, link('fp8', SAMPLE_TEXT, `&value=${values[0]}`));
  const region = lesson(page);
  const input = region.getByRole('textbox', { name: 'Value' });
  await expect(input).toHaveValue(values[0]);
  for (const v of values) {
    await input.fill(v);
    for (const f of formats) await expect(region.getByTestId(`quant-${f}`)).toHaveText(cli.get(`${v}|${f}`)!);
    expect(new URL(page.url()).searchParams.get('value')).toBe(v);
  }
  // the cells beside it read the same code and value: 1.0625 is a tie, E4M3 rounds it to the even 1.0 (0x38)
  await input.fill('1.0625');
  await expect(region.getByTestId('quant-e4m3-code')).toHaveText('0x38 (56)');
  await expect(region.getByTestId('quant-e4m3-decoded')).toHaveText('1');
  await expect(region.getByTestId('quant-e4m3-error')).toHaveText('5.88%');
  await input.fill('500');
  await expect(region.getByTestId('quant-e4m3-decoded')).toHaveText('448'); // saturates
  await region.getByRole('region', { name: 'FP8 E4M3 encoding' }).screenshot({ path: resolve(outDir, '7-lesson-fp8-number-line-500.png') });
});

test('a link reopens the exact state; the header opens the lesson; keyboard only; projector, phone and dark mode', async ({ page }) => {
  test.setTimeout(120_000);
  // A link with a chapter, a text and its settings opens exactly there.
  await openLesson(page, link('attention', 'The cat saw the cat.', '&layer=2&head=3'));
  const region = lesson(page);
  await expect(region.getByRole('combobox', { name: 'Layer' })).toHaveValue('2');
  await expect(region.getByRole('combobox', { name: 'Head' })).toHaveValue('3');
  await expect(region.getByRole('textbox', { name: 'Lesson text' })).toHaveValue('The cat saw the cat.');
  await expect(region.getByRole('heading', { name: 'Layer 2, head 3: who looks at whom' })).toBeVisible();
  await expect(region.getByTestId('attention-top')).toContainText('“␣cat”');
  // The heatmap reads out a cell under the keyboard's cursor, and its arrows do not turn the page.
  const heatmap = region.getByTestId('attention-heatmap');
  await heatmap.focus();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowRight');
  await expect(region.getByTestId('heatmap-readout')).toHaveText(/^query \d+ “.+” → key \d+ “.+”: weight (0\.\d{3}|0 \(the future is masked\))$/);
  await expect(page).toHaveURL(/lesson=attention/);

  // Closed, the lesson leaves the URL; the header's button opens it again, focus inside, and the keys work at once.
  await region.getByRole('button', { name: 'Close lesson' }).click();
  await expect(lesson(page)).toHaveCount(0);
  expect(new URL(page.url()).searchParams.has('lesson')).toBe(false);
  const toggle = page.getByRole('banner').getByRole('button', { name: 'Lesson' });
  await expect(toggle).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(lesson(page)).toBeFocused();
  await expect(page).toHaveURL(/lesson=attention/);
  await page.keyboard.press('ArrowRight');
  await expect(page).toHaveURL(/lesson=rope/);
  // The table of contents by keyboard: Tab to a chapter's link, Enter.
  const toc = lesson(page).getByRole('navigation', { name: 'Chapters' });
  await toc.getByRole('link', { name: /^9\./ }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/lesson=memory/);
  await expect(toc.getByRole('link', { name: /^9\./ })).toHaveAttribute('aria-current', 'page');

  // Projector: larger type, in the link too.
  const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  const normal = await size();
  await lesson(page).getByRole('button', { name: 'Projector' }).click();
  await expect(lesson(page).getByRole('button', { name: 'Projector' })).toHaveAttribute('aria-pressed', 'true');
  expect(await size()).toBeGreaterThan(normal);
  await expect(page).toHaveURL(/projector=1/);
  await lesson(page).getByRole('link', { name: /^3\./ }).click();
  await expect(lesson(page).getByTestId('attention-top')).toHaveText(/\S/, { timeout: 60_000 });
  await lesson(page).screenshot({ path: resolve(outDir, '7-lesson-projector-attention-1280-light.png') });
  await lesson(page).getByRole('button', { name: 'Projector' }).click();

  // A phone in dark mode: nothing wider than the screen; a few chapters for the eye.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 390, height: 844 });
  for (const chapter of ['tokens', 'attention', 'fp8', 'next-token']) {
    await lesson(page).getByRole('navigation', { name: 'Chapters' }).getByRole('link', { name: new RegExp(`^${CHAPTERS.findIndex((c) => c.id === chapter) + 1}\\.`) }).click();
    await probe(page, chapter);
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `the ${chapter} chapter is wider than a phone`).toBeLessThanOrEqual(0);
    await lesson(page).screenshot({ path: resolve(outDir, `7-lesson-${chapter}-390-dark.png`) });
  }
});

test('a chapter on the WebGPU engine (SwiftShader): the trace comes from the GPU pass', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs });
  try {
    const page = await (await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(link('attention'));
    await expect(page.getByRole('banner').getByText('WebGPU', { exact: true })).toBeVisible({ timeout: 60_000 });
    const before = await probe(page, 'attention');
    await lesson(page).getByRole('textbox', { name: 'Lesson text' }).fill(OTHER_TEXT);
    await expect.poll(() => probe(page, 'attention'), { timeout: 60_000 }).not.toBe(before);
    await lesson(page).screenshot({ path: resolve(outDir, '7-lesson-03-attention-webgpu-1280-light.png') });
  } finally {
    await browser.close();
  }
});

test('the bars are what the sampler draws from; page keys never hijack typing', () => {
  // samplingDistribution (the bars) against the engine's Sampler, drawn 40,000 times on seeded logits
  const rand = mulberry32(7);
  const logits = Float32Array.from({ length: 50 }, () => 4 * rand());
  for (const params of [{ temperature: 0.7, topK: 10, topP: 1 }, { temperature: 1.3, topK: 0, topP: 0.8 }, { temperature: 1, topK: 5, topP: 0.5 }]) {
    const { final, kept } = samplingDistribution(logits, params);
    const counts = new Float64Array(logits.length);
    const sampler = new Sampler(params, 11);
    const draws = 40_000;
    for (let i = 0; i < draws; i++) counts[sampler.sample(logits)]++;
    expect(counts.filter((c) => c > 0).length).toBeLessThanOrEqual(kept);
    for (let i = 0; i < logits.length; i++) expect(Math.abs(counts[i] / draws - final[i])).toBeLessThan(0.015);
  }
  const key = (key: string, target: Partial<Element> | null, extra = {}) =>
    pageTurn({ key, altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, defaultPrevented: false, target: target as EventTarget | null, ...extra });
  const el = (matches: string | null) => ({ closest: (sel: string) => (matches && sel.split(', ').includes(matches) ? ({} as Element) : null) });
  expect(key('ArrowRight', null)).toBe(1);
  expect(key('ArrowLeft', el(null))).toBe(-1);
  expect(key(' ', el(null))).toBe(1);
  expect(key(' ', el('button'))).toBe(null); // Space presses a button
  expect(key('ArrowRight', el('input'))).toBe(null);
  expect(key('ArrowLeft', el('textarea'))).toBe(null);
  expect(key('ArrowRight', el('[data-own-keys]'))).toBe(null);
  expect(key('ArrowLeft', null, { altKey: true })).toBe(null); // the browser's Back
});
