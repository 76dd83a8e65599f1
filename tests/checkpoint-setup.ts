// Vitest globalSetup: the 2-layer Llama 3.2 1B-geometry checkpoint (scripts/fixtures/llama-checkpoint.ts), generated
// once per machine into .cache/checkpoints/ (about 5 s, 0.77 GB) and reused while its stamp matches. Tests read
// the folder's path with `inject('checkpointDir')`. Vitest calls this only when the project has tests queued.
import type { TestProject } from 'vitest/node';
import { ensureCheckpoint } from '../scripts/fixtures/llama-checkpoint.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute path of the generated 2-layer checkpoint folder. */
    checkpointDir: string;
  }
}

export default function setup(project: TestProject): void {
  project.provide('checkpointDir', ensureCheckpoint({ layers: 2 }));
}
