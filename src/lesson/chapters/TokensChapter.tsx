// Chapter 1: tokens. The lesson text under the loaded model's tokenizer and the two reference ones (Llama 2's 32K
// SentencePiece kind, Llama 3's 128K byte-level BPE; the real files, fetched on first use), with characters per
// token for each; and the same figure on a fixed English sample beside the paper's (Llama 3 paper §3.2).
import type { TokenizerComparison } from '../../../workers/api.ts';
import * as client from '../../engine/client.ts';
import { useEngine } from '../../store/engine.ts';
import { formatInt } from '../../format.ts';
import { Bars } from '../charts/Bars.tsx';
import { useLesson } from '../store.ts';
import { TokenStrip } from '../TokenStrip.tsx';
import { useEngineValue } from '../useEngineValue.ts';
import { useTraceTokens } from '../useTrace.ts';
import { Cite, EngineState, Figure, Figures, PaperFigure, Prose, SubHeading, TryThis } from '../ui.tsx';
import { focusRing } from '../../components/ui.tsx';

const shortName = (id: string, vocab: number) => `${id === 'model' ? 'this model' : id === 'llama2' ? 'Llama 2 kind' : 'Llama 3'} (${vocab >= 1000 ? `${Math.round(vocab / 1000)}K` : vocab})`;
const cpt = (x: number) => (Number.isFinite(x) && x > 0 ? x.toFixed(2) : '–');

export function TokensChapter() {
  const text = useLesson((s) => s.text);
  const info = useEngine((s) => s.info);
  const loading = useEngine((s) => s.loading);
  const key = loading ? null : `${info?.name ?? ''}|${text}`;
  const cmp = useEngineValue<TokenizerComparison>(key, () => client.compareTokenizers(text), 200);
  const traced = useTraceTokens();
  const c = cmp.value;
  const bos = traced.value?.tokens[0];

  return (
    <>
      <Prose>
        <p>
          A model does not read letters. A <b>tokenizer</b> cuts the text into pieces it knows (<b>tokens</b>) and replaces each
          piece by its number in a fixed list, the vocabulary. Frequent words get a piece of their own; rare ones are built
          from smaller pieces, down to single bytes, so any text can be written. Hover a piece to see its bytes.
        </p>
        <p>
          Llama 3 moved from Llama 2’s 32,000-piece vocabulary to 128,000 pieces, so the same text takes fewer tokens: the
          paper measured <PaperFigure>3.17 characters per token for Llama 2 and 3.94 for Llama 3</PaperFigure> on its English data.
          Fewer tokens means less work per sentence and more text in the same context. <Cite>Llama 3 paper, §3.2</Cite>
        </p>
      </Prose>
      {bos && (
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span>The model always reads one more token first, a <b>special token</b> that marks the start:</span>
          <TokenStrip tokens={[bos]} label="The special token the model reads first" />
        </div>
      )}
      <EngineState busy={cmp.busy} error={cmp.error} what={c ? 'the tokens' : 'the tokens (the Llama 2 and Llama 3 tokenizer files load the first time, about 11 MB)'} />
      {c && (
        <div className="flex flex-col gap-4" data-testid="tokens-readings">
          {c.readings.map((r) => (
            <section key={r.id} aria-label={`${r.name} tokens`} className="flex min-w-0 flex-col gap-1.5 rounded-xl border border-zinc-200 p-3 dark:border-zinc-700">
              <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                <h5 className="font-semibold text-zinc-900 dark:text-zinc-100">{r.id === 'model' ? `This model: ${r.name}` : r.name}</h5>
                <span className="lesson-muted text-xs text-zinc-600 dark:text-zinc-400">
                  {r.kind === 'bytelevel' ? 'byte-level BPE' : 'SentencePiece BPE'}, {formatInt(r.vocabSize)} pieces{r.note ? ` · ${r.note}` : ''}
                </span>
                <span className="ml-auto text-sm tabular-nums">
                  <b data-testid={`tokens-count-${r.id}`}>{r.tokens.length}</b> tokens ·{' '}
                  <b data-testid={`tokens-cpt-${r.id}`}>{cpt(r.charsPerToken)}</b> characters per token
                </span>
              </div>
              <TokenStrip tokens={r.tokens} kind={r.kind} label={`The lesson text in ${r.name} tokens`} testId={`tokens-${r.id}`} />
            </section>
          ))}
          <div className="grid min-w-0 grid-cols-1 gap-4 lg:grid-cols-2">
            <div className="flex flex-col gap-2">
              <SubHeading>Characters per token on this text ({formatInt(c.chars)} characters)</SubHeading>
              <Bars label="Characters per token of the lesson text, per tokenizer" labelClass="w-40" testId="tokens-bars"
                bars={c.readings.map((r) => ({ key: r.id, label: shortName(r.id, r.vocabSize), value: r.charsPerToken, text: cpt(r.charsPerToken) }))} />
            </div>
            <div className="flex flex-col gap-2">
              <SubHeading>On a fixed English sample ({formatInt(c.sample.chars)} characters)</SubHeading>
              <Figures className="!grid-cols-2">
                {c.sample.readings.map((r) => (
                  <Figure key={r.id} label={r.name} value={<span data-testid={`tokens-sample-${r.id}`}>{cpt(r.charsPerToken)}</span>}
                    note={r.id === 'llama2' ? <>paper: <PaperFigure>{c.sample.paper.llama2}</PaperFigure></> : r.id === 'llama3' ? <>paper: <PaperFigure>{c.sample.paper.llama3}</PaperFigure></> : `${formatInt(r.tokens)} tokens`}
                    strong={r.id === 'llama3'} />
                ))}
              </Figures>
              <details className="text-xs">
                <summary className={`lesson-muted cursor-pointer rounded text-zinc-600 dark:text-zinc-400 ${focusRing}`}>The sample text</summary>
                <p tabIndex={0} className="focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 dark:focus-visible:outline-indigo-400 mt-1 max-h-40 overflow-auto whitespace-pre-wrap">{c.sample.text}</p>
              </details>
            </div>
          </div>
        </div>
      )}
      <TryThis>
        Type a long number like 1234567: Llama 3 cuts digits in groups of three, Llama 2 one by one. Then try a word in
        another language, or an emoji, and watch the rare ones fall apart into bytes.
      </TryThis>
    </>
  );
}
