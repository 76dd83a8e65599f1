// Errors as people see them: one line, never a stack trace.

export function oneLine(e: unknown): string {
  const raw = e instanceof Error ? e.message : typeof e === 'string' ? e : String(e);
  const line = raw.split('\n').map((s) => s.trim()).find((s) => s.length > 0) ?? 'Unknown error';
  return line.length > 300 ? `${line.slice(0, 297)}…` : line;
}

/** WebGPU's GPUDevice.lost surfaces in engine messages as "device was lost". */
export const isDeviceLost = (message: string) => /device was lost/i.test(message);
