// The Memory fit panel prints the paper's deployments as commands: 405B in BF16 on two nodes (tensor parallel 8,
// pipeline parallel 2, a Ray cluster) and the FP8 checkpoint on one node; a copy button puts the command on the
// clipboard.
import { expect, test } from '@playwright/test';
import { openApp } from './helpers.ts';

test('Memory fit prints the vLLM and llama-server commands for the chosen fit, with copy', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openApp(page);
  const fit = page.getByRole('region', { name: 'Memory fit' });
  await fit.getByLabel('Context').selectOption('8192');
  const bf16 = fit.getByTestId('deploy-bf16');
  await expect(bf16.getByLabel('vLLM command', { exact: true })).toContainText('vllm serve meta-llama/Llama-3.1-405B-Instruct --tensor-parallel-size 8 --pipeline-parallel-size 2');
  await expect(bf16).toContainText('TP 8 × PP 2');
  await expect(bf16.getByLabel('llama-server command', { exact: true })).toHaveCount(0);
  const fp8 = fit.getByTestId('deploy-fp8');
  await expect(fp8.getByLabel('vLLM command', { exact: true })).toHaveText('vllm serve meta-llama/Llama-3.1-405B-Instruct-FP8 --tensor-parallel-size 8 --max-model-len 8192 --max-num-seqs 1');
  await expect(fp8.getByLabel('llama-server command', { exact: true })).toContainText('llama-server -m Llama-3.1-405B-Instruct-Q8_0.gguf');
  await fp8.getByRole('button', { name: 'Copy the vLLM command' }).click();
  await expect(fp8.getByRole('button', { name: 'Copy the vLLM command' })).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('Llama-3.1-405B-Instruct-FP8');
});
