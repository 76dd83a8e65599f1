// What the quantization map's clicks do: switch precision live (a preset, or one override painted with the brush),
// apply a link's whole map after a load (one setPrecision, one re-pack), fetch the numerics of the new map, and measure quality against f32 on the
// conversation after every answer and every precision change. The engine runs one call at a time, so a change
// clicked mid-answer waits for the answer to end; the store says what is pending.
import type { ModelInfo, PrecisionMap, PrecisionOverride, PresetName } from '../../workers/api.ts';
import { decodeMap, encodeMap } from '../../workers/quant/precision.ts';
import type { LayerMatrix } from '../../workers/model/weights.ts';
import * as client from './client.ts';
import { isDeviceLost, oneLine } from './errors.ts';
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
  if (isDeviceLost(message)) useEngine.setState({ deviceLost: true });
  useEngine.setState({ error: message });
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

/** After a load: the engine starts at f32; apply the map the link (or the previous model) asked for. */
export async function applyLinkPrecision(info: ModelInfo): Promise<void> {
  // a new model: its numerics, tensor details and quality are measured afresh
  lastText = '';
  useQuant.setState((st) => ({ epoch: st.epoch + 1, numerics: null, numericsKey: null }));
  const wanted = useSettings.getState().precision;
  const current = precisionKey(info.precision);
  if (wanted && wanted !== current) {
    let map: PrecisionMap | null = null;
    try {
      map = decodeMap(wanted, info.config.nLayers);
    } catch (e) {
      useEngine.setState({ error: `The link's precision map does not fit this model (${oneLine(e)}): running f32.` });
    }
    if (map) {
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

// ---- Quality against f32 on the conversation ----

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

/** Measures the current map on the conversation; calls while one runs fold into one more run after it. */
export async function refreshQuality(): Promise<void> {
  if (measuring) {
    again = true;
    return;
  }
  measuring = true;
  try {
    do {
      again = false;
      await measureOnce();
    } while (again);
  } finally {
    measuring = false;
  }
}

async function measureOnce(): Promise<void> {
  const info = useEngine.getState().info;
  const text = conversationText();
  if (!info || text.trim() === '') {
    useQuant.setState({ qualityStatus: info ? 'empty' : 'idle', quality: null, qualityError: null });
    return;
  }
  if (useSession.getState().streamingId !== null || useQuant.getState().pending) return; // measured when they end
  if (text !== lastText) {
    lastText = text;
    conversation++;
  }
  const key = precisionKey(info.precision);
  useQuant.setState({ qualityStatus: 'measuring', qualityError: null });
  try {
    const result = await client.quality(text);
    const record: QualityRecord = { at: new Date().toISOString(), model: info.name, key, label: precisionLabel(info.precision), conversation, result };
    useQuant.setState((st) => ({ qualityStatus: 'ready', quality: record, qualityLog: [...st.qualityLog, record].slice(-500) }));
  } catch (e) {
    const message = oneLine(e);
    if (/send a message first|nothing to measure/i.test(message)) useQuant.setState({ qualityStatus: 'empty', quality: null });
    else useQuant.setState({ qualityStatus: 'error', qualityError: message });
  }
}

/** The conversation was cleared: nothing to measure until the next message. */
export function resetQuality(): void {
  lastText = '';
  useQuant.setState({ qualityStatus: 'empty', quality: null, qualityError: null });
}
