// Turning what the user picked or dropped into a model source: a .gguf file, or a Hugging Face model folder
// (config.json, model.safetensors, tokenizer.json, tokenizer_config.json, generation_config.json).
import type { ModelSource } from '../../workers/api.ts';
import type { SourceSpec } from '../store/engine.ts';

/** The files a loader can use; anything else in a dropped folder (README, .bin weights, images) is not read. */
const MODEL_FILE = /\.(gguf|safetensors|json)$/i;

export function pickModelFiles(files: Iterable<File>): File[] {
  return [...files].filter((f) => MODEL_FILE.test(f.name));
}

/** All files of a drop, walking into dropped folders (webkitGetAsEntry). */
export async function droppedFiles(dt: DataTransfer): Promise<File[]> {
  const entries = [...dt.items].map((i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (entries.length === 0) return [...dt.files];
  const out: File[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      out.push(await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej)));
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      // readEntries returns the listing in batches; an empty batch means the end.
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child);
      }
    }
  };
  for (const e of entries) await walk(e);
  return out;
}

/** Reads the picked files and builds the source to transfer to the engine. */
export async function toModelSource(spec: SourceSpec): Promise<ModelSource> {
  if (spec.kind !== 'files') return spec;
  const files = await Promise.all(spec.files.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
  if (files.length === 1) return { kind: 'file', name: files[0].name, bytes: files[0].bytes };
  return { kind: 'files', files };
}
