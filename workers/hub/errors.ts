// What can go wrong between us and the Hub, as one-line messages a person can act on. The Hub names its errors in
// an `X-Error-Code` header (huggingface_hub `hf_raise_for_status`): RepoNotFound (404, or 401 for a private repo
// without a token), RevisionNotFound, EntryNotFound (404 on a file) and GatedRepo (401 without a token, 403 with one
// that has not accepted the licence). A message never holds the token.

export type HubErrorCode =
  | 'RepoNotFound' | 'RevisionNotFound' | 'EntryNotFound' | 'GatedRepo' | 'BadToken' // the Hub said no
  | 'NotLlama' | 'NotAModel' | 'PickAFile' | 'MissingShard' // the repo is not a model this playground runs
  | 'Network' | 'Integrity' | 'BadResponse' | 'Http' // the transfer failed
  | 'Offline' | 'DiskFull'; // the device (Node cache, OPFS)

export class HubError extends Error {
  constructor(
    readonly code: HubErrorCode,
    message: string,
    /** The HTTP status, when an answer came. */
    readonly status: number | null = null,
    /** A partial download was kept: the same call later continues where this one stopped. */
    readonly resumable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HubError';
  }
}

/** What the failed request was about: names the repo, the revision and the file in the message. */
export interface RequestContext {
  endpoint: string;
  repo: string;
  revision: string;
  path?: string; // a file of the repo; absent for the repo's API
  hasToken: boolean;
  tokenHelp: string; // how a person gives a token here: "give a token (HF_TOKEN)"
}

/** The one-line error for an answer that is not 2xx/3xx. */
export function errorFromResponse(res: Response, c: RequestContext): HubError {
  const status = res.status;
  const code = res.headers.get('X-Error-Code');
  const hubMessage = res.headers.get('X-Error-Message') ?? '';
  const http = `HTTP ${status}`;
  const page = `${c.endpoint}/${c.repo}`;
  if (code === 'GatedRepo' || ((status === 401 || status === 403) && !code && !/invalid credentials/i.test(hubMessage))) {
    const refused = c.hasToken ? ': the token given has no access to it' : '';
    return new HubError('GatedRepo', `${c.repo} is gated${refused} (${http}): accept its licence at ${page} and ${c.tokenHelp}`, status);
  }
  if (/invalid credentials/i.test(hubMessage)) {
    return new HubError('BadToken', `${c.endpoint} refused the token (${http} ${hubMessage}): ${c.tokenHelp.replace('give a token', 'give a valid token')}`, status);
  }
  if (code === 'RepoNotFound' || (status === 404 && !code && !c.path)) {
    const hint = c.hasToken ? 'check the id, and that the token can read it' : `check the id, or ${c.tokenHelp} if it is private`;
    return new HubError('RepoNotFound', `repository ${c.repo} not found on ${c.endpoint} (${http}): ${hint}`, status);
  }
  if (code === 'RevisionNotFound') {
    return new HubError('RevisionNotFound', `revision "${c.revision}" not found in ${c.repo} (${http}): check the branch, tag or commit`, status);
  }
  if (code === 'EntryNotFound' || status === 404) {
    return new HubError('EntryNotFound', `${c.repo} has no file ${c.path ?? '(listing)'} at ${c.revision} (${http})`, status);
  }
  const what = c.path ? `${c.path} of ${c.repo}` : c.repo;
  return new HubError('Http', `could not get ${what} from ${c.endpoint}: ${http}${hubMessage ? ` ${hubMessage}` : res.statusText ? ` ${res.statusText}` : ''}`, status);
}

/** fetch() itself failed: no answer (DNS, refused, reset, offline). */
export function networkError(e: unknown, c: Pick<RequestContext, 'endpoint'>, what: string): HubError {
  return new HubError('Network', `could not reach ${c.endpoint} for ${what} (${causeText(e)})`, null, false, { cause: e });
}

/** The text of an error and its causes, on one line (undici hides the socket's reason in `cause`). */
export function causeText(e: unknown): string {
  const parts: string[] = [];
  for (let x: unknown = e, i = 0; x && i < 4; x = (x as { cause?: unknown }).cause, i++) {
    const m = x instanceof Error ? x.message : String(x);
    if (m && !parts.includes(m)) parts.push(m);
  }
  return parts.join(': ').replace(/\s+/g, ' ') || 'unknown error';
}
