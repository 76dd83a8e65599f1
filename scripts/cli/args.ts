// Command-line flags: `--name value` pairs and boolean switches, checked against each command's known flags.

export type Flags = Record<string, string | true>;

export function parseArgs(argv: string[], known: Record<string, 'string' | 'bool'>): Flags {
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}": flags look like --name value`);
    const name = a.slice(2);
    const kind = known[name];
    if (!kind) throw new Error(`unknown flag --${name}; known: ${Object.keys(known).map((k) => `--${k}`).join(' ')}`);
    if (kind === 'bool') { flags[name] = true; continue; }
    const v = argv[++i];
    if (v === undefined) throw new Error(`--${name} needs a value`);
    flags[name] = v;
  }
  return flags;
}

export function num(flags: Flags, name: string, fallback: number, opts: { int?: boolean; min?: number; max?: number } = {}): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw === true || !Number.isFinite(v) || (opts.int && !Number.isInteger(v))) throw new Error(`--${name} must be a ${opts.int ? 'whole ' : ''}number, got "${raw}"`);
  if (opts.min !== undefined && v < opts.min) throw new Error(`--${name} must be >= ${opts.min}, got ${v}`);
  if (opts.max !== undefined && v > opts.max) throw new Error(`--${name} must be <= ${opts.max}, got ${v}`);
  return v;
}

export function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return v === true ? undefined : v;
}
