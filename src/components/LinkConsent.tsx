// The question a link's model from another origin asks before anything downloads (src/engine/linkConsent.ts).
import { useEffect, useRef } from 'react';
import { answerLink, useLinkAsk } from '../engine/linkConsent.ts';
import { formatBytes } from '../format.ts';
import { Button } from './ui.tsx';

export function LinkConsent() {
  const ask = useLinkAsk((s) => s.ask);
  const yes = useRef<HTMLButtonElement>(null);
  useEffect(() => { if (ask) yes.current?.focus(); }, [ask]);
  if (!ask) return null;
  const size = ask.bytes !== null ? formatBytes(ask.bytes) : ask.sizing ? 'size: asking the server…' : 'size not given by the server';
  return (
    <section
      role="alertdialog"
      aria-labelledby="link-consent-title"
      aria-describedby="link-consent-text"
      className="flex flex-col gap-2 rounded-2xl border border-amber-300 bg-amber-50 p-4 text-zinc-900 dark:border-amber-500/40 dark:bg-amber-950/40 dark:text-zinc-100"
    >
      <h2 id="link-consent-title" className="text-base font-semibold">Download a model from another site?</h2>
      <p id="link-consent-text" className="text-sm">
        This link asks to download <span className="font-mono break-all">{ask.link}</span> from{' '}
        <strong className="font-mono">{ask.origin}</strong> ({size}). It stays in this browser's storage. Nothing is downloaded until you say yes.
      </p>
      <div className="flex flex-wrap gap-2">
        <Button ref={yes} variant="primary" onClick={() => answerLink(true)}>
          Download{ask.bytes !== null ? ` ${formatBytes(ask.bytes)}` : ''} from {new URL(ask.origin).host}
        </Button>
        <Button onClick={() => answerLink(false)}>Use the default model instead</Button>
      </div>
    </section>
  );
}
