// Opening a model on the Hugging Face Hub by id: the id field and Load (Enter works), the .gguf files of a GGUF
// repo named without a file (pick one), the token for gated repos (this tab only, unless "remember on this
// device" is ticked), the licence page of a gated repo, and the endpoint behind "Advanced" (a mirror; changing it
// forgets the token). A link's `?model=hf:org/name` loads the same way (App.tsx).
import { useState } from 'react';
import { formatHubId, isHubId } from '../../workers/shared.ts';
import { loadModel } from '../engine/controller.ts';
import { oneLine } from '../engine/errors.ts';
import { hubSpec } from '../engine/hub.ts';
import { useEngine } from '../store/engine.ts';
import { useSettings } from '../store/settings.ts';
import { DEFAULT_ENDPOINT, setEndpoint, setToken, useHub } from '../store/hub.ts';
import { formatBytes } from '../format.ts';
import { Button, focusRing } from './ui.tsx';

const field = `min-w-0 flex-1 rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm text-zinc-900 placeholder:text-zinc-400 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100 ${focusRing}`;
const code = 'font-mono text-[0.7rem]';

export function HubOpen() {
  const [id, setId] = useState(() => { // a link's ?model=hf:org/name fills it in (App.tsx loads it)
    const linked = useSettings.getState().model;
    return linked && isHubId(linked) ? linked.slice('hf:'.length) : '';
  });
  const token = useHub((s) => s.token);
  const remember = useHub((s) => s.remember);
  const gated = useHub((s) => s.gated);
  const pick = useHub((s) => s.pick);

  const open = (text: string) => {
    try {
      void loadModel(hubSpec(text));
    } catch (e) {
      useEngine.setState({ error: oneLine(e) });
    }
  };

  return (
    <div role="group" aria-labelledby="hub-open-title" className="flex flex-col gap-3">
      <h3 id="hub-open-title" className="text-xs font-semibold tracking-wide text-zinc-600 uppercase dark:text-zinc-400">
        From the Hugging Face Hub
      </h3>
      <form
        className="flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (id.trim()) open(id);
        }}
      >
        <label htmlFor="hub-model-id" className="sr-only">
          Hub model id
        </label>
        <input
          id="hub-model-id"
          value={id}
          onChange={(e) => setId(e.target.value)}
          placeholder="meta-llama/Llama-3.2-1B-Instruct"
          autoComplete="off"
          spellCheck={false}
          aria-describedby="hub-model-id-help"
          className={field}
        />
        <Button type="submit" variant="secondary" aria-label="Load from the Hub" disabled={id.trim() === ''}>
          Load
        </Button>
      </form>
      <p id="hub-model-id-help" className="text-xs text-zinc-600 dark:text-zinc-400">
        <code className={code}>org/name</code>, <code className={code}>org/name@revision</code> or a GGUF file,{' '}
        <code className={code}>org/name/file.Q4_K_M.gguf</code>. Files are kept in this browser's storage and read from there
        piece by piece: the next load needs no network, and a stopped download resumes where it stopped.
      </p>

      {pick && (
        <div role="group" aria-label={`GGUF files in ${pick.repo}`} className="flex flex-col gap-1.5 rounded-lg border border-zinc-200 p-2.5 dark:border-zinc-700">
          <p className="text-sm text-zinc-700 dark:text-zinc-300">
            {pick.repo} holds {pick.gguf.length} GGUF files: pick one.
          </p>
          <ul className="flex max-h-56 flex-col gap-1 overflow-y-auto">
            {pick.gguf.map((f) => (
              <li key={f.path} className="flex items-center gap-2 text-sm">
                <span className="min-w-0 flex-1 truncate font-mono text-xs" title={f.path}>{f.path}</span>
                <span className="shrink-0 text-xs text-zinc-600 tabular-nums dark:text-zinc-400">{formatBytes(f.size)}</span>
                <Button
                  size="sm"
                  aria-label={`Load ${f.path}`}
                  onClick={() => {
                    useHub.setState({ pick: null });
                    void loadModel({ kind: 'hub', id: formatHubId({ repo: pick.repo, revision: pick.revision, file: f.path }) });
                  }}
                >
                  Load
                </Button>
              </li>
            ))}
          </ul>
        </div>
      )}

      {gated && (
        <p className="text-sm text-amber-900 dark:text-amber-200" data-testid="hub-gated">
          {gated.repo} is gated: accept its licence on{' '}
          <a href={gated.url} target="_blank" rel="noopener noreferrer" className={`font-medium underline ${focusRing}`}>
            its page on the Hub
          </a>
          , then paste a token with read access below and load it again.
        </p>
      )}

      <div className="flex flex-col gap-1.5">
        <label htmlFor="hub-token" className="text-xs font-medium text-zinc-600 dark:text-zinc-300">
          Hub token (for gated and private models)
        </label>
        <input
          id="hub-token"
          type="password"
          value={token}
          onChange={(e) => setToken(e.target.value, remember)}
          placeholder="hf_…"
          autoComplete="off"
          spellCheck={false}
          className={field}
        />
        <label className="flex items-center gap-2 text-xs text-zinc-600 dark:text-zinc-300">
          <input type="checkbox" checked={remember} onChange={(e) => setToken(token, e.target.checked)} className={focusRing} />
          Remember on this device
        </label>
        <p className="text-xs text-zinc-600 dark:text-zinc-400">
          Kept for this tab only unless remembered; sent to the Hub's own address only, never to the file servers it
          redirects to.
        </p>
      </div>
      <EndpointSetting />
    </div>
  );
}

/** The Hub's address, for a mirror; not part of any link. */
function EndpointSetting() {
  const endpoint = useHub((s) => s.endpoint);
  const [text, setText] = useState(endpoint);
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <details className="text-xs text-zinc-600 dark:text-zinc-300">
      <summary className={`cursor-pointer select-none ${focusRing}`}>Advanced</summary>
      <form
        className="mt-2 flex flex-col gap-1.5"
        onSubmit={(e) => {
          e.preventDefault();
          try {
            setEndpoint(text);
            setText(useHub.getState().endpoint);
            setProblem(null);
          } catch (err) {
            setProblem(oneLine(err));
          }
        }}
      >
        <label htmlFor="hub-endpoint" className="font-medium">Hub endpoint</label>
        <div className="flex gap-2">
          <input id="hub-endpoint" type="url" value={text} onChange={(e) => setText(e.target.value)} placeholder={DEFAULT_ENDPOINT} className={field} />
          <Button type="submit" variant="secondary" size="sm">Use</Button>
        </div>
        {problem && <p role="alert" className="text-rose-700 dark:text-rose-300">{problem}</p>}
        <p className="text-zinc-600 dark:text-zinc-400">
          Now {endpoint}. A mirror of the Hub, as <code className={code}>HF_ENDPOINT</code> for the CLI. Changing it forgets the token.
        </p>
      </form>
    </details>
  );
}
