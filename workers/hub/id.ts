// A model on the Hugging Face Hub, named the way the CLI and the page accept it:
//   hf:org/name                 the repo at main (a Hugging Face folder: config.json, tokenizer, safetensors)
//   hf:org/name@revision        at a branch, tag or commit (`refs/pr/1` too: everything after the '@')
//   hf:org/name/path/file.gguf  one file of the repo (a GGUF model), also `hf:org/name/file.gguf@revision`
// Repo ids follow the Hub's rules (huggingface_hub `validate_repo_id`): `[\w.-]+/[\w.-]+`, at most 96 characters,
// no `--` or `..`, no name starting or ending with `-` or `.`. File paths are relative, without `.` or `..`.

export interface HubId {
  repo: string; // "org/name"
  revision: string; // "main" unless given
  file: string | null; // a path inside the repo, or null for the whole model
}

export const HUB_PREFIX = 'hf:';
export const DEFAULT_REVISION = 'main';

const NAME = /^[\w.-]+$/;
const COMMIT = /^[0-9a-f]{40}$/;

/** Whether the text names a Hub model (the `hf:` prefix), as opposed to a path or a URL. */
export const isHubId = (text: string) => text.startsWith(HUB_PREFIX);

/** Parses `hf:org/name[/path][@revision]` (the prefix is optional); throws a one-line error naming what is wrong. */
export function parseHubId(text: string): HubId {
  const body = isHubId(text) ? text.slice(HUB_PREFIX.length) : text;
  const at = body.indexOf('@');
  const where = at < 0 ? body : body.slice(0, at);
  const revision = at < 0 ? DEFAULT_REVISION : body.slice(at + 1);
  const parts = where.split('/');
  if (parts.length < 2 || !parts[0] || !parts[1]) {
    throw new Error(`"${text}" is not a Hub model id: expected hf:org/name, hf:org/name@revision or hf:org/name/file.gguf`);
  }
  const repo = `${parts[0]}/${parts[1]}`;
  checkRepo(repo, text);
  checkRevision(revision, text);
  const file = parts.length > 2 ? parts.slice(2).join('/') : null;
  if (file !== null) checkPath(file, text);
  return { repo, revision, file };
}

/** The id written back: `hf:org/name[/file][@revision]` (main is left out). */
export function formatHubId(id: HubId): string {
  return `${HUB_PREFIX}${id.repo}${id.file ? `/${id.file}` : ''}${id.revision === DEFAULT_REVISION ? '' : `@${id.revision}`}`;
}

export const isCommit = (revision: string) => COMMIT.test(revision);

function checkRepo(repo: string, text: string): void {
  const bad = (why: string) => new Error(`"${text}": "${repo}" is not a valid repo id (${why})`);
  if (repo.length > 96) throw bad('longer than 96 characters');
  for (const name of repo.split('/')) {
    if (!NAME.test(name)) throw bad('names may hold letters, digits, "_", "-" and "." only');
    if (/^[-.]|[-.]$/.test(name)) throw bad('a name cannot start or end with "-" or "."');
  }
  if (repo.includes('--') || repo.includes('..')) throw bad('"--" and ".." are not allowed');
}

/** A branch, tag or commit: git's ref rules, simplified (no "..", no empty or dot-led segments, no spaces). */
function checkRevision(revision: string, text: string): void {
  const ok = revision.length > 0 && revision.length <= 255 && /^[\w./-]+$/.test(revision)
    && !revision.includes('..') && revision.split('/').every((s) => s.length > 0 && !s.startsWith('.') && !s.endsWith('.lock'));
  if (!ok) throw new Error(`"${text}": "${revision}" is not a valid revision (a branch, a tag or a 40-digit commit)`);
}

/** A path inside the repo: relative, forward slashes, no "." or ".." segments, no control characters. */
export function checkPath(path: string, text = path): void {
  // eslint-disable-next-line no-control-regex
  const ok = path.length > 0 && !path.startsWith('/') && !/[\\\u0000-\u001f]/.test(path)
    && path.split('/').every((s) => s.length > 0 && s !== '.' && s !== '..');
  if (!ok) throw new Error(`"${text}": "${path}" is not a valid file path in a repo (relative, without "." or "..")`);
}
