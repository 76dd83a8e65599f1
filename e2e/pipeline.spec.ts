// Pipeline stages: a 2-stage x 2-micro-batch run on real workers (one GPUDevice each) draws a Gantt chart from
// measured timings, with the measured bubble beside the GPipe prediction.
import { expect, test } from '@playwright/test';
import { openWithTestModel, shot } from './helpers.ts';

test('a 2-stage x 2-micro-batch run draws a Gantt chart and the bubble figures', async ({ page }) => {
  test.setTimeout(180_000);
  await openWithTestModel(page);
  const view = page.getByRole('region', { name: 'Pipeline stages' });
  await view.scrollIntoViewIfNeeded();
  await view.getByLabel('Stages (p)').selectOption('2');
  await view.getByLabel('Micro-batches (m)').selectOption('2');
  await view.getByLabel('Tokens each').selectOption('16');
  await expect(page).toHaveURL(/stages=2/);
  await expect(page).toHaveURL(/mb=2/);
  await view.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(view.getByText('Bubble, measured')).toBeVisible({ timeout: 150_000 });
  const chart = view.getByRole('img', { name: /Gantt chart of the pipeline\./ });
  await expect(chart).toBeVisible();
  await expect(view.getByText('Bubble, GPipe')).toBeVisible();
  await expect(view.getByText('(p−1)/(m+p−1) = 1/3')).toBeVisible();
  // the chart is drawn on a canvas: some pixels must differ from the background
  const painted = await chart.evaluate((el) => {
    const canvas = el instanceof HTMLCanvasElement ? el : el.querySelector('canvas');
    if (!canvas) return 0;
    const ctx = canvas.getContext('2d')!;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4 * 97) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return colours.size;
  });
  expect(painted).toBeGreaterThan(3);
  await view.screenshot({ path: 'e2e-output/5-pipeline-2x2.png' });
  await shot(page, '5-pipeline-page');
});
