// Turning what the user picked or dropped into a model source: a .gguf file, or a Hugging Face model folder
// (config.json, model.safetensors or its shards + model.safetensors.index.json, tokenizer.json, ...). Files stay
// Blob handles named by their path in the folder: the engine reads them by byte range, so an 8 GB checkpoint
// never enters this tab's memory (reading it whole with File.arrayBuffer() would end the tab).
import type { SourceSpec } from '../store/engine.ts';

export interface NamedBlob {
  name: string; // "Llama-3.2-1B/config.json": the folder names the model
  blob: Blob;
}

/** The files a loader can use; anything else in a folder (README, .bin weights, images, .jsonl) is not sent. */
const MODEL_FILE = /\.(gguf|safetensors|json|jinja)$/i;

const folderOf = (name: string) => name.slice(0, name.lastIndexOf('/') + 1);
const depth = (name: string) => name.split('/').length;

/**
 * The model's own files: those a loader reads, and, in a folder, only those beside its config.json (the
 * shallowest one), so a sub-folder's JSON (eval/results.json, original/params.json) can never stand in for them.
 */
export function modelFiles(files: readonly NamedBlob[]): NamedBlob[] {
  const usable = files.filter((f) => MODEL_FILE.test(f.name));
  const configs = usable.filter((f) => /(^|\/)config\.json$/.test(f.name)).sort((a, b) => depth(a.name) - depth(b.name));
  if (configs.length === 0) return usable;
  const folder = folderOf(configs[0].name);
  return usable.filter((f) => folderOf(f.name) === folder);
}

/** Picked files: a folder pick (webkitdirectory) names each file by its path in the folder. */
export function pickedFiles(list: Iterable<File>): NamedBlob[] {
  return [...list].map((f) => ({ name: f.webkitRelativePath || f.name, blob: f }));
}

/** All files of a drop, walking into dropped folders (webkitGetAsEntry), named by their path in the drop. */
export async function droppedFiles(dt: DataTransfer): Promise<NamedBlob[]> {
  const entries = [...dt.items].map((i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (entries.length === 0) return pickedFiles(dt.files);
  const out: NamedBlob[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
      out.push({ name: entry.fullPath.replace(/^\//, '') || file.name, blob: file });
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

/** The source to open, or null when nothing there is a model file. */
export function blobsSource(files: readonly NamedBlob[]): SourceSpec | null {
  const picked = modelFiles(files);
  return picked.length ? { kind: 'blobs', files: picked } : null;
}
