// The Hub's environment variables, read as huggingface_hub reads them (huggingface_hub/constants.py):
//   HF_ENDPOINT     the Hub (default https://huggingface.co)
//   HF_HUB_CACHE    the cache (default $HF_HOME/hub; HF_HOME defaults to $XDG_CACHE_HOME/huggingface or ~/.cache/huggingface)
//   HF_TOKEN        the token (else the file `huggingface-cli login` writes: $HF_TOKEN_PATH or $HF_HOME/token)
//   HF_HUB_OFFLINE  1/ON/YES/TRUE: no request at all; models come from the cache
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ENDPOINT } from '../../workers/hub/client.ts';

export interface HubEnv {
  endpoint: string;
  cacheDir: string;
  token: string | null;
  offline: boolean;
}

type Env = Record<string, string | undefined>;

const TRUE = new Set(['1', 'ON', 'YES', 'TRUE']);

export function hubEnv(env: Env = process.env): HubEnv {
  const home = env.HF_HOME || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'huggingface');
  return {
    endpoint: (env.HF_ENDPOINT || DEFAULT_ENDPOINT).replace(/\/+$/, ''),
    cacheDir: env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE || join(home, 'hub'),
    token: env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN || tokenFile(env.HF_TOKEN_PATH || join(home, 'token')),
    offline: TRUE.has((env.HF_HUB_OFFLINE ?? '').toUpperCase()),
  };
}

function tokenFile(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim() || null;
  } catch {
    return null;
  }
}
