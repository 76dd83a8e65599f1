// What the server needs of an engine: generate with streamed events, stop, and the model's name and tokenizer.
// The CPU engine runs in this process (workers/engine.ts unchanged).
import type { Engine } from '../../workers/engine.ts';
import type { EngineEvent, GenerateRequest, GenerateResult } from '../../workers/api.ts';

export interface ServedEngine {
  /** The name clients send as `model` (the loaded model's). */
  modelId: string;
  /** Positions the KV cache holds (max_model_len). */
  context: number;
  kind: string;
  generate(request: GenerateRequest, onEvents: (events: EngineEvent[]) => void): Promise<GenerateResult>;
  /** Ends the generation in progress (the next generate() call starts afresh). */
  stop(): void;
  /** One token's text, decoded. */
  tokenText(id: number): string;
}

export function servedCpuEngine(engine: Engine): ServedEngine {
  const { model, forward } = engine.loaded();
  return {
    modelId: model.name,
    context: forward.maxSeq,
    kind: forward.kind,
    generate: (request, onEvents) => engine.generate(request, onEvents),
    stop: () => engine.stop(),
    tokenText: (id) => model.tokenizer.decode([id]),
  };
}
