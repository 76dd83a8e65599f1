// "Models on this device": the Hub models in this browser's storage (OPFS, or Cache Storage), each with its
// revision, size and last use, and Load (no network needed) and Delete; the storage used and available
// (navigator.storage.estimate()), and a request to keep the models when space runs low (navigator.storage.persist()).
import { useEffect, useState } from 'react';
import type { CachedModel } from '../../workers/api.ts';
import { loadModel } from '../engine/controller.ts';
import { deleteDeviceModel, keepModels, linkSpec, refreshDeviceModels } from '../engine/hub.ts';
import { useEngine } from '../store/engine.ts';
import { useHub } from '../store/hub.ts';
import { formatBytes } from '../format.ts';
import { Button } from './ui.tsx';

/** "main → 3f2a9c1" (or the commit alone). */
function revisions(m: CachedModel): string {
  if (m.revisions.length) return m.revisions.map((r) => `${r.revision} → ${r.commit.slice(0, 7)}`).join(', ');
  return m.commits.map((c) => c.slice(0, 7)).join(', ') || 'no complete snapshot';
}

function ago(ms: number | null): string {
  if (ms === null) return 'never loaded';
  const s = (Date.now() - ms) / 1000;
  if (s < 60) return 'used just now';
  if (s < 3600) return `used ${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `used ${Math.floor(s / 3600)} h ago`;
  return `used ${new Date(ms).toLocaleDateString()}`;
}

export function DeviceModels() {
  const models = useHub((s) => s.models);
  const storage = useHub((s) => s.storage);
  const listError = useHub((s) => s.listError);
  const loading = useEngine((s) => s.loading);
  const [confirming, setConfirming] = useState<string | null>(null);
  useEffect(() => { void refreshDeviceModels(); }, []);

  const available = storage.quota !== null && storage.usage !== null ? storage.quota - storage.usage : null;
  return (
    <div role="group" aria-labelledby="device-models-title" className="flex flex-col gap-2.5">
      <h3 id="device-models-title" className="text-xs font-semibold tracking-wide text-zinc-600 uppercase dark:text-zinc-400">
        Models on this device
      </h3>
      {listError && <p className="text-xs text-rose-700 dark:text-rose-300">{listError}</p>}
      {models !== null && models.length === 0 && !listError && (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">None yet: a model loaded from the Hub stays here.</p>
      )}
      {models && models.length > 0 && (
        <ul className="flex flex-col gap-2">
          {models.map((m) => (
            <li key={m.repo} data-testid="device-model" className="flex flex-col gap-1 rounded-lg border border-zinc-200 px-3 py-2 dark:border-zinc-700">
              <div className="flex items-center gap-2">
                <span className="min-w-0 flex-1 truncate text-sm font-medium text-zinc-900 dark:text-zinc-100" title={m.id}>
                  {m.id.replace(/^hf:/, '')}
                </span>
                {!m.complete && (
                  <span className="shrink-0 rounded bg-amber-100 px-1.5 text-[0.7rem] font-medium text-amber-900 dark:bg-amber-500/15 dark:text-amber-200">
                    partial
                  </span>
                )}
              </div>
              <p className="truncate text-xs text-zinc-600 tabular-nums dark:text-zinc-400" title={revisions(m)}>
                {revisions(m)} · {formatBytes(m.bytes)} · {ago(m.lastUsed)}
              </p>
              {confirming === m.repo ? (
                <div className="flex items-center gap-2 text-xs">
                  <span className="text-zinc-700 dark:text-zinc-300">Delete {formatBytes(m.bytes)} of {m.repo}?</span>
                  <Button size="sm" variant="danger" aria-label={`Confirm delete ${m.repo}`} onClick={() => { setConfirming(null); void deleteDeviceModel(m.repo); }}>
                    Delete
                  </Button>
                  <Button size="sm" variant="ghost" onClick={() => setConfirming(null)}>Keep</Button>
                </div>
              ) : (
                <div className="flex gap-2">
                  <Button size="sm" aria-label={`${m.complete ? 'Load' : 'Resume'} ${m.id.replace(/^hf:/, '')}`} disabled={loading !== null} onClick={() => void loadModel(linkSpec(m.id))}>
                    {m.complete ? 'Load' : 'Resume'}
                  </Button>
                  <Button size="sm" variant="ghost" aria-label={`Delete ${m.repo}`} disabled={loading !== null} onClick={() => setConfirming(m.repo)}>
                    Delete
                  </Button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      <p className="text-xs text-zinc-600 tabular-nums dark:text-zinc-400" data-testid="device-storage">
        {storage.usage === null ? 'Storage: not reported by this browser' : `Storage: ${formatBytes(storage.usage)} used`}
        {available !== null && `, ${formatBytes(available)} available`}
        {storage.kind && ` (${storage.kind === 'opfs' ? 'origin private file system' : 'Cache Storage'})`}
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <Button size="sm" onClick={() => void keepModels()} disabled={storage.persisted === true}>
          Keep models (persistent storage)
        </Button>
        <span className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="device-persisted">
          {storage.persisted === true ? 'Granted: the browser keeps them when space runs low'
            : storage.persisted === false ? 'Not granted: the browser may clear them when space runs low' : ''}
        </span>
      </div>
    </div>
  );
}
