// The token view on the local engine: with logprobs on, a greedy answer can be read token by token; every token is
// the likeliest of its alternatives (greedy picks the argmax), the probabilities are ordered and sum to at most 1,
// the tokens spell the answer, and the arrow keys walk the tokens.
import { expect, test } from '@playwright/test';
import { openApp, shot } from './helpers.ts';

test('logprobs on: a greedy answer token by token, each the top alternative; arrow keys walk the tokens', async ({ page }) => {
  await openApp(page, '?temperature=0&max_tokens=16&logprobs=true');
  await expect(page.getByRole('checkbox', { name: 'Token probabilities (logprobs)' })).toBeChecked();
  const chat = page.getByRole('region', { name: 'Chat' });
  await chat.getByRole('textbox', { name: 'Message', exact: true }).fill('Tell me a story.');
  await chat.getByRole('button', { name: 'Send' }).click();
  const article = chat.getByRole('article', { name: 'Model message' }).last();
  const toggle = article.getByRole('button', { name: 'Tokens' });
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  const content = await article.getByTestId('assistant-message').innerText();

  const shown = article.getByRole('group', { name: 'Answer tokens' }).getByRole('button');
  const n = await shown.count();
  expect(n).toBeGreaterThan(0);
  expect(n).toBeLessThanOrEqual(16);
  await expect(article).toContainText(`${n} tokens · perplexity`);

  await shown.first().focus();
  for (let i = 0; i < n; i++) {
    const rows = article.getByRole('table', { name: `Alternatives for token ${i + 1}` }).getByRole('row');
    await expect(rows.nth(1)).toContainText('(chosen)'); // greedy: the argmax
    const ps = (await rows.allInnerTexts()).slice(1).map((r) => Number(/([\d.]+)%/.exec(r)![1]) / 100);
    for (let j = 1; j < ps.length; j++) expect(ps[j]).toBeLessThanOrEqual(ps[j - 1]);
    expect(ps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1.0001);
    await expect(shown.nth(i)).toBeFocused();
    await expect(shown.nth(i)).toHaveAttribute('aria-pressed', 'true');
    await page.keyboard.press('ArrowRight');
  }
  const spelled = (await shown.allInnerTexts()).map((t) => (t === '∅' ? '' : t.replace(/↵\n/g, '\n'))).join('');
  expect(content.includes(spelled.trim()) || spelled.includes(content.trim())).toBe(true);
  await shot(page, 'token-view-local');

  // off again: the answer is plain text, and a new answer without logprobs has no token view
  await toggle.click();
  await expect(article.getByRole('group', { name: 'Answer tokens' })).toHaveCount(0);
  await page.getByRole('checkbox', { name: 'Token probabilities (logprobs)' }).uncheck();
  await expect(page).not.toHaveURL(/logprobs=true/);
  await chat.getByRole('button', { name: 'Regenerate' }).click();
  await expect(chat.getByText('generating', { exact: true })).toHaveCount(0);
  await expect(chat.getByRole('article', { name: 'Model message' }).last().getByRole('button', { name: 'Copy model message' })).toBeVisible();
  await expect(chat.getByRole('article', { name: 'Model message' }).last().getByRole('button', { name: 'Tokens' })).toHaveCount(0);
});
