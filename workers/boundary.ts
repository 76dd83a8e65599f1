// How a failure crosses a comlink boundary (engine -> UI, stage -> engine): as the EngineFailure's fields, never a
// stack. comlink's own handler for thrown values sends { message, name, stack }; this one keeps its canHandle and its
// deserialize (which Object.assigns the fields onto a new Error, so `code` and `detail` arrive) and replaces what it
// sends. Call it once in every worker that exposes an object.
import { transferHandlers, type TransferHandler } from 'comlink';
import { failureOf } from './errors.ts';

export function sendFailuresAsData(): void {
  const base = transferHandlers.get('throw') as TransferHandler<{ value: unknown }, unknown>;
  transferHandlers.set('throw', {
    canHandle: base.canHandle,
    serialize: ({ value }: { value: unknown }) => {
      const f = failureOf(value);
      return [{ isError: true, value: { name: 'EngineError', ...f } }, []];
    },
    deserialize: base.deserialize,
  } as TransferHandler<unknown, unknown>);
}
