// End-to-end tests: the built app (vite preview) in the system Chromium with WebGPU on SwiftShader.
// Never downloads a browser: scripts/chromium.ts finds /usr/bin/chromium and gives the WebGPU flags.
import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './scripts/chromium.ts';

// E2E_PORT lets two checkouts run their e2e side by side (default: vite preview's own 4173).
const port = Number(process.env.E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  // One browser at a time: SwiftShader runs the GPU on the same (few) CPU cores.
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  retries: 0,
  forbidOnly: process.env.CI === 'true',
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${port}`,
    viewport: { width: 1280, height: 900 },
    launchOptions: { executablePath: chromiumPath(), args: chromiumArgs },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: `npx vite preview --port ${port} --strictPort`,
    url: `http://localhost:${port}`,
    reuseExistingServer: process.env.CI !== 'true',
    timeout: 60_000,
  },
});
