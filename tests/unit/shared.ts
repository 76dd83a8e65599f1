// Reading ../shared (the reference model and golden outputs): present on the team's machines and in CI, absent
// elsewhere. Tests that need it say so clearly when it is missing — and fail in CI, where it must be present.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const sharedPath = (rel: string) => fileURLToPath(new URL(`../../../shared/${rel}`, import.meta.url));

export function readShared(rel: string): Buffer | null {
  const path = sharedPath(rel);
  if (existsSync(path)) return readFileSync(path);
  if (process.env.CI === 'true') throw new Error(`CI=true but ${path} is missing: ../shared must be checked out beside the repository`);
  console.warn(`SKIPPED: ${path} is absent (../shared is not beside this checkout), so the stories260K cross-checks do not run`);
  return null;
}

/**
 * Whether every ../shared path in `rels` exists, for a describe.skipIf: absent, it prints which cases skip and why
 * — and under CI=true, where ../shared must be present, it throws, so a skip never passes there.
 */
export function haveShared(what: string, ...rels: string[]): boolean {
  const missing = rels.map(sharedPath).filter((p) => !existsSync(p));
  if (missing.length === 0) return true;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${missing.join(', ')} is missing: ../shared must be checked out beside the repository`);
  console.warn(`SKIPPED: ${missing.join(', ')} is absent (../shared is not beside this checkout), so ${what} do not run`);
  return false;
}

export const STORIES = 'models/stories260K/stories260K.gguf';

export interface Golden { prompt: string; prompt_tokens: number[]; steps: number; greedy_continuation: number[] }
