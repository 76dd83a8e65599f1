import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import { cspMeta, hostingHeaders } from './scripts/vite/csp.ts';

// The app: React UI on the main thread, the engine in a module Web Worker (workers/engine.worker.ts). The built
// page carries a strict Content-Security-Policy, and `vite preview` serves it as a header too (scripts/vite/csp.ts).
export default defineConfig({
  plugins: [react(), tailwindcss(), cspMeta()],
  preview: { headers: hostingHeaders },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
});
