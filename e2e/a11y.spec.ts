// Nobody left out: axe-core, the standard accessibility engine, audits every view of the built page in light and
// dark mode (WCAG 2.1 A and AA rules): no serious or critical violation. A failure lists rule, element and summary,
// so it says what to fix. The views: the main page (chat with an answer, conversations, model, sampling, remote,
// quantization map, quality, throughput, memory fit), a pipeline run with its Gantt chart, the token view, the
// kernel profile, every disclosure and the export menu open, every lesson chapter and the link-consent dialog.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { CHAPTERS } from '../src/lesson/chapters.ts';
import { SAMPLE_TEXT } from '../src/lesson/store.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LESSON_PROBES, openWithTestModel, outDir, requireDefaultModel } from './helpers.ts';

const SCHEMES = ['light', 'dark'] as const;

/** Serious and critical violations on the page as it is now, one line per element. */
async function audit(page: Page, view: string): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page })
    // WCAG 2.5.3 (label in name): axe ships it as experimental, off by default; visible text must be in the name.
    // (options() replaces the run options, so it comes before withTags().)
    .options({ rules: { 'label-content-name-mismatch': { enabled: true } } })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${view}: ${v.id} (${v.impact}) at ${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ').trim() ?? v.help}`));
}

function report(found: string[]): void {
  if (found.length) {
    mkdirSync(outDir, { recursive: true });
    const file = resolve(outDir, `a11y-${test.info().title.replace(/\W+/g, '-')}.txt`);
    writeFileSync(file, found.join('\n') + '\n');
    console.log(`${found.length} serious/critical accessibility violations, all in ${file}`);
  }
  expect(found, found.slice(0, 40).join('\n')).toEqual([]);
}

for (const scheme of SCHEMES) {
  test(`every view, ${scheme}: no serious or critical axe violations`, async ({ page }) => {
    test.setTimeout(240_000);
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' }); // no colour caught mid-transition
    await openWithTestModel(page, '?temperature=0&max_tokens=12&logprobs=true');
    const found: string[] = [];
    found.push(...await audit(page, 'page, loaded'));

    const chat = page.getByRole('region', { name: 'Chat' });
    await chat.getByRole('textbox', { name: 'Message', exact: true }).fill('Tell me a story.');
    await chat.getByRole('button', { name: 'Send' }).click();
    const answer = chat.getByRole('article', { name: 'Model message' }).last();
    await answer.getByRole('button', { name: 'Tokens' }).click();
    found.push(...await audit(page, 'page, an answer in the token view'));

    const pipeline = page.getByRole('region', { name: 'Pipeline stages' });
    await pipeline.getByLabel('Stages (p)').selectOption('2');
    await pipeline.getByLabel('Micro-batches (m)').selectOption('2');
    await pipeline.getByLabel('Tokens each').selectOption('16');
    await pipeline.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(pipeline.getByText('Bubble, measured')).toBeVisible({ timeout: 150_000 });
    found.push(...await audit(page, 'page, after a pipeline run'));

    // What hides behind a click: the kernel profile, every disclosure open, the export menu.
    const profile = page.getByRole('region', { name: 'Throughput' }).getByTestId('kernel-profile');
    await profile.getByRole('button', { name: 'Profile', exact: true }).click();
    await expect(profile.getByTestId('profile-precision')).toHaveText(/\S/, { timeout: 60_000 });
    await page.locator('details').evaluateAll((ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = true)));
    await page.getByRole('button', { name: 'Export' }).click();
    await expect(page.getByRole('menu')).toBeVisible();
    found.push(...await audit(page, 'page, profile drawn, disclosures and export menu open'));
    report(found);
  });

  test(`the lesson, every chapter, ${scheme}: no serious or critical axe violations`, async ({ page }) => {
    requireDefaultModel('the lesson runs on the embedded default model');
    test.setTimeout(240_000);
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' }); // no colour caught mid-transition
    const found: string[] = [];
    for (const c of CHAPTERS) {
      await page.goto(`/?lesson=${c.id}&text=${encodeURIComponent(SAMPLE_TEXT)}`);
      const lesson = page.getByRole('region', { name: 'Lesson' });
      await expect(lesson).toBeVisible();
      await expect(page.getByRole('progressbar')).toHaveCount(0, { timeout: 60_000 });
      await expect(lesson.getByText(/computing|loading/i)).toHaveCount(0, { timeout: 60_000 });
      // Every live value drawn (audit the chapter as a student sees it, not half-computed).
      for (const id of LESSON_PROBES[c.id] ?? []) await expect(lesson.getByTestId(id)).toHaveText(/\S/, { timeout: 60_000 });
      found.push(...await audit(page, `lesson ${c.id}`));
    }
    report(found);
  });

  test(`the link-consent dialog, ${scheme}: no serious or critical axe violations`, async ({ page, context }) => {
    await context.route('https://models.example.org/**', (route) => route.fulfill({ status: 200, headers: { 'access-control-allow-origin': '*', 'content-length': '1234567' }, body: '' }));
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' }); // no colour caught mid-transition
    await page.goto(`/?model=${encodeURIComponent('https://models.example.org/m.gguf')}`);
    await expect(page.getByRole('alertdialog')).toBeVisible();
    report(await audit(page, 'link consent'));
  });
}
