// Hugging Face pre-tokenizer regexes (Rust regex / Oniguruma syntax) as JavaScript regexes.
// JS before ES2025 has no inline flag groups, so `(?i:'s|'t)` is spelled out as `(?:'[sS]|'[tT])`.

/** Rewrites every `(?i:...)` group into a plain group with each ASCII letter written as [xX]. */
export function jsRegexSource(src: string): string {
  let out = '';
  for (let i = 0; i < src.length;) {
    if (!src.startsWith('(?i:', i)) { out += src[i++]; continue; }
    out += '(?:';
    i += 4;
    let depth = 0;
    while (i < src.length && !(src[i] === ')' && depth === 0)) {
      const ch = src[i];
      if (ch === '\\') { // an escape is copied whole, including \p{..} classes
        const m = /^\\[pP]\{[^}]*\}/.exec(src.slice(i));
        const len = m ? m[0].length : 2;
        out += src.slice(i, i + len);
        i += len;
      } else if (ch === '[') { // a character class is copied as written
        let j = i + 1;
        while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
        out += src.slice(i, j + 1);
        i = j + 1;
      } else {
        if (ch === '(') depth++;
        if (ch === ')') depth--;
        out += /[a-zA-Z]/.test(ch) ? `[${ch.toLowerCase()}${ch.toUpperCase()}]` : ch;
        i++;
      }
    }
    out += ')';
    i++;
  }
  return out;
}
