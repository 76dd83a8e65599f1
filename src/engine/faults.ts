// What the engine says unasked (EngineStatus): a lost GPU device, its recovery, a move to the CPU engine. The fault
// banner shows it at once; once the engine runs again, the model view shows the engine it now runs on.
import type { EngineStatus } from '../../workers/api.ts';
import * as client from './client.ts';
import { useEngine } from '../store/engine.ts';

let watching = false;

export function watchEngine(): void {
  if (watching) return;
  watching = true;
  client.watch(onStatus).catch(() => { watching = false; });
}

function onStatus(s: EngineStatus): void {
  if (s.type === 'device-lost') useEngine.setState({ fault: { stage: 'recovering', message: s.message } });
  else if (s.type === 'engine-changed') useEngine.setState({ fault: { stage: 'cpu', message: s.message } });
  else if (useEngine.getState().fault?.stage !== 'cpu') useEngine.setState({ fault: { stage: 'recovered', message: s.message } });
  if (s.type !== 'device-lost') void client.info().then((info) => { if (info) useEngine.setState({ info }); }, () => {});
}
