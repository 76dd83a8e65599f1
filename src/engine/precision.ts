// What the quantization map's clicks do: switch precision live (a preset, or one override painted with the brush),
// check after a load that the engine runs the link's map (it loads straight into it), fetch the numerics of the new
// map, and measure quality against the model's stored precision on the conversation: after every answer and every
// precision change on a small model, when asked on a large one (a measurement re-reads the tensors twice). The engine
// runs one call at a time, so a change clicked mid-answer waits for the answer to end; the store says what is pending.
import type { ModelInfo, PrecisionMap, PrecisionOverride, PresetName } from '../../workers/api.ts';
import { encodeMap, parsePrecision, type LayerMatrix } from '../../workers/shared.ts';
import * as client from './client.ts';
import { oneLine } from './errors.ts';
import { useEngine } from '../store/engine.ts';
import { useQuant, type Brush, type QualityRecord } from '../store/quant.ts';
import { useSession } from '../store/session.ts';
import { useSettings } from '../store/settings.ts';
import type { RunPrecision } from '../store/telemetry.ts';

export const precisionKey = (map: PrecisionMap) => encodeMap(map);

const customNames = new Map<string, string>();

/** A preset's name, or "custom 1", "custom 2" … numbered in the order maps were first used, so tables tell them apart. */
export function precisionLabel(map: PrecisionMap): string {
  if (map.preset !== 'custom') return map.preset;
  const key = precisionKey(map);
  let name = customNames.get(key);
  if (!name) customNames.set(key, (name = `custom ${customNames.size + 1}`));
  return name;
}

/** The precision a generation runs under, for the telemetry's per-precision speeds. */
export function runPrecision(): RunPrecision | null {
  const info = useEngine.getState().info;
  return info ? { model: info.name, key: precisionKey(info.precision), label: precisionLabel(info.precision), weightBytes: info.weightBytes } : null;
}

function fail(message: string) {
  useEngine.setState({ error: message }); // a lost device is the engine's to recover (engine/faults.ts)
}

function published(info: ModelInfo) {
  useEngine.setState({ info });
  useSettings.setState({ precision: precisionKey(info.precision) });
}

let inFlight = 0;

/** Runs a precision change (changes queue in the engine); the spinner shows while any is pending. */
async function change(what: string, edit: PresetName | PrecisionOverride | PrecisionMap): Promise<void> {
  if (!useEngine.getState().info || useEngine.getState().loading) return;
  inFlight++;
  useQuant.setState({ pending: what });
  try {
    published(await client.setPrecision(edit));
  } catch (e) {
    fail(`Could not switch precision to ${what}: ${oneLine(e)}`);
  } finally {
    if (--inFlight === 0) useQuant.setState({ pending: null });
  }
  if (inFlight === 0) {
    await refreshNumerics();
    void refreshQuality();
  }
}

export function setPreset(preset: PresetName): Promise<void> {
  return change(preset, preset);
}

/** The spec a brush paints: FP8 with row scales and, for W8A8, inputs in the same format bounded by 1200 (Llama 3). */
export function brushSpec(b: Brush): PrecisionOverride['spec'] {
  const d = b.dtype;
  return (d === 'fp8e4m3' || d === 'fp8e5m2') && b.w8a8
    ? { dtype: d, scale: 'row', act: d, actBound: 1200 }
    : { dtype: b.dtype, scale: 'row', act: null, actBound: null };
}

/** Paints a cell (layer + matrix), a row (layer), a column (matrix), the embedding or the head with the brush. */
export function paint(target: { layer?: number; matrix?: LayerMatrix | 'embedding' | 'output' }, what: string): Promise<void> {
  const brush = useQuant.getState().brush;
  return change(`${what} → ${brush.dtype}`, { ...target, spec: brushSpec(brush) });
}

/**
 * After a load. The engine was asked to load straight into the link's map (or the previous model's), so usually
 * there is nothing to change: the URL takes the map the engine runs and the numerics are fetched. A map that does
 * not fit this model (another layer count) leaves the model in its stored precision, with a one-line error.
 */
export async function applyLinkPrecision(info: ModelInfo): Promise<void> {
  // a new model: its numerics, tensor details and quality are measured afresh
  lastText = '';
  useQuant.setState((st) => ({ epoch: st.epoch + 1, numerics: null, numericsKey: null, quality: null }));
  const wanted = useSettings.getState().precision;
  const current = precisionKey(info.precision);
  if (wanted && wanted !== current) {
    let map: PrecisionMap | null = null;
    try {
      map = parsePrecision(wanted, info.config.nLayers);
    } catch (e) {
      useEngine.setState({ error: `The link’s precision map does not fit this model (${oneLine(e)}): running ${precisionLabel(info.precision)}.` });
    }
    // the map fits but the engine did not load into it (it said why in info.notice): switch the usual way
    if (map && precisionKey(map) !== current) {
      await change(map.preset === 'custom' ? 'the link’s map' : map.preset, map);
      return;
    }
  }
  useSettings.setState({ precision: current });
  await refreshNumerics();
}

export async function refreshNumerics(): Promise<void> {
  const info = useEngine.getState().info;
  if (!info) return;
  const key = precisionKey(info.precision);
  try {
    const numerics = await client.numerics();
    if (precisionKey(useEngine.getState().info!.precision) === key) useQuant.setState({ numerics, numericsKey: key });
  } catch (e) {
    fail(`Could not read the numerics: ${oneLine(e)}`);
  }
}

// ---- Quality against the stored precision, on the conversation ----

/** Models up to this many weight bytes are measured after every answer and change; larger ones when asked. */
export const AUTO_QUALITY_BYTES = 64 * 2 ** 20;
export const measuresAutomatically = (info: ModelInfo) => info.weightBytes <= AUTO_QUALITY_BYTES;

/** The conversation as text, the way a completion model saw it (the prompt parts and answers joined); for a chat
 * model its turns joined by blank lines (setPrecision empties the KV cache, so the engine's own copy of the
 * templated conversation is gone after a switch; measuring every map on this same text keeps them comparable). */
export function conversationText(): string {
  const info = useEngine.getState().info;
  const parts = useSession.getState().messages.map((m) => m.content).filter((c) => c !== '');
  return info?.hasChatTemplate ? parts.join('\n\n') : parts.join('');
}

let measuring = false;
let again = false;
let conversation = 0;
let lastText = '';

/** A number per conversation text: only measurements on the same text compare. */
function conversationId(text: string): number {
  if (text !== lastText) {
    lastText = text;
    conversation++;
  }
  return conversation;
}

/** After an answer, a precision change or a load: a small model is measured now; a large one offers "Measure". */
export function refreshQuality(): Promise<void> {
  return runQuality(false);
}

/** "Measure quality" (a large model). */
export function measureQuality(): Promise<void> {
  return runQuality(true);
}

/** "Cancel": the engine stops the measurement, which then rejects with "cancelled". */
export function cancelQuality(): void {
  if (useQuant.getState().qualityStatus === 'measuring') client.stop().catch((e) => fail(oneLine(e)));
}

/** Measurements run one at a time; calls while one runs fold into one more look after it. */
async function runQuality(asked: boolean): Promise<void> {
  if (measuring) {
    again = true;
    return;
  }
  measuring = true;
  try {
    let ask = asked;
    do {
      again = false;
      await measureOnce(ask);
      ask = false;
    } while (again);
  } finally {
    measuring = false;
  }
}

async function measureOnce(asked: boolean): Promise<void> {
  const info = useEngine.getState().info;
  const text = conversationText();
  if (!info || text.trim() === '') {
    useQuant.setState({ qualityStatus: info ? 'empty' : 'idle', quality: null, qualityError: null, qualityProgress: null });
    return;
  }
  if (useSession.getState().streamingId !== null || useQuant.getState().pending || useEngine.getState().loading) return; // looked at again when they end
  const id = conversationId(text);
  const key = precisionKey(info.precision);
  if (!asked && !measuresAutomatically(info)) {
    const q = useQuant.getState().quality;
    const upToDate = q !== null && q.model === info.name && q.key === key && q.conversation === id;
    useQuant.setState({ qualityStatus: upToDate ? 'ready' : 'manual', qualityError: null, qualityProgress: null });
    return;
  }
  const epoch = useQuant.getState().epoch;
  useQuant.setState({ qualityStatus: 'measuring', qualityError: null, qualityProgress: null });
  try {
    const result = await client.quality(text, (p) => {
      if (useQuant.getState().qualityStatus === 'measuring') useQuant.setState({ qualityProgress: p });
    });
    if (useQuant.getState().epoch !== epoch) {
      again = true; // another model loaded meanwhile: this figure is not its
      return;
    }
    const record: QualityRecord = { at: new Date().toISOString(), model: info.name, key, label: precisionLabel(info.precision), conversation: id, result };
    useQuant.setState((st) => ({ qualityStatus: 'ready', quality: record, qualityProgress: null, qualityLog: [...st.qualityLog, record].slice(-500) }));
  } catch (e) {
    const message = oneLine(e);
    if (/^cancelled\b/i.test(message)) useQuant.setState({ qualityStatus: 'cancelled', qualityError: null, qualityProgress: null });
    else if (/send a message first|nothing to measure/i.test(message)) useQuant.setState({ qualityStatus: 'empty', quality: null, qualityProgress: null });
    else useQuant.setState({ qualityStatus: 'error', qualityError: message, qualityProgress: null });
  }
}

/** The conversation was cleared: nothing to measure until the next message (a measurement running is stopped). */
export function resetQuality(): void {
  lastText = '';
  if (measuring) {
    again = true; // the loop looks again once the engine gives way, and finds nothing to measure
    cancelQuality();
  }
  useQuant.setState({ qualityStatus: 'empty', quality: null, qualityError: null, qualityProgress: null });
}
