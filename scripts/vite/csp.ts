// The built page's Content-Security-Policy, in one place: the meta tag that every static host serves with the page,
// and the response headers `vite preview` sends (a header also covers the Web Workers, which a meta tag cannot).
// Scripts and workers come only from the page's own origin; nothing is evaluated from a string. The one exception
// is 'wasm-unsafe-eval': hash-wasm compiles its SHA-256 WebAssembly module in the worker (checking Hub downloads),
// and that keyword allows compiling wasm, never JavaScript `eval`. Models come from the page's origin or any https
// host (the Hub, a mirror, a link); a Remote engine may also be a local http server (cli serve, llama-server,
// Ollama, vLLM on this machine).
import type { Plugin } from 'vite';

const directives: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'worker-src': ["'self'"],
  'connect-src': ["'self'", 'https:', 'http://localhost:*', 'http://127.0.0.1:*'],
  'img-src': ["'self'", 'data:', 'blob:'],
  'style-src': ["'self'"],
  'font-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
};

/** The policy as the meta tag carries it (frame-ancestors is ignored there, so it lives only in the header). */
export const contentSecurityPolicy = Object.entries(directives).map(([k, v]) => `${k} ${v.join(' ')}`).join('; ');

/**
 * Cross-origin isolation, so the page may share memory between threads (SharedArrayBuffer: the CPU engine's matvec
 * pool, workers/cpu-pool/). `credentialless` rather than `require-corp`: the Hub's CDN, mirrors and linked hosts are
 * fetched with CORS anyway, and a no-cors request simply goes without cookies, so no host the page reads needs a
 * Cross-Origin-Resource-Policy header. A browser without `credentialless` (Safari) treats the page as not isolated:
 * the CPU engine runs on one thread there, nothing else changes. The dev server sends these too.
 */
export const isolationHeaders: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'credentialless',
};

/** The headers a static host should send with every file of the build (README, "Hosting headers"). */
export const hostingHeaders: Record<string, string> = {
  'Content-Security-Policy': `${contentSecurityPolicy}; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  ...isolationHeaders,
};

/** Puts the policy into the built index.html; the dev server keeps none (its hot reload injects inline scripts). */
export function cspMeta(): Plugin {
  return {
    name: 'csp-meta',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy }, injectTo: 'head-prepend' }],
  };
}
