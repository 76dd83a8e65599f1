// Starts a TypeScript worker thread under tsx's loader (Vitest's own transform does not reach worker_threads).
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
