// A model file on disk as a ByteSource: read by range at an offset (fs read), never whole, so `inspect` on a
// 16 GB checkpoint reads its headers and tokenizer only, and the CPU engine streams tensors from disk.
import { openSync, readSync, fstatSync } from 'node:fs';
import type { ByteSource } from '../../workers/loader/source.ts';

export function fileSource(path: string, name = path): ByteSource {
  const fd = openSync(path, 'r'); // kept open for the process's life: the file is the master copy of the weights
  const size = fstatSync(fd).size;
  return {
    name, size,
    async read(offset, length) {
      if (!(offset >= 0 && length >= 0 && offset + length <= size)) {
        throw new Error(`${name} is shorter than expected: bytes ${offset}..${offset + length} are past its end (${size} bytes); the file may be truncated`);
      }
      const out = new Uint8Array(length);
      for (let done = 0; done < length;) {
        const n = readSync(fd, out, done, Math.min(length - done, 1 << 30), offset + done);
        if (n === 0) throw new Error(`${name} ended early at byte ${offset + done}`);
        done += n;
      }
      return out;
    },
  };
}
