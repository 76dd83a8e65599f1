// Conversations persist in IndexedDB: a reload brings the chat back, an answer cut off by a reload comes back as far
// as it was shown and marked interrupted; the list can start, rename, search, open and delete conversations; a
// conversation exported as OpenAI-format JSON imports back to the same messages.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { STORIES, loadFile, openWithTestModel, requireFile, setSampling, shot } from './helpers.ts';

const chat = (page: Page) => page.getByRole('region', { name: 'Chat' });
const list = (page: Page) => page.getByRole('region', { name: 'Conversations' }).getByRole('list', { name: 'Saved conversations' });

/** The last two messages (question, answer) of the latest conversation saved in IndexedDB, read as another script
 * of the page would. */
function savedTurn(page: Page): Promise<{ question: string; answer: string }> {
  return page.evaluate(() => new Promise<{ question: string; answer: string }>((resolve, reject) => {
    const open = indexedDB.open('llama-fp8-playground');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const all = open.result.transaction('conversations').objectStore('conversations').getAll();
      all.onsuccess = () => {
        const latest = (all.result as { updatedAt: number; messages: { content: string }[] }[]).sort((a, b) => b.updatedAt - a.updatedAt)[0];
        open.result.close();
        resolve({ question: latest?.messages.at(-2)?.content ?? '', answer: latest?.messages.at(-1)?.content ?? '' });
      };
    };
  }));
}

async function ask(page: Page, text: string): Promise<void> {
  await chat(page).getByRole('textbox', { name: 'Message', exact: true }).fill(text);
  await chat(page).getByRole('button', { name: 'Send' }).click();
  await expect(chat(page).getByRole('button', { name: 'Stop' })).toBeDisabled({ timeout: 60_000 }); // the answer ended
}

test('a reload keeps the conversation, and a streaming answer comes back interrupted', async ({ page }) => {
  await openWithTestModel(page);
  await setSampling(page, 'Max tokens', '24');
  await ask(page, 'Tell me about the moon.');
  const first = await chat(page).getByTestId('assistant-message').last().innerText();
  expect(first.trim().length).toBeGreaterThan(0);

  await page.reload();
  await expect(chat(page).getByTestId('user-message')).toHaveText(['Tell me about the moon.'], { timeout: 30_000 });
  await expect(chat(page).getByTestId('assistant-message')).toHaveText([first]);
  await expect(list(page).getByRole('listitem')).toHaveCount(1);
  await expect(list(page).getByRole('button', { name: /^Tell me about the moon\./ })).toHaveAttribute('aria-current', 'true');

  // a long answer, reloaded while it streams: the part shown is kept and marked interrupted (stories260K writes
  // long stories; should it end its answer early anyway, ask again)
  requireFile(STORIES, 'The stories260K model');
  await loadFile(page, STORIES, 'stories260K.gguf');
  await setSampling(page, 'Max tokens', '4000');
  const answer = chat(page).getByTestId('assistant-message').last();
  const stopButton = chat(page).getByRole('button', { name: 'Stop' });
  let shown = '';
  let savedThen = '';
  for (let attempt = 0; attempt < 5 && shown === ''; attempt++) {
    const question = attempt ? `Once upon a time (${attempt})` : 'Once upon a time';
    await chat(page).getByRole('textbox', { name: 'Message', exact: true }).fill(question);
    await chat(page).getByRole('button', { name: 'Send' }).click();
    // saved while it streams: IndexedDB holds some of this answer (written at most 200 ms apart). The question is
    // checked too: until this turn is first saved, the latest saved answer is the previous one.
    await expect.poll(async () => {
      const saved = await savedTurn(page);
      savedThen = saved.answer;
      return saved.question === question && saved.answer !== '';
    }, { timeout: 60_000 }).toBe(true);
    const text = (await answer.innerText()).trim();
    if (await stopButton.isEnabled()) shown = text;
    else await expect(stopButton).toBeDisabled();
  }
  expect(shown).not.toBe('');
  await page.reload();
  const back = chat(page).getByTestId('assistant-message').last();
  await expect(back).toBeVisible({ timeout: 30_000 });
  const kept = (await back.innerText()).trim();
  // saves only grow: what came back starts with what was saved while it streamed, and that had been shown (the
  // streaming view also showed the prompt's end before it, dimmed)
  expect(kept.startsWith(savedThen.trim())).toBe(true);
  expect(shown).toContain(savedThen.trim());
  await expect(chat(page).getByText(/^Interrupted: the page was closed or reloaded/)).toBeVisible();
  await shot(page, 'conversations-interrupted');
});

test('new, rename, search, open, delete; export and import as OpenAI messages', async ({ page }) => {
  await openWithTestModel(page);
  await setSampling(page, 'Max tokens', '8');
  await ask(page, 'First question about apples');
  const panel = page.getByRole('region', { name: 'Conversations' });
  await panel.getByRole('button', { name: 'New', exact: true }).click();
  await expect(chat(page).getByTestId('user-message')).toHaveCount(0);
  await ask(page, 'Second question about pears');
  await expect(list(page).getByRole('listitem')).toHaveCount(2);

  // rename the second, with the keyboard
  await list(page).getByRole('button', { name: 'Rename Second question about pears' }).click();
  const name = list(page).getByRole('textbox', { name: 'Conversation name' });
  await name.fill('Pears');
  await name.press('Enter');
  await expect(list(page).getByRole('button', { name: /^Pears /, exact: false })).toBeVisible();

  // search by a word inside a message
  await panel.getByRole('searchbox', { name: 'Search conversations' }).fill('apples');
  await expect(list(page).getByRole('listitem')).toHaveCount(1);
  await list(page).getByRole('button', { name: /^First question about apples/ }).click();
  await expect(chat(page).getByTestId('user-message')).toHaveText(['First question about apples']);
  await panel.getByRole('searchbox', { name: 'Search conversations' }).fill('');

  // export the open conversation; it is OpenAI's chat request body
  const download = page.waitForEvent('download');
  await panel.getByRole('button', { name: 'Download JSON' }).click();
  const file = await (await download).path();
  const body = JSON.parse(readFileSync(file, 'utf8'));
  expect(body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
  expect(body.messages[0].content).toBe('First question about apples');
  expect(typeof body.temperature).toBe('number');

  // delete it (two steps), then import the file back: the same messages return
  const answerText = body.messages[1].content;
  await list(page).getByRole('button', { name: 'Delete First question about apples', exact: true }).click();
  await list(page).getByRole('button', { name: 'Delete First question about apples for good' }).click();
  await expect(list(page).getByRole('listitem')).toHaveCount(1);
  await page.reload();
  await expect(list(page).getByRole('listitem')).toHaveCount(1, { timeout: 30_000 });
  await expect(list(page).getByRole('button', { name: /^Pears /, exact: false })).toBeVisible();

  await panel.getByLabel('Import a conversation (JSON, OpenAI messages format)').setInputFiles(file);
  await expect(chat(page).getByTestId('user-message')).toHaveText(['First question about apples']);
  await expect(chat(page).getByTestId('assistant-message')).toHaveText([answerText]);
  await expect(list(page).getByRole('listitem')).toHaveCount(2);

  // a file that is not a conversation: one line, nothing lost
  await panel.getByLabel('Import a conversation (JSON, OpenAI messages format)').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"messages": [{"role": "tool", "content": 1}]}') });
  await expect(panel.getByRole('alert')).toHaveText(/^bad\.json: not a conversation in OpenAI's messages format: message 1 has role "tool"/);
  await expect(list(page).getByRole('listitem')).toHaveCount(2);
});
