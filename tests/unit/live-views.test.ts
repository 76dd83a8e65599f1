// Pieces of the live views: a link's precision map applied in one engine call (CPU engine), latency percentiles,
// the export's CSV, and the settings in the URL.
import { describe, expect, it } from 'vitest';
import { latencyPercentiles, percentile } from '../../src/viz/percentile.ts';
import { qualityCsv, samplesCsv, toCsv } from '../../src/viz/export.ts';
import { modelFromQuery, precisionFromQuery, samplingFromQuery, settingsToQuery, threadOptions, threadsFromQuery } from '../../src/store/settings.ts';
import { applyOverride, decodeMap, encodeMap, presetMap } from '../../workers/quant/precision.ts';
import { PRESETS } from '../../workers/quant/types.ts';
import type { PrecisionMap } from '../../workers/quant/types.ts';
import type { RunRecord } from '../../src/store/telemetry.ts';
import { Engine } from '../../workers/engine.ts';
import { readShared, STORIES } from './shared.ts';

const bytes = readShared(STORIES);

/** What applyLinkPrecision does with a link's map: decode it for the model, hand it to the engine in one call. */
async function applyLink(e: Engine, link: string, nLayers: number): Promise<string> {
  return encodeMap((await e.setPrecision(decodeMap(link, nLayers))).precision);
}

describe.runIf(bytes)('a link’s precision map reaches the engine in one setPrecision', () => {
  it('presets, painted maps and random maps come back exactly as the link wrote them', async () => {
    const e = new Engine({ engine: 'cpu', baseUrl: 'http://localhost/' });
    const info = await e.load({ kind: 'file', name: 'stories260K.gguf', bytes: bytes!.buffer.slice(bytes!.byteOffset, bytes!.byteOffset + bytes!.byteLength) as ArrayBuffer });
    const L = info.config.nLayers;
    for (const p of PRESETS) expect(await applyLink(e, encodeMap(presetMap(L, p)), L)).toBe(p);

    let painted = presetMap(L, 'fp8-llama3');
    painted = applyOverride(painted, { matrix: 'wq', spec: { dtype: 'fp8e5m2', act: null, actBound: null } });
    painted = applyOverride(painted, { layer: 4, spec: { dtype: 'f32' } });
    painted = applyOverride(painted, { layer: 2, matrix: 'w2', spec: { dtype: 'bf16', bf16Rounding: 'truncate' } });
    painted = applyOverride(painted, { matrix: 'output', spec: { dtype: 'fp8e4m3', scale: 'tensor' } });
    painted = applyOverride(painted, { matrix: 'embedding', spec: { dtype: 'bf16' } });
    expect(await applyLink(e, encodeMap(painted), L)).toBe(encodeMap(painted));

    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const dtypes = ['f32', 'bf16', 'fp8e4m3', 'fp8e5m2'] as const;
    for (let t = 0; t < 12; t++) {
      let target: PrecisionMap = presetMap(L, PRESETS[t % 4]);
      for (let i = 0; i < 6; i++) {
        const d = dtypes[Math.floor(rnd() * 4)];
        target = applyOverride(target, { layer: Math.floor(rnd() * L), matrix: (['wq', 'w1', 'w2', 'wo'] as const)[Math.floor(rnd() * 4)], spec: { dtype: d, act: d.startsWith('fp8') && rnd() < 0.5 ? 'fp8e4m3' : null, actBound: 1200 } });
      }
      expect(await applyLink(e, encodeMap(target), L)).toBe(encodeMap(target));
    }
    expect(() => decodeMap(encodeMap(painted), L + 1)).toThrow(); // a link made for another depth does not apply
  });
});

describe('percentiles', () => {
  it('interpolate between ranks as numpy does', () => {
    expect(percentile([3, 1, 2], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([10], 0.95)).toBe(10);
    expect(percentile([], 0.5)).toBeNaN();
    const v = Array.from({ length: 101 }, (_, i) => i);
    expect(latencyPercentiles(v)).toEqual({ p50: 50, p95: 95 });
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBeCloseTo(9.55);
  });
});

describe('export', () => {
  it('writes RFC 4180 CSV: quoted commas, quotes and line breaks, empty for missing and non-finite', () => {
    const csv = toCsv([{ a: 'x,y', b: 'say "hi"', c: 1.5 }, { a: 'two\nlines', b: null, c: NaN }]);
    expect(csv).toBe('a,b,c\r\n"x,y","say ""hi""",1.5\r\n"two\nlines",,\r\n');
  });

  it('neutralises text cells a spreadsheet would run as a formula; numbers stay numbers', () => {
    const csv = toCsv([{ a: '=HYPERLINK("http://x")', b: '+1', c: -2.5 }, { a: '@SUM(A1)', b: '-x', c: 0 }, { a: '\tcmd', b: '\rcmd', c: 1 }, { a: 'a=b', b: 'ok', c: 2 }]);
    expect(csv.split('\r\n').slice(1, 5)).toEqual([`"'=HYPERLINK(""http://x"")",'+1,-2.5`, `'@SUM(A1),'-x,0`, `'\tcmd,"'\rcmd",1`, 'a=b,ok,2']);
  });

  it('one sample row per decode token, and quality rows keep the map they measured', () => {
    const run = { run: 1, model: 'm', precision: 'bf16', tokenMs: [20, 25] } as RunRecord;
    expect(samplesCsv([run]).split('\r\n').slice(0, 3)).toEqual(['run,model,precision,token,ms,tok_s', '1,m,bf16,1,20,50', '1,m,bf16,2,25,40']);
    const q = qualityCsv([{ at: 't', model: 'm', key: 'b-4a41200.ab5', label: 'custom', conversation: 2,
      result: { tokens: 9, kl_mean: 0.01, kl_max: 0.1, top1_agreement: 0.9, perplexity: 3, reference_perplexity: 2.9, precision: 'custom' } }]);
    expect(q.split('\r\n')[1]).toBe('t,m,b-4a41200.ab5,custom,2,9,0.01,0.1,0.9,3,2.9');
  });
});

describe('settings in the URL', () => {
  it('reads the model and the precision map, and writes them first, keeping other keys', () => {
    const search = '?stages=2&mb=4&model=https%3A%2F%2Fex.org%2Fm.gguf&precision=fp8-all&temperature=0.5';
    expect(modelFromQuery(search)).toBe('https://ex.org/m.gguf');
    expect(precisionFromQuery(search)).toBe('fp8-all');
    const q = new URLSearchParams(settingsToQuery({ sampling: samplingFromQuery(search), model: 'https://ex.org/m.gguf', precision: 'b-4.ab3' }, search));
    expect(q.get('model')).toBe('https://ex.org/m.gguf');
    expect(q.get('precision')).toBe('b-4.ab3');
    expect(q.get('stages')).toBe('2'); // the pipeline view's keys are left alone
    expect(q.get('mb')).toBe('4');
    expect(q.get('temperature')).toBe('0.5');
    expect([...q.keys()].slice(0, 2)).toEqual(['model', 'precision']);
    const none = new URLSearchParams(settingsToQuery({ sampling: samplingFromQuery(''), model: null, precision: null }, search));
    expect(none.has('model')).toBe(false);
    expect(none.has('precision')).toBe(false);
  });

  it('threads=: a whole number from 1 to 16, anything else is the engine default; written after the context', () => {
    for (const [search, want] of [['?threads=2', 2], ['?threads=16', 16], ['?threads=0', null], ['?threads=17', null], ['?threads=2.5', null],
      ['?threads=-1', null], ['?threads=two', null], ['', null]] as const) expect(threadsFromQuery(search), search).toBe(want);
    const q = settingsToQuery({ sampling: samplingFromQuery(''), model: null, precision: 'bf16', context: 256, threads: 3 }, '?threads=9&stages=2');
    expect(q.startsWith('precision=bf16&context=256&threads=3&')).toBe(true);
    expect(new URLSearchParams(q).getAll('threads')).toEqual(['3']);
    expect(new URLSearchParams(settingsToQuery({ sampling: samplingFromQuery(''), model: null, precision: null, threads: null }, '?threads=9')).has('threads')).toBe(false);
  });

  it('the Threads control offers 1 to the cores where threads can share memory, only 1 where they cannot', () => {
    expect(threadOptions(4, 1, true)).toEqual([1, 2, 3, 4]);
    expect(threadOptions(2, 4, true)).toEqual([1, 2, 3, 4]); // a link asked for more than the cores: still shown
    expect(threadOptions(64, 1, true)).toHaveLength(16);
    expect(threadOptions(8, 1, false)).toEqual([1]);
  });
});
