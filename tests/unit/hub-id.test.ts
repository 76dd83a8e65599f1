// Hub model ids: the forms the CLI and the page accept, and one-line errors for the ones the Hub would refuse.
import { describe, expect, it } from 'vitest';
import { formatHubId, isHubId, parseHubId } from '../../workers/hub/id.ts';

describe('Hub ids', () => {
  it('parses a repo, a revision, a file and both', () => {
    expect(parseHubId('hf:meta-llama/Llama-3.2-1B')).toEqual({ repo: 'meta-llama/Llama-3.2-1B', revision: 'main', file: null });
    expect(parseHubId('hf:org/name@v1.0')).toEqual({ repo: 'org/name', revision: 'v1.0', file: null });
    expect(parseHubId('org/name@refs/pr/12')).toEqual({ repo: 'org/name', revision: 'refs/pr/12', file: null });
    const commit = 'a'.repeat(40);
    expect(parseHubId(`hf:org/name@${commit}`).revision).toBe(commit);
    expect(parseHubId('hf:bartowski/Llama-3.2-1B-Instruct-GGUF/Llama-3.2-1B-Instruct-Q4_K_M.gguf'))
      .toEqual({ repo: 'bartowski/Llama-3.2-1B-Instruct-GGUF', revision: 'main', file: 'Llama-3.2-1B-Instruct-Q4_K_M.gguf' });
    expect(parseHubId('hf:org/name/sub/dir/m.Q8_0.gguf@dev')).toEqual({ repo: 'org/name', revision: 'dev', file: 'sub/dir/m.Q8_0.gguf' });
    expect(parseHubId('hf:Org_1/name.v2-x')).toEqual({ repo: 'Org_1/name.v2-x', revision: 'main', file: null });
  });

  it('writes ids back, leaving main out', () => {
    for (const s of ['hf:org/name', 'hf:org/name@dev', 'hf:org/name/a.gguf', 'hf:org/name/a.gguf@refs/pr/1']) expect(formatHubId(parseHubId(s))).toBe(s);
    expect(isHubId('hf:org/name')).toBe(true);
    expect(isHubId('public/models/llama31-mini')).toBe(false);
  });

  it('refuses what the Hub would, in one line naming the id', () => {
    const bad: [string, RegExp][] = [
      ['hf:', /not a Hub model id/],
      ['hf:justname', /not a Hub model id/],
      ['hf:org/', /not a Hub model id/],
      ['hf:/name', /not a Hub model id/],
      ['hf:org/na me', /not a valid repo id/],
      ['hf:org/name!', /not a valid repo id/],
      ['hf:org--x/name', /"--" and ".."/],
      ['hf:org/a..b', /"--" and ".."/],
      ['hf:-org/name', /start or end/],
      ['hf:org/name.', /start or end/],
      [`hf:org/${'n'.repeat(100)}`, /96 characters/],
      ['hf:org/name@', /not a valid revision/],
      ['hf:org/name@a..b', /not a valid revision/],
      ['hf:org/name@a b', /not a valid revision/],
      ['hf:org/name@/main', /not a valid revision/],
      ['hf:org/name/../x.gguf', /not a valid file path/],
      ['hf:org/name/a//b.gguf', /not a valid file path/],
      ['hf:org/name/./b.gguf', /not a valid file path/],
      ['hf:org/name/a\\b.gguf', /not a valid file path/],
    ];
    for (const [id, why] of bad) {
      expect(() => parseHubId(id), id).toThrow(why);
      try { parseHubId(id); } catch (e) { expect((e as Error).message, id).not.toContain('\n'); }
    }
  });
});
