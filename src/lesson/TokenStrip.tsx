// A text as its tokens: one coloured chip per token with its id under it, the bytes in the tooltip; spaces,
// newlines and special tokens made visible. With `onPick` the chips are buttons that choose a position.
import { focusRing } from '../components/ui.tsx';
import { guessKind, hexBytes, isSpecialPiece, pieceBytes, pieceLabel, tokenHue, type PieceKind } from './pieces.ts';

export interface StripToken {
  id: number;
  text: string;
}

export function TokenStrip(props: {
  tokens: StripToken[];
  label: string;
  kind?: PieceKind;
  selected?: number | null;
  onPick?: (position: number) => void;
  showIds?: boolean;
  testId?: string;
}) {
  const kind = props.kind ?? guessKind(props.tokens.map((t) => t.text));
  return (
    <ol aria-label={props.label} className="flex flex-wrap gap-1" data-testid={props.testId}>
      {props.tokens.map((t, i) => {
        const special = isSpecialPiece(t.text);
        const bytes = pieceBytes(t.text, kind);
        const label = pieceLabel(t.text, kind);
        const hue = tokenHue(i);
        const style = special ? undefined : { background: `hsl(${hue} 80% 50% / 0.16)`, borderColor: `hsl(${hue} 70% 45% / 0.55)` };
        const title = `position ${i}: ${JSON.stringify(label)}, id ${t.id}, ${special ? 'special token' : `bytes ${hexBytes(bytes)}`}`;
        const extra = special ? ', special token' : `, bytes ${hexBytes(bytes)}`;
        const body = (
          <>
            <span className="font-mono text-sm whitespace-pre">{label}</span>
            {props.showIds !== false && <span className="lesson-muted block text-[0.65rem] leading-tight text-zinc-600 tabular-nums dark:text-zinc-400">{t.id}</span>}
          </>
        );
        const cls = `block rounded-md border px-1.5 py-0.5 text-center ${special ? 'border-dashed border-zinc-400 bg-zinc-100 text-zinc-600 dark:border-zinc-600 dark:bg-zinc-800 dark:text-zinc-300' : 'text-zinc-900 dark:text-zinc-50'}`;
        return (
          <li key={i} data-token-id={t.id}>
            {props.onPick ? (
              // The name is the visible text plus the rest in sr-only words: a voice user says what they see (WCAG 2.5.3).
              <button type="button" title={title} aria-pressed={props.selected === i} onClick={() => props.onPick!(i)} style={style}
                className={`${cls} ${focusRing} ${props.selected === i ? 'ring-2 ring-indigo-600 dark:ring-indigo-300' : ''}`}>
                {body}
                <span className="sr-only">{`, position ${i}`}{extra}</span>
              </button>
            ) : (
              <span title={title} style={style} className={cls}>
                {body}
                <span className="sr-only">{extra}</span>
              </span>
            )}
          </li>
        );
      })}
    </ol>
  );
}
