import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import { cspMeta, hostingHeaders, isolationHeaders } from './scripts/vite/csp.ts';
import { modelFiles } from './scripts/vite/model-files.ts';

// The app: React UI on the main thread, the engine in a module Web Worker (workers/engine.worker.ts). The built
// page carries a strict Content-Security-Policy, and `vite preview` serves it as a header too (scripts/vite/csp.ts).
// Both servers make the page cross-origin isolated (COOP/COEP), so the CPU engine may run on several threads.
export default defineConfig({
  plugins: [react(), tailwindcss(), cspMeta(), modelFiles()],
  server: { headers: isolationHeaders },
  preview: { headers: hostingHeaders },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
});
