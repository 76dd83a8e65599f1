// Opening a model: a .gguf file, the files of a Hugging Face model folder, or a URL. Dropping files or a
// folder anywhere on the page does the same (see DropOverlay.tsx). Files are handed to the engine unread.
import { useRef, useState } from 'react';
import { loadModel } from '../engine/controller.ts';
import { blobsSource, pickedFiles, type NamedBlob } from '../engine/sources.ts';
import { useEngine } from '../store/engine.ts';
import { Button, focusRing } from './ui.tsx';

export function openFiles(files: readonly NamedBlob[]): void {
  const source = blobsSource(files);
  if (!source) {
    useEngine.setState({ error: 'No model files there: pick a .gguf file, or a folder with config.json, *.safetensors and tokenizer.json.' });
    return;
  }
  void loadModel(source);
}

export function OpenModel() {
  const defaultMissing = useEngine((s) => s.defaultMissing);
  const [url, setUrl] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  return (
    <div className="flex flex-col gap-3">
      <h3 className="text-xs font-semibold tracking-wide text-zinc-600 uppercase dark:text-zinc-400">Open a model</h3>
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={() => fileInput.current?.click()}>
          Open files…
        </Button>
        <Button variant="secondary" onClick={() => folderInput.current?.click()}>
          Open folder…
        </Button>
        {defaultMissing && (
          <Button variant="secondary" onClick={() => void loadModel({ kind: 'default' })}>
            Try the default again
          </Button>
        )}
        <input
          ref={fileInput}
          type="file"
          multiple
          accept=".gguf,.safetensors,.json"
          aria-label="Model file"
          data-testid="model-file-input"
          className="sr-only"
          tabIndex={-1}
          onChange={(e) => {
            if (e.target.files?.length) openFiles(pickedFiles(e.target.files));
            e.target.value = ''; // picking the same file again still loads it
          }}
        />
        <input
          ref={(el) => {
            folderInput.current = el;
            el?.setAttribute('webkitdirectory', '');
          }}
          type="file"
          aria-label="Model folder"
          className="sr-only"
          tabIndex={-1}
          onChange={(e) => {
            if (e.target.files?.length) openFiles(pickedFiles(e.target.files));
            e.target.value = '';
          }}
        />
      </div>
      <p className="text-xs text-zinc-600 dark:text-zinc-400">
        A <code className="font-mono">.gguf</code> file, or a Hugging Face model folder: <code className="font-mono">config.json</code>,{' '}
        <code className="font-mono">model.safetensors</code> or its shards with{' '}
        <code className="font-mono">model.safetensors.index.json</code>, <code className="font-mono">tokenizer.json</code> (+{' '}
        <code className="font-mono">tokenizer_config.json</code>, <code className="font-mono">generation_config.json</code>). Or drop
        them anywhere on the page. Files are read piece by piece, never whole, so an 8B checkpoint opens too; other files in
        the folder are skipped.
      </p>
      <form
        className="flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          const u = url.trim();
          if (u) void loadModel({ kind: 'url', url: u });
        }}
      >
        <label htmlFor="model-url" className="sr-only">
          Model URL
        </label>
        <input
          id="model-url"
          type="url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="https://…/model.gguf or …/folder/"
          className={`min-w-0 flex-1 rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm text-zinc-900 placeholder:text-zinc-400 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100 ${focusRing}`}
        />
        <Button type="submit" variant="secondary" disabled={url.trim() === ''}>
          Load
        </Button>
      </form>
    </div>
  );
}
