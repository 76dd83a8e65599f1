// A connect-style middleware serving files from disk with HTTP Range support (206 + Content-Range), so a page
// reads a multi-GB checkpoint tensor by tensor, as it reads the Hugging Face Hub. Used by the CLI's WebGPU engine
// (a Vite server in front of headless Chromium) and by the GPU tests' Vite server (generated checkpoints).
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Serves `files` (URL path under the mount -> file path); anything else goes to next(). */
export function serveFiles(files: (name: string) => string | null) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const name = decodeURIComponent((req.url ?? '/').split('?')[0].replace(/^\/+/, ''));
    const path = files(name);
    if (!path) { next(); return; }
    let size: number;
    try { size = statSync(path).size; } catch { res.statusCode = 404; res.end('not found'); return; }
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Cache-Control', 'no-store');
    const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0, end = size - 1;
    if (m && (m[1] || m[2])) {
      start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]));
      end = m[1] && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
      if (start > end || start >= size) {
        res.statusCode = 416;
        res.setHeader('Content-Range', `bytes */${size}`);
        res.end();
        return;
      }
      res.statusCode = 206;
      res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    }
    res.setHeader('Content-Length', String(end - start + 1));
    if (req.method === 'HEAD' || size === 0) { res.end(); return; }
    createReadStream(path, { start, end }).pipe(res);
  };
}
