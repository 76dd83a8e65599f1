// What the UI's buttons do: load a model, send a message, regenerate, stop. Each step updates the store
// slices (decisions) and the telemetry ring buffers (per-token figures), never the other way round.
// Precision switches and quality measurements live in precision.ts.
import type { EngineEvent, GenerateRequest, LoadOptions, LoadProgress, TokenLogprob } from '../../workers/api.ts';
import * as client from './client.ts';
import { asEngineError } from './errors.ts';
import { rateMeter } from './loadRate.ts';
import { applyLinkPrecision, refreshQuality, resetQuality, runPrecision } from './precision.ts';
import { afterHubLoad, hubSource } from './hub.ts';
import { describeSource, useEngine, type SourceSpec } from '../store/engine.ts';
import { useSession, type Message } from '../store/session.ts';
import { TOP_LOGPROBS, useSettings } from '../store/settings.ts';
import { beginTelemetry, endTelemetry, recordEvents } from '../store/telemetry.ts';
import { formatInt } from '../format.ts';
import { useRemote } from '../store/remote.ts';
import { listModels, normalizeBaseUrl, remoteGenerate } from './remote.ts';

/** A failure the engine could not get past on its own: a lost device it could not replace takes a reload. */
function noteFailure(e: unknown): string {
  const f = asEngineError(e);
  if (f.code === 'device-lost') useEngine.setState({ fault: { stage: 'failed', message: f.message } });
  return f.message;
}

// Loads run one at a time; a load asked for while another runs replaces any load still waiting.
let queue: Promise<void> = Promise.resolve();
let wanted: SourceSpec | null = null;

/** Loads a model with the settings' KV context and precision; `why` says what a reload of the same model is for. */
export function loadModel(spec: SourceSpec, why: string | null = null): Promise<void> {
  wanted = spec;
  queue = queue.then(() => (wanted === spec ? runLoad(spec, why) : undefined));
  return queue;
}

/** "Reload model": the same source again (after a lost device, or with another context), keeping the conversation. */
export function reloadModel(why: string | null = null): Promise<void> {
  const source = useEngine.getState().source ?? { kind: 'default' };
  return loadModel({ ...source }, why); // a fresh spec: the newest reload asked for is the one that runs
}

/** The Context control: the same model again with a KV cache of `positions` (the engine allocates it at load). */
export async function setContext(positions: number): Promise<void> {
  const before = useSettings.getState().context;
  useSettings.setState({ context: positions });
  await reloadModel(`with a ${formatInt(positions)}-position KV cache`);
  // a cache that could not be allocated leaves the previous model running: the link keeps saying what runs
  const { info, error } = useEngine.getState();
  if (error && info?.context !== positions) useSettings.setState({ context: before });
}

/** The Threads control: the same model again on the CPU engine with `threads` threads (the pool is made at load). */
export async function setThreads(threads: number): Promise<void> {
  const before = useSettings.getState().threads;
  useSettings.setState({ threads });
  await reloadModel(`on ${threads} thread${threads === 1 ? '' : 's'}`);
  const { info, error } = useEngine.getState();
  if (error && info?.threads !== threads) useSettings.setState({ threads: before });
}

async function runLoad(spec: SourceSpec, why: string | null): Promise<void> {
  stop(); // the engine runs one call at a time: end a running generation rather than wait for it
  useEngine.setState({ loading: spec, loadingWhy: why, progress: null, rate: null, error: null });
  // Progress can arrive many times a frame: keep the newest and publish it once per frame.
  const meter = rateMeter();
  let latest: LoadProgress | null = null;
  let rate: number | null = null;
  let scheduled = false;
  const onProgress = (p: LoadProgress) => {
    latest = p;
    rate = meter(p);
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      if (useEngine.getState().loading === spec) useEngine.setState({ progress: latest, rate });
    });
  };
  // The model is packed once, straight into the precision asked for (the link's, or the previous model's map).
  const { context, precision, threads } = useSettings.getState();
  const options: LoadOptions = {};
  if (context !== null) options.context = context;
  if (threads !== null) options.threads = threads;
  if (precision) options.precision = precision;
  const done = { loading: null, loadingWhy: null, progress: null, rate: null };
  try {
    const info = await client.loadModel(spec.kind === 'hub' ? hubSource(spec) : spec, onProgress, options);
    useEngine.setState({ ...done, info, source: spec, defaultMissing: false, fault: null });
    // The link names the model only when it has an address (a picked file cannot travel in a URL).
    useSettings.setState({ model: spec.kind === 'url' ? spec.url : spec.kind === 'hub' ? spec.id : null });
    if (spec.kind === 'hub') afterHubLoad(spec, null);
    await applyLinkPrecision(info);
    void refreshQuality();
  } catch (e) {
    const message = noteFailure(e);
    if (spec.kind === 'hub') afterHubLoad(spec, e);
    if (asEngineError(e).code === 'aborted') {
      useEngine.setState({ ...done, error: message.charAt(0).toUpperCase() + message.slice(1) }); // "Cancelled the download of ..."
    } else if (spec.kind === 'default') {
      useEngine.setState({
        ...done,
        defaultMissing: true,
        error: `No default model could be loaded (${message}). Open a .gguf file, a model folder or a URL instead.`,
      });
    } else {
      useEngine.setState({ ...done, error: `Could not load ${describeSource(spec)}: ${message}` });
    }
  }
}

const randomSeed = () => crypto.getRandomValues(new Uint32Array(1))[0];

/** With a chat template the engine gets the messages; without one (completion mode) the conversation so far is
 * one raw prompt that the model continues. */
export function buildRequest(messages: Message[], chat: boolean, seed: number): GenerateRequest {
  const s = useSettings.getState().sampling;
  const history = messages.filter((m) => m.role === 'user' || m.content !== ''); // skip answers that failed empty
  const request: GenerateRequest = {
    max_tokens: s.maxTokens,
    temperature: s.temperature,
    top_k: s.topK,
    top_p: s.topP,
    seed,
    stop: s.stop.length ? s.stop : undefined,
    ...(s.logprobs ? { logprobs: true, top_logprobs: TOP_LOGPROBS } : {}),
    drop_oldest: true, // a conversation longer than the context loses its oldest turns, with a notice
  };
  const system = useSession.getState().system;
  if (chat) request.messages = [...(system ? [{ role: 'system' as const, content: system }] : []), ...history.map((m) => ({ role: m.role, content: m.content }))];
  else request.prompt = history.map((m) => m.content).join('');
  return request;
}

export function canGenerate(): boolean {
  const { info, loading } = useEngine.getState();
  const remote = useRemote.getState().connected;
  return (remote || (info !== null && loading === null)) && useSession.getState().streamingId === null;
}

/** The Remote engine: checks the server (GET /v1/models) and sends chat there from now on. */
export async function connectRemote(baseUrlInput: string, apiKey: string, model: string | null = null): Promise<void> {
  useRemote.setState({ connecting: true, error: null });
  try {
    const baseUrl = normalizeBaseUrl(baseUrlInput);
    const models = await listModels(baseUrl, apiKey || null);
    if (models.length === 0) throw new Error(`${baseUrl} serves no model`);
    useRemote.setState({ baseUrl, apiKey, models, model: model && models.includes(model) ? model : models[0], connected: true, connecting: false });
  } catch (e) {
    useRemote.setState({ connected: false, connecting: false, error: `Could not connect: ${(e as Error).message}` });
  }
}

/** Back to the engine in this page. */
export function disconnectRemote(): void {
  stop();
  useRemote.setState({ connected: false, error: null });
}

let remoteAbort: AbortController | null = null;

export async function send(text: string): Promise<void> {
  if (!canGenerate() || text.trim() === '') return;
  useSession.getState().add({ role: 'user', content: text });
  await answer();
}

export async function regenerate(): Promise<void> {
  if (!canGenerate()) return;
  const kept = useSession.getState().dropLastAnswer();
  if (kept.length === 0) return;
  await answer();
}

export function stop(): void {
  if (useSession.getState().streamingId === null) return;
  if (remoteAbort) { remoteAbort.abort(); return; }
  client.stop().catch(noteFailure);
}

export function clearConversation(): void {
  stop();
  useSession.getState().clear();
  resetQuality();
}

/** What an answer's notice says about the engine's doings during it. */
function noticeOf(e: Extract<EngineEvent, { type: 'dropped' | 'recovered' }>): string {
  if (e.type === 'recovered') return e.message;
  return e.messages > 0
    ? `The conversation no longer fits the model's context: the oldest ${e.messages} message${e.messages === 1 ? '' : 's'} (${e.tokens} tokens) were left out of this answer's prompt; the system prompt was kept.`
    : `The prompt no longer fits the model's context: its first ${e.tokens} tokens were left out.`;
}

function addNotice(id: number, text: string): void {
  const m = useSession.getState().messages.find((x) => x.id === id);
  useSession.getState().update(id, { notice: m?.notice ? `${m.notice} ${text}` : text });
}

async function answer(): Promise<void> {
  const info = useEngine.getState().info;
  const remote = useRemote.getState();
  const session = useSession.getState();
  const s = useSettings.getState().sampling;
  const seed = s.randomSeed ? randomSeed() : s.seed;
  const request = buildRequest(session.messages, remote.connected || (info?.hasChatTemplate ?? true), seed);
  const id = session.add({ role: 'assistant', content: '', seed });
  session.setStreaming(id);
  beginTelemetry(remote.connected ? null : runPrecision()); // a remote answer has no local precision
  const tokens: TokenLogprob[] = []; // what a stopped remote answer keeps for the token view
  let live = true; // events that arrive after the result (they travel on another port) are ignored
  const abort = remote.connected ? new AbortController() : null;
  remoteAbort = abort;
  const generate = abort
    ? (r: GenerateRequest, on: Parameters<typeof client.generate>[1]) => remoteGenerate({ baseUrl: remote.baseUrl, apiKey: remote.apiKey || null, model: remote.model! }, r, on, abort.signal)
    : client.generate;
  try {
    const result = await generate(request, (events) => {
      if (!live) return;
      recordEvents(events);
      let text = '';
      for (const e of events) {
        if (e.type === 'token') {
          text += e.text;
          if (e.logprob) tokens.push(e.logprob);
        } else if (e.type === 'error') noteFailure(e);
        else if (e.type === 'dropped' || e.type === 'recovered') addNotice(id, noticeOf(e));
      }
      if (text) useSession.getState().append(id, text);
    });
    live = false;
    useSession.getState().update(id, { content: result.text, finish: result.finish, usage: result.usage, ...(result.logprobs?.length ? { tokens: result.logprobs } : {}) });
    endTelemetry(result.usage, result.finish);
  } catch (e) {
    live = false;
    if (abort?.signal.aborted) {
      useSession.getState().update(id, { finish: 'abort', ...(tokens.length ? { tokens } : {}) }); // Stop on a remote answer: the text so far stays
      endTelemetry(null);
    } else {
      const message = abort ? (e as Error).message : noteFailure(e);
      useSession.getState().update(id, { finish: 'error', error: message });
      endTelemetry(null);
    }
  } finally {
    remoteAbort = null;
    useSession.getState().setStreaming(null);
  }
  if (!abort) void refreshQuality();
}
