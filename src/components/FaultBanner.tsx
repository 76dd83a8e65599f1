// A lost GPU device, as it happens: the engine makes a new device and uploads the weights again by itself (an answer
// in progress goes on), a second loss within a minute moves it to the CPU engine, and only when no engine could be
// made does it take a click. The conversation is never touched.
import { reloadModel } from '../engine/controller.ts';
import { useEngine, type Fault } from '../store/engine.ts';
import { Button } from './ui.tsx';

const TITLES: Record<Fault['stage'], string> = {
  recovering: 'The GPU device was lost',
  recovered: 'Recovered from a lost GPU device',
  cpu: 'Now running on the CPU engine',
  failed: 'The GPU device was lost',
};

export function FaultBanner() {
  const fault = useEngine((s) => s.fault);
  const loading = useEngine((s) => s.loading);
  if (!fault) return null;
  const urgent = fault.stage === 'failed';
  const tone = urgent
    ? 'border-rose-300 bg-rose-50 text-rose-900 dark:border-rose-500/40 dark:bg-rose-500/10 dark:text-rose-100'
    : 'border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-500/40 dark:bg-amber-500/10 dark:text-amber-100';
  return (
    <div role={urgent ? 'alert' : 'status'} data-testid="fault-banner" data-stage={fault.stage}
      className={`flex flex-wrap items-center gap-3 rounded-2xl border px-4 py-3 text-sm ${tone}`}>
      <p className="min-w-0 flex-1">
        <strong className="font-semibold">{TITLES[fault.stage]}</strong>: {fault.message}.
        {fault.stage === 'recovering' && ' Your conversation is kept; an answer in progress goes on by itself.'}
        {fault.stage === 'failed' && ' Your conversation is kept; reload the model to continue.'}
      </p>
      {(fault.stage === 'failed' || fault.stage === 'cpu') && (
        <Button variant={urgent ? 'danger' : 'secondary'} onClick={() => void reloadModel(fault.stage === 'cpu' ? 'on a new GPU device' : null)} disabled={loading !== null}>
          {loading ? 'Reloading…' : fault.stage === 'cpu' ? 'Try the GPU again' : 'Reload model'}
        </Button>
      )}
      {fault.stage !== 'recovering' && fault.stage !== 'failed' && (
        <Button variant="ghost" onClick={() => useEngine.setState({ fault: null })}>Dismiss</Button>
      )}
    </div>
  );
}
