// First token after opening the page (issue 12, item 4): the built app under `vite preview`, the embedded default
// model, a fresh browser profile each run (a new context: empty HTTP cache, storage and OPFS), in headless Chromium
// on the CPU engine (no WebGPU flags, as a browser without WebGPU) and on WebGPU (SwiftShader). Each run navigates,
// waits for the chat to accept a message (interactive: the model is loaded and Send is enabled), sends one at once
// and waits for the answer's first character. Times are the page's own clock (performance.now(), 0 = navigation
// start); the load's phases are read from the progress bar the person sees (the first moment each phase is shown).
//   npx tsx scripts/bench/first-token.ts [--runs N] [--no-build] [--json]
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build, preview } from 'vite';
import { chromiumArgs, chromiumPath } from '../chromium.ts';
import { oneLine } from '../../workers/engine.ts';
import { num, parseArgs } from '../cli/args.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MESSAGE = 'Hello!';
const TARGET_MS = { cpu: 1000, webgpu: 2000 } as const;
type Mode = keyof typeof TARGET_MS;

/** Milestones of one run, ms since navigation start. */
interface Run {
  engine: string;
  response: number; // the HTML's last byte
  domContentLoaded: number;
  scripts: number; // the app's JS and CSS fetched (the last resource of the page's own timeline)
  phases: Record<string, number>; // first moment each load phase was on screen
  interactive: number; // Send enabled with a message typed
  firstToken: number; // the answer's first character on screen
}

const PHASES = ['Opening the files', 'Downloading', 'Reading weights onto the GPU', 'Reading weights', 'Compiling kernels'];

// Runs in the page before any of its scripts: a MutationObserver stamps the first time each phase is shown. (A
// string, not a function: tsx's transform would put helpers in a function's body that the page does not have.)
const WATCH_PHASES = `(() => {
  const phases = ${JSON.stringify(PHASES)};
  const seen = {};
  window.__phases = seen;
  new MutationObserver(() => {
    for (const bar of document.querySelectorAll('[role=progressbar]')) {
      const text = bar.getAttribute('aria-valuetext') || '';
      const phase = phases.find((p) => text.startsWith(p));
      if (phase && !(phase in seen)) seen[phase] = performance.now();
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuetext'] });
})();`;

async function once(browser: Browser, url: string): Promise<Run> {
  const context = await browser.newContext(); // a fresh profile
  try {
    const page = await context.newPage();
    await page.addInitScript({ content: WATCH_PHASES });
    await page.goto(url);
    const chat = page.getByRole('region', { name: 'Chat' });
    const box = chat.getByRole('textbox', { name: 'Message', exact: true });
    await box.waitFor();
    // Type as soon as the box exists; "interactive" is when Send takes it (the model is loaded and ready).
    await box.fill(MESSAGE);
    const interactive = await page.waitForFunction(() => {
      const send = [...document.querySelectorAll('button[type=submit]')].find((b) => b.textContent?.trim() === 'Send') as HTMLButtonElement | undefined;
      return send && !send.disabled ? performance.now() : null;
    }, null, { polling: 'raf', timeout: 120_000 });
    const interactiveMs = (await interactive.jsonValue()) as number;
    await chat.getByRole('button', { name: 'Send' }).click();
    const first = await page.waitForFunction(() => {
      const answers = document.querySelectorAll('[data-testid=assistant-message]');
      const last = answers[answers.length - 1];
      return last && (last.textContent ?? '').length > 0 ? performance.now() : null;
    }, null, { polling: 'raf', timeout: 120_000 });
    const firstToken = (await first.jsonValue()) as number;
    const t = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const own = performance.getEntriesByType('resource').filter((r) => /\/assets\/.*\.(js|css)$/.test(r.name)) as PerformanceResourceTiming[];
      return {
        response: nav.responseEnd, domContentLoaded: nav.domContentLoadedEventEnd,
        scripts: Math.max(nav.responseEnd, ...own.map((r) => r.responseEnd)),
        phases: (window as unknown as { __phases: Record<string, number> }).__phases,
      };
    });
    const engine = await page.getByRole('banner').getByText(/^(CPU|WebGPU)$/).first().innerText().catch(() => '?');
    return { engine, ...t, interactive: interactiveMs, firstToken };
  } finally {
    await context.close();
  }
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };

async function main(): Promise<void> {
  const f = parseArgs(process.argv.slice(2), { runs: 'string', 'no-build': 'bool', json: 'bool' });
  const runs = num(f, 'runs', 5, { int: true, min: 1, max: 50 });
  if (f['no-build'] !== true) await build({ root: ROOT, logLevel: 'error' });
  const server = await preview({ root: ROOT, logLevel: 'error', preview: { host: '127.0.0.1', port: 0, strictPort: false } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not start');
  const loadBefore = loadavg();
  const cpuArgs = chromiumArgs.filter((a) => !/webgpu|vulkan|swiftshader/i.test(a));
  const browsers: Record<Mode, Browser> = {
    cpu: await chromium.launch({ executablePath: chromiumPath(), args: cpuArgs, headless: true }),
    webgpu: await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs, headless: true }),
  };
  const results: Record<Mode, Run[]> = { cpu: [], webgpu: [] };
  try {
    for (const mode of ['cpu', 'webgpu'] as Mode[]) await once(browsers[mode], url); // warm the OS file cache and the server
    for (let i = 0; i < runs; i++) for (const mode of ['cpu', 'webgpu'] as Mode[]) results[mode].push(await once(browsers[mode], url));
  } finally {
    for (const b of Object.values(browsers)) await b.close();
    await new Promise<void>((done) => server.httpServer.close(() => done()));
  }
  const version = await (async () => { const b = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'], headless: true }); try { return b.version(); } finally { await b.close(); } })();
  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadavg_before: loadBefore, loadavg_after: loadavg(), node: process.version, chromium: version };
  if (f.json) { console.log(JSON.stringify({ runs, results, machine })); return; }

  const ms = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(0)).padStart(7);
  console.log(`first token after opening the page · built app (vite preview) · embedded default model · fresh profile · median of ${runs}`);
  console.log(`engine   html   DOM ready  app JS   ${PHASES.map((p) => p.replace('Reading weights onto the GPU', 'upload').replace('Reading weights', 'parse').replace('Opening the files', 'open').replace('Compiling kernels', 'compile').replace('Downloading', 'download')).join('  ')}  interactive  first token  (ms)`);
  for (const mode of ['cpu', 'webgpu'] as Mode[]) {
    const r = results[mode];
    const med = (pick: (x: Run) => number | undefined) => { const xs = r.map(pick).filter((x): x is number => x !== undefined); return xs.length ? median(xs) : undefined; };
    const first = med((x) => x.firstToken)!;
    console.log(`${mode.padEnd(7)}${ms(med((x) => x.response))}${ms(med((x) => x.domContentLoaded))}   ${ms(med((x) => x.scripts))} ${PHASES.map((p) => ms(med((x) => x.phases[p]))).join('')}     ${ms(med((x) => x.interactive))}      ${ms(first)}   engine ${r[0].engine}; target < ${TARGET_MS[mode]} ms: ${first < TARGET_MS[mode] ? 'met' : 'NOT met'}; every first token: ${r.map((x) => x.firstToken.toFixed(0)).join(' ')}`);
  }
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`(a phase shows — when it was over before the page drew it) · machine: ${machine.cpu} · ${machine.cores} cores · load avg ${load(machine.loadavg_before)} before, ${load(machine.loadavg_after)} after · node ${machine.node} · Chromium ${version}`);
}

main().catch((e) => { console.error(oneLine(e)); process.exit(1); });
