import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { chromiumArgs, chromiumPath } from './scripts/chromium.ts';
import { serveFiles } from './scripts/serve-files.ts';
import { isolationHeaders } from './scripts/vite/csp.ts';

// Generated checkpoints (tests/checkpoint-setup.ts) live here; the browser tests read them by HTTP Range requests.
const checkpoints = fileURLToPath(new URL('./.cache/checkpoints/', import.meta.url));
const checkpointFile = (name: string) => (/^[\w.-]+\/[\w.-]+$/.test(name) ? checkpoints + name : null);

// Two projects: `unit` runs pure code and the CPU engine in Node; `gpu` runs the real WGSL kernels in headless
// Chromium on SwiftShader against their CPU twins.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node', testTimeout: 60_000,
          globalSetup: ['tests/checkpoint-setup.ts'], // the 1B-geometry checkpoint, generated once and shared
        },
      },
      {
        // CI=true turns a missing WebGPU adapter into a failure (tests/gpu/harness.ts).
        define: {
          'import.meta.env.VITE_CI': JSON.stringify(process.env.CI ?? ''),
          'import.meta.env.VITE_SHARED_DIR': JSON.stringify(fileURLToPath(new URL('../shared/', import.meta.url))),
        },
        // the stories260K cross-checks read ../shared (the reference model and llama2.c's outputs)
        // cross-origin isolated as the app is served, so the CPU pool's threads can share memory (tests/gpu/cpu-pool.test.ts)
        server: { fs: { allow: ['.', '../shared'] }, headers: isolationHeaders },
        // pre-bundled up front, so a dependency found mid-run never reloads the test page
        optimizeDeps: { include: ['@huggingface/jinja', 'comlink', '@wllama/wllama'] },
        plugins: [{ name: 'checkpoints', configureServer: (s) => { s.middlewares.use('/__checkpoints__/', serveFiles(checkpointFile)); } }],
        test: {
          name: 'gpu',
          include: ['tests/gpu/**/*.test.ts'],
          globalSetup: ['tests/checkpoint-setup.ts', 'tests/hub-setup.ts'], // + the Hub stand-in (tests/gpu/hub-*.test.ts)
          testTimeout: 120_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            instances: [{ browser: 'chromium' }],
            provider: playwright({ launchOptions: { executablePath: chromiumPath(), args: chromiumArgs } }),
          },
        },
      },
    ],
  },
});
