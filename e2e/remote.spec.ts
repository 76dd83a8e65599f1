// The page's Remote engine against `cli serve` started by the test (a child process on 127.0.0.1, with an API
// key): connect by base URL and key, chat streams from the server with the server's own greedy answer, the
// Throughput view fills from client-side timing, and the local-only views say so; a wrong key is one line.
import { spawn, type ChildProcess } from 'node:child_process';
import { expect, test } from '@playwright/test';
import OpenAI from 'openai';
import { openApp, root, setSampling, shot } from './helpers.ts';

const PORT = 18094; // this branch's server ports: 18080-18099
const KEY = 'sk-e2e-remote';
let server: ChildProcess;

test.beforeAll(async () => {
  server = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'serve', '--port', String(PORT), '--api-key', KEY], { cwd: root });
  await new Promise<void>((ok, no) => {
    let out = '';
    server.stdout!.on('data', (d) => { out += d; if (out.includes('\n')) ok(); });
    server.on('exit', (code) => no(new Error(`cli serve exited (${code}): ${out}`)));
  });
});
test.afterAll(() => { server?.kill('SIGTERM'); });

test('chats through the Remote engine with cli serve: streamed answer, throughput figures, local-only note', async ({ page }) => {
  await openApp(page);
  await setSampling(page, 'Temperature', '0');
  await setSampling(page, 'Max tokens', '24');
  const remote = page.getByRole('region', { name: 'Remote engine' });

  // a wrong key: one line saying so, chat stays local
  await remote.getByLabel(/Base URL/).fill(`127.0.0.1:${PORT}`);
  await remote.getByLabel(/API key/).fill('sk-wrong');
  await remote.getByRole('button', { name: 'Connect' }).click();
  await expect(remote.getByRole('alert')).toContainText('401');
  await expect(page.getByTestId('local-only')).toHaveCount(0);

  await remote.getByLabel(/API key/).fill(KEY);
  await remote.getByRole('button', { name: 'Connect' }).click();
  await expect(remote.getByTestId('remote-status')).toHaveText('connected');
  await expect(remote.getByTestId('remote-summary')).toContainText(`llama31-mini at http://127.0.0.1:${PORT}/v1`);
  await expect(page.getByTestId('local-only')).toBeVisible();

  const chat = page.getByRole('region', { name: 'Chat' });
  await expect(chat.getByTestId('chat-mode')).toContainText('Remote chat');
  const prompt = 'What is 53 + 16?';
  await chat.getByRole('textbox', { name: 'Message', exact: true }).fill(prompt);
  await chat.getByRole('button', { name: 'Send' }).click();

  const client = new OpenAI({ baseURL: `http://127.0.0.1:${PORT}/v1`, apiKey: KEY, maxRetries: 0 });
  const expected = await client.chat.completions.create({ model: 'llama31-mini', messages: [{ role: 'user', content: prompt }], temperature: 0, max_tokens: 24 });
  const answer = chat.getByTestId('assistant-message').last();
  await expect.poll(async () => (await answer.innerText()).trim(), { timeout: 30_000 }).toBe(expected.choices[0].message.content!.trim());

  const throughput = page.getByRole('region', { name: 'Throughput' });
  await expect(throughput.getByTestId('figure-tokens')).toHaveText(String(expected.usage!.completion_tokens));
  await expect(throughput.getByTestId('figure-ttft')).toHaveText(/^\d[\d,.]*$/);
  await expect(throughput.getByTestId('figure-decode')).toHaveText(/^\d[\d,.]*$/);
  await expect(throughput.getByTestId('figure-p50')).toHaveText(/^\d[\d,.]*$/);

  await shot(page, 'remote-1280-light');
  await remote.getByRole('button', { name: 'Use the local engine' }).click();
  await expect(page.getByTestId('local-only')).toHaveCount(0);
  await expect(chat.getByTestId('chat-mode')).toContainText('Chat mode');
});

test("a server's logprobs feed the token view: the same tokens and alternatives the OpenAI client gets", async ({ page }) => {
  await openApp(page, '?temperature=0&max_tokens=12');
  await page.getByRole('checkbox', { name: 'Token probabilities (logprobs)' }).check();
  await expect(page).toHaveURL(/logprobs=true/);
  const remote = page.getByRole('region', { name: 'Remote engine' });
  await remote.getByLabel(/Base URL/).fill(`127.0.0.1:${PORT}`);
  await remote.getByLabel(/API key/).fill(KEY);
  await remote.getByRole('button', { name: 'Connect' }).click();
  await expect(remote.getByTestId('remote-status')).toHaveText('connected');

  const chat = page.getByRole('region', { name: 'Chat' });
  const prompt = 'Name a colour.';
  await chat.getByRole('textbox', { name: 'Message', exact: true }).fill(prompt);
  await chat.getByRole('button', { name: 'Send' }).click();
  const article = chat.getByRole('article', { name: 'Model message' }).last();
  await article.getByRole('button', { name: 'Tokens' }).click();

  const client = new OpenAI({ baseURL: `http://127.0.0.1:${PORT}/v1`, apiKey: KEY, maxRetries: 0 });
  const expected = await client.chat.completions.create({ model: 'llama31-mini', messages: [{ role: 'user', content: prompt }], temperature: 0, max_tokens: 12, logprobs: true, top_logprobs: 5 });
  const lps = expected.choices[0].logprobs!.content!;
  const shown = article.getByRole('group', { name: 'Answer tokens' }).getByRole('button');
  await expect(shown).toHaveCount(lps.length);
  const texts = await shown.allInnerTexts();
  expect(texts.map((t) => (t === '∅' ? '' : t.replace(/↵\n/g, '\n')))).toEqual(lps.map((x) => x.token));
  // the last token's alternatives, as the server listed them (greedy: the chosen one is the likeliest)
  await shown.last().click();
  const rows = article.getByRole('table', { name: `Alternatives for token ${lps.length}` }).getByRole('row');
  const last = lps[lps.length - 1];
  await expect(rows).toHaveCount(1 + last.top_logprobs.length);
  await expect(rows.nth(1)).toContainText('(chosen)');
  for (let i = 0; i < last.top_logprobs.length; i++) {
    await expect(rows.nth(1 + i)).toContainText(JSON.stringify(last.top_logprobs[i].token));
    await expect(rows.nth(1 + i)).toContainText(last.top_logprobs[i].logprob.toFixed(3));
  }
  await shot(page, 'token-view-remote');
});
