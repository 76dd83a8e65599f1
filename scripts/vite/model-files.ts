// Model files (.safetensors, .gguf) served as they are by `vite preview`. Its static server knows no type for these
// extensions and sends an empty Content-Type, which its compression middleware reads as text/plain and gzips on the
// fly: the default model's 3.4 MB of BF16 weights then cost the server ~120 ms of a core (for 20% fewer bytes, on
// a loopback) and the page's first token waited for them. As the Hub's CDN does, weights go uncompressed, so a
// Range request's bytes are the file's bytes too. (The middleware runs before the compression one: a request for a
// model file reaches it asking for no encoding.)
import type { Connect, Plugin } from 'vite';

const MODEL_FILE = /\.(safetensors|gguf)(\?|$)/i;

const identity: Connect.NextHandleFunction = (req, _res, next) => {
  if (MODEL_FILE.test(req.url ?? '')) req.headers['accept-encoding'] = 'identity';
  next();
};

export function modelFiles(): Plugin {
  return { name: 'model-files', configurePreviewServer: (server) => { server.middlewares.use(identity); } };
}
