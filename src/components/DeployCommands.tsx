// Under the Memory fit: the command that serves the chosen model and precision on the hardware the fit asks for
// (vLLM, and llama-server where one machine holds it), with a copy button and the memory arithmetic beside it.
import { useState } from 'react';
import { deployment } from '../viz/deploy.ts';
import type { Fit, Recipe } from '../viz/memoryFit.ts';
import { Button } from './ui.tsx';

export function DeployCommands({ model, recipe, label, fit, context, batch }: { model: string; recipe: Recipe; label: string; fit: Fit; context: number; batch: number }) {
  const d = deployment(model, recipe, fit, context, batch);
  return (
    <div className="flex flex-col gap-1.5" data-testid={`deploy-${recipe}`}>
      <p className="text-xs font-semibold text-zinc-700 dark:text-zinc-300">
        Serve it, {label}: <span className="font-normal tabular-nums text-zinc-600 dark:text-zinc-400">{d.arithmetic}</span>
      </p>
      <Command name="vLLM" text={d.vllm.join('\n')} />
      {d.llamaServer && <Command name="llama-server" text={d.llamaServer} />}
      {d.notes.map((n) => <p key={n} className="text-xs text-zinc-600 dark:text-zinc-400">{n}</p>)}
    </div>
  );
}

function Command({ name, text }: { name: string; text: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(text).then(() => { setCopied(true); setTimeout(() => setCopied(false), 1500); }, () => undefined);
  };
  return (
    <div className="flex items-start gap-2">
      <pre tabIndex={0} className="focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 dark:focus-visible:outline-indigo-400 min-w-0 flex-1 overflow-x-auto rounded-lg bg-zinc-900 px-3 py-2 text-xs text-zinc-100 dark:bg-black" aria-label={`${name} command`}>{text}</pre>
      <Button size="sm" onClick={copy} aria-label={`Copy the ${name} command`}>{copied ? 'Copied' : 'Copy'}</Button>
    </div>
  );
}
