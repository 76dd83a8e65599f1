// Chapter 10: speed. Prefill runs all prompt tokens through each weight at once (a matrix times a matrix); decode
// makes one token at a time and must read every weight again for each (a matrix times a vector), so its speed is
// set by memory bandwidth: weight bytes x tok/s. Measured now by generating from the lesson text.
import type { GenerateResult } from '../../../workers/api.ts';
import * as client from '../../engine/client.ts';
import { measuresAutomatically, precisionLabel } from '../../engine/precision.ts';
import { Button } from '../../components/ui.tsx';
import { useEngine } from '../../store/engine.ts';
import { useSession } from '../../store/session.ts';
import { formatBytes, formatFigure, formatInt } from '../../format.ts';
import { Bars } from '../charts/Bars.tsx';
import { useLesson } from '../store.ts';
import { useEngineValue, useModelKey } from '../useEngineValue.ts';
import { Cite, EngineState, Figure, Figures, NeedsModel, Prose, SubHeading, TryThis } from '../ui.tsx';
import { useState } from 'react';

const MAX_TOKENS = 24;

export function ThroughputChapter() {
  const info = useEngine((s) => s.info);
  const chatting = useSession((s) => s.streamingId !== null);
  const text = useLesson((s) => s.text);
  const model = useModelKey();
  const [asked, setAsked] = useState(0);
  const auto = info ? measuresAutomatically(info) : false;
  const key = model && !chatting && (auto || asked > 0) ? `${model}|${text}|${asked}` : null;
  const run = useEngineValue<GenerateResult>(key, () => client.generate({ prompt: text, max_tokens: MAX_TOKENS, temperature: 0 }, () => {}), 600);
  if (!info) return <NeedsModel />;
  const r = run.value;
  const u = r?.usage;
  const fresh = run.valueKey === key;
  const prefillOk = u !== undefined && u.prefill_tokens >= 4;

  return (
    <>
      <Prose>
        <p>
          Answering has two phases. <b>Prefill</b> reads the prompt: all its tokens go through each weight matrix together,
          so every weight read from memory is used for many tokens. <b>Decode</b> then writes the answer one token at a time,
          and each new token needs <i>every</i> weight again: {formatBytes(info.weightBytes)} read per token here. On a big model decode is
          therefore limited by how fast memory delivers bytes, and fewer bytes per weight (FP8) speed it up. <Cite>Llama 3 paper, §6.2, Fig. 27</Cite>
        </p>
      </Prose>
      <div className="flex flex-wrap items-center gap-2">
        <Button variant={fresh && r ? 'secondary' : 'primary'} onClick={() => setAsked((a) => a + 1)} disabled={chatting || run.busy}>{r ? 'Measure again' : 'Measure'}</Button>
        <span className="lesson-muted text-xs text-zinc-600 dark:text-zinc-400">
          generates up to {MAX_TOKENS} tokens after the lesson text, greedy, under {precisionLabel(info.precision)} on the {info.engine === 'webgpu' ? 'WebGPU' : 'CPU'} engine
        </span>
      </div>
      <EngineState busy={run.busy} error={run.error} what="speed" />
      {u && r && prefillOk && (
        <p className="text-sm" data-testid="throughput-verdict">
          {u.prefill_tok_s > 1.5 * u.decode_tok_s
            ? <>Here prefill ran {formatFigure(u.prefill_tok_s / u.decode_tok_s)}× as many tokens per second as decode: each weight read served {formatInt(u.prefill_tokens)} tokens at once.</>
            : <>Here prefill was not faster than decode ({formatFigure(u.prefill_tok_s / u.decode_tok_s)}×): this model’s {formatBytes(info.weightBytes)} of weights are small enough to stay close to the processor, so reading them again for each token costs little. The gap opens on models of hundreds of megabytes.</>}
        </p>
      )}
      {u && r && (
        <div className="grid min-w-0 grid-cols-1 gap-5 lg:grid-cols-2">
          <div className="flex flex-col gap-2">
            <SubHeading>Tokens per second, measured</SubHeading>
            <Bars label="Prefill and decode speed in tokens per second" testId="throughput-bars" labelClass="w-16"
              bars={[
                ...(prefillOk ? [{ key: 'prefill', label: 'prefill', value: u.prefill_tok_s, text: formatFigure(u.prefill_tok_s) }] : []),
                { key: 'decode', label: 'decode', value: u.decode_tok_s, text: formatFigure(u.decode_tok_s), strong: true },
              ]} />
            <p className="text-sm" data-testid="throughput-output"><span className="lesson-muted text-zinc-600 dark:text-zinc-400">The model went on: </span>{r.text || '(it stopped at once)'}</p>
          </div>
          <Figures className="!grid-cols-2">
            <Figure label="Prompt tokens" value={<span data-testid="throughput-prompt">{formatInt(u.prompt_tokens)}</span>}
              note={prefillOk ? `${formatInt(u.prefill_tokens)} run in ${formatFigure(u.prefill_ms)} ms` : `only ${u.prefill_tokens} new: the rest was already in the KV cache; change the text to measure prefill`} />
            <Figure label="Decode" value={<span data-testid="throughput-decode">{formatFigure(u.decode_tok_s)} tok/s</span>} note={`${u.decode_tokens} tokens in ${formatFigure(u.decode_ms)} ms`} strong />
            <Figure label="Weights read per second" value={formatBytes(u.decode_tok_s * info.weightBytes) + '/s'} note={`${formatBytes(info.weightBytes)} per token × decode tok/s`} />
            {prefillOk && <Figure label="Prefill ÷ decode" value={`${formatFigure(u.prefill_tok_s / u.decode_tok_s)}×`} note="tokens per second, this run" />}
          </Figures>
        </div>
      )}
      <TryThis>
        Make the text much longer and measure: see how prefill’s tokens per second move while decode stays at its pace.
        Then switch the quantization map below to fp8-llama3 and measure again: fewer weight bytes per token; does this engine turn them into speed?
      </TryThis>
    </>
  );
}
