// First token after opening the page (issue 12, item 4): the built app under `vite preview`, the embedded default
// model, a fresh browser profile each run (a new context: empty HTTP cache, storage and OPFS), in headless Chromium
// on the CPU engine (no WebGPU flags, as a browser without WebGPU) and on WebGPU (SwiftShader). Each run navigates,
// waits for the chat to accept a message (interactive: the model is loaded and Send is enabled), sends one at once
// (the page clicks Send in the frame it is enabled) and waits for the answer's first character. Times are the
// page's own clock (performance.now(), 0 = navigation start); the load's phases are read from the progress bar the person sees (the first moment each phase is shown).
//   npx tsx scripts/bench/first-token.ts [--runs N] [--no-build] [--json] [--engines cpu,webgpu] [--baseline DIR]
// --baseline DIR serves another checkout's built dist/ beside ours, runs alternated (a before/after in one run).
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build, preview } from 'vite';
import { chromiumArgs, chromiumPath } from '../chromium.ts';
import { oneLine } from '../../workers/engine.ts';
import { num, parseArgs } from '../cli/args.ts';
import { median } from './format.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MESSAGE = 'Hello!';
const TARGET_MS = { cpu: 1000, webgpu: 2000 } as const;
const SETTLE_MS = 1500; // a new window's own start-up, before the navigation (see once())
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

// Runs in the page (a string, as above), right after the navigation: in the first frame the message box exists it
// types the message (as a person who types while the model loads; React hears the input event), clicks Send in the
// first frame it is enabled, and resolves with that moment and the moment the answer's first character is on screen.
// Nothing goes through Playwright on the way: its locator polls and a fill's actionability checks (the box must keep
// its place for two frames, which it does not while the page fills in) cost 150-300 ms here and are not the app's.
const SEND_WHEN_READY = `new Promise((done) => {
  const sendButton = () => [...document.querySelectorAll('button[type=submit]')].find((b) => b.textContent.trim() === 'Send');
  const answered = () => { const a = document.querySelectorAll('[data-testid=assistant-message]'); const l = a[a.length - 1]; return !!l && l.textContent.length > 0; };
  const setValue = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set;
  let typed = false, interactive = 0;
  const frame = () => {
    const box = document.querySelector('[role=region][aria-label=Chat] textarea');
    if (!typed && box) { typed = true; setValue.call(box, ${JSON.stringify(MESSAGE)}); box.dispatchEvent(new Event('input', { bubbles: true })); }
    const send = sendButton();
    if (typed && !interactive && send && !send.disabled && box.value === ${JSON.stringify(MESSAGE)}) { interactive = performance.now(); send.click(); }
    if (interactive && answered()) { done([interactive, performance.now()]); return; }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})`;

async function once(browser: Browser, url: string): Promise<Run> {
  const context = await browser.newContext(); // a fresh profile
  try {
    const page = await context.newPage();
    // A new window of headless Chromium 156 starts its own browser UI (the omnibox popup's WebUI renderer: ~270 ms of
    // one core's time, seen in a trace): let it finish before navigating, as a person's browser window is open
    // before they type the address. On this 2-core machine it otherwise competes with the page's load.
    await page.waitForTimeout(SETTLE_MS);
    await page.addInitScript({ content: WATCH_PHASES });
    await page.goto(url);
    const [interactiveMs, firstToken] = (await page.evaluate(SEND_WHEN_READY)) as [number, number];
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


async function main(): Promise<void> {
  const f = parseArgs(process.argv.slice(2), { runs: 'string', 'no-build': 'bool', json: 'bool', baseline: 'string', engines: 'string' });
  const runs = num(f, 'runs', 5, { int: true, min: 1, max: 50 });
  const modes = (typeof f.engines === 'string' ? f.engines.split(',') : ['cpu', 'webgpu']) as Mode[];
  if (modes.some((m) => !(m in TARGET_MS))) throw new Error(`--engines: cpu and/or webgpu, not ${String(f.engines)}`);
  // --baseline DIR: another checkout of this repository, built (its dist/), served beside ours; runs alternate
  const roots: Record<string, string> = { ours: ROOT };
  if (typeof f.baseline === 'string') roots.baseline = resolve(f.baseline);
  if (f['no-build'] !== true) await build({ root: ROOT, logLevel: 'error' });
  const urls: Record<string, string> = {};
  const servers = [];
  for (const [name, root] of Object.entries(roots)) {
    const server = await preview({ root, logLevel: 'error', preview: { host: '127.0.0.1', port: 0, strictPort: false } });
    servers.push(server);
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('vite preview did not start');
    urls[name] = url;
  }
  const loadBefore = loadavg();
  const cpuArgs = chromiumArgs.filter((a) => !/webgpu|vulkan|swiftshader/i.test(a));
  const browsers: Record<Mode, Browser> = {
    cpu: await chromium.launch({ executablePath: chromiumPath(), args: cpuArgs, headless: true }),
    webgpu: await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs, headless: true }),
  };
  const results: Record<string, Run[]> = {};
  const rows = Object.keys(urls).flatMap((build) => modes.map((mode) => ({ build, mode, key: `${build} ${mode}` })));
  try {
    for (const r of rows) await once(browsers[r.mode], urls[r.build]); // warm the OS file cache and the servers
    for (let i = 0; i < runs; i++) for (const r of rows) (results[r.key] ??= []).push(await once(browsers[r.mode], urls[r.build]));
  } finally {
    for (const b of Object.values(browsers)) await b.close();
    for (const server of servers) await new Promise<void>((done) => server.httpServer.close(() => done()));
  }
  const version = await (async () => { const b = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'], headless: true }); try { return b.version(); } finally { await b.close(); } })();
  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadavg_before: loadBefore, loadavg_after: loadavg(), node: process.version, chromium: version };
  if (f.json) { console.log(JSON.stringify({ runs, roots, results, machine })); return; }

  const ms = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(0)).padStart(7);
  const label = (key: string) => (roots.baseline ? key : key.replace(/^ours /, ''));
  const width = Math.max(7, ...rows.map((r) => label(r.key).length + 1));
  console.log(`first token after opening the page · built app (vite preview) · embedded default model · fresh profile · median of ${runs}${roots.baseline ? ` · baseline: ${roots.baseline}, runs alternated` : ''}`);
  console.log(`${'engine'.padEnd(width)}   html   DOM ready  app JS   ${PHASES.map((p) => p.replace('Reading weights onto the GPU', 'upload').replace('Reading weights', 'parse').replace('Opening the files', 'open').replace('Compiling kernels', 'compile').replace('Downloading', 'download')).join('  ')}  interactive  first token  (ms)`);
  for (const { key, mode } of rows) {
    const r = results[key];
    const med = (pick: (x: Run) => number | undefined) => { const xs = r.map(pick).filter((x): x is number => x !== undefined); return xs.length ? median(xs) : undefined; };
    const first = med((x) => x.firstToken)!;
    console.log(`${label(key).padEnd(width)}${ms(med((x) => x.response))}${ms(med((x) => x.domContentLoaded))}   ${ms(med((x) => x.scripts))} ${PHASES.map((p) => ms(med((x) => x.phases[p]))).join('')}     ${ms(med((x) => x.interactive))}      ${ms(first)}   engine ${r[0].engine}; target < ${TARGET_MS[mode]} ms: ${first < TARGET_MS[mode] ? 'met' : 'NOT met'}; every first token: ${r.map((x) => x.firstToken.toFixed(0)).join(' ')}`);
  }
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`(a phase shows — when it was over before the page drew it) · machine: ${machine.cpu} · ${machine.cores} cores · load avg ${load(machine.loadavg_before)} before, ${load(machine.loadavg_after)} after · node ${machine.node} · Chromium ${version}`);
}

main().catch((e) => { console.error(oneLine(e)); process.exit(1); });
