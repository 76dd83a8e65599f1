// The Remote engine: point the chat at any OpenAI-compatible server (vLLM, llama-server, Ollama, SGLang, or
// `npm run -s cli -- serve`) by its base URL, with an optional key kept for this tab only. The views that read
// the engine's insides keep showing the local engine, and say so.
import { useState, type FormEvent } from 'react';
import { connectRemote, disconnectRemote } from '../engine/controller.ts';
import { useRemote } from '../store/remote.ts';
import { Button, Panel, focusRing } from './ui.tsx';

const input = `w-full rounded-lg border border-zinc-300 bg-white px-2.5 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-950 ${focusRing}`;

export function RemotePanel() {
  const r = useRemote();
  const [url, setUrl] = useState(r.baseUrl);
  const [key, setKey] = useState(r.apiKey);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void connectRemote(url, key);
  };
  return (
    <Panel
      label="Remote engine"
      hint={r.connected ? <span data-testid="remote-status" className="font-medium text-emerald-700 dark:text-emerald-400">connected</span> : 'any OpenAI-compatible server'}
    >
      <form onSubmit={submit} className="flex flex-col gap-2 text-sm">
        <label className="flex flex-col gap-1">
          <span className="text-xs text-zinc-600 dark:text-zinc-400">Base URL (vLLM, llama-server, Ollama, SGLang, cli serve)</span>
          <input className={input} value={url} onChange={(e) => setUrl(e.target.value)} placeholder="http://127.0.0.1:8080/v1" spellCheck={false} autoComplete="url" />
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-zinc-600 dark:text-zinc-400">API key (optional; kept for this tab only)</span>
          <input className={input} type="password" value={key} onChange={(e) => setKey(e.target.value)} autoComplete="off" />
        </label>
        <div className="flex flex-wrap items-center gap-2">
          <Button type="submit" variant="primary" size="sm" disabled={r.connecting || url.trim() === ''}>{r.connected ? 'Reconnect' : 'Connect'}</Button>
          {r.connected && <Button size="sm" onClick={disconnectRemote}>Use the local engine</Button>}
          {r.connected && r.models.length > 1 && (
            <select aria-label="Remote model" className={`${input} w-auto`} value={r.model ?? ''} onChange={(e) => useRemote.setState({ model: e.target.value })}>
              {r.models.map((m) => <option key={m} value={m}>{m}</option>)}
            </select>
          )}
        </div>
      </form>
      {r.error && <p role="alert" className="mt-2 text-sm text-rose-700 dark:text-rose-400">{r.error}</p>}
      {r.connected && (
        <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400" data-testid="remote-summary">
          Chat goes to <span className="font-mono">{r.model}</span> at <span className="font-mono">{r.baseUrl}</span>. Throughput, time to first
          token and inter-token latency are measured here, token counts from the server&apos;s usage. The quantization map, pipeline stages
          and kernel profile work on the local engine only.
        </p>
      )}
    </Panel>
  );
}

/** Above the views that need the engine's insides, while chat goes to a server. */
export function LocalOnlyNote() {
  const connected = useRemote((s) => s.connected);
  if (!connected) return null;
  return (
    <p className="rounded-xl border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-500/30 dark:bg-amber-500/10 dark:text-amber-200" data-testid="local-only">
      The Remote engine is on: the views below (quantization map, pipeline stages, memory) work on the local engine only and show it, not the server.
    </p>
  );
}
