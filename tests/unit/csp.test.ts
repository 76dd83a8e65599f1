// The hosting headers the README tells a static host to send are exactly the ones `vite preview` sends and the e2e
// checks (scripts/vite/csp.ts), and the policy keeps its promises: no eval, no inline script, workers from 'self'.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, hostingHeaders } from '../../scripts/vite/csp.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('content security policy', () => {
  it('the README lists the headers vite preview sends, verbatim', () => {
    for (const [name, value] of Object.entries(hostingHeaders)) expect(readme).toContain(`\n${name}: ${value}\n`);
  });

  it('allows no eval and no inline script; workers and scripts only from the origin', () => {
    const directives = new Map(contentSecurityPolicy.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(contentSecurityPolicy).not.toMatch(/'unsafe-eval'|'unsafe-inline'/);
    expect(directives.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(directives.get('worker-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(hostingHeaders['Content-Security-Policy']).toMatch(/; frame-ancestors 'none'$/);
  });
});
