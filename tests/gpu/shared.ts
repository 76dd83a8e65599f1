// Reading ../shared from a browser test through Vitest's file commands. Absent outside the team's machines:
// then the cross-checks are skipped with a message — but CI, where ../shared must exist, fails instead.
import { commands } from 'vitest/browser';

export async function readShared(rel: string): Promise<Uint8Array | null> {
  try {
    const b64 = await commands.readFile(`${import.meta.env.VITE_SHARED_DIR}${rel}`, 'base64');
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  } catch (e) {
    if (import.meta.env.VITE_CI === 'true') throw new Error(`CI=true but ../shared/${rel} is unreadable: ${(e as Error).message}`, { cause: e });
    console.warn(`SKIPPED: ../shared/${rel} is absent, so this stories260K cross-check does not run`);
    return null;
  }
}
