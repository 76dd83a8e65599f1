// Drag-and-drop anywhere on the page: a .gguf file, a model's files, or a whole model folder.
import { useEffect, useState } from 'react';
import { droppedFiles } from '../engine/sources.ts';
import { oneLine } from '../engine/errors.ts';
import { useEngine } from '../store/engine.ts';
import { openFiles } from './OpenModel.tsx';

const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;

export function DropOverlay() {
  const [over, setOver] = useState(false);

  useEffect(() => {
    let depth = 0; // dragenter/dragleave fire for every child element crossed
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setOver(true);
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const dragOver = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer!.dropEffect = 'copy';
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      droppedFiles(e.dataTransfer!).then(openFiles, (err) => useEngine.setState({ error: `Could not read the dropped files: ${oneLine(err)}` }));
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', dragOver);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', dragOver);
      window.removeEventListener('drop', drop);
    };
  }, []);

  if (!over) return null;
  return (
    <div className="pointer-events-none fixed inset-0 z-50 flex items-center justify-center bg-indigo-600/15 p-6 backdrop-blur-sm">
      <div className="rounded-3xl border-2 border-dashed border-indigo-500 bg-white/90 px-8 py-10 text-center shadow-xl dark:bg-zinc-900/90">
        <p className="text-lg font-semibold text-zinc-900 dark:text-zinc-50">Drop to open the model</p>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-300">a .gguf file, or a Hugging Face model folder (shards too)</p>
      </div>
    </div>
  );
}
