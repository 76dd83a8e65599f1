// The WGSL decode/encode helpers (workers/kernels/quant.wgsl) on a real WebGPU device, bit for bit against the
// TypeScript codecs: all 256 codes of each FP8 format (scalar and x4 forms), a set of BF16 words, and the FP8
// encoders on every representable value, every midpoint and seeded random values.
import { expect, test } from 'vitest';
import { gpu, rng } from './harness.ts';
import { createPipeline, readBuffer, storageBuffer, groups } from '../../workers/gpu/context.ts';
import quantWgsl from '../../workers/kernels/quant.wgsl?raw';
import { FP8_TABLE, encodeFp8, type Fp8Format } from '../../workers/quant/fp8.ts';
import { bf16ToF32 } from '../../workers/quant/bf16.ts';

/** Runs `out[i] = EXPR` (EXPR may use `w = inp[i]` and `i`) over the input words; returns the output words. */
async function run(body: string, input: Uint32Array, outWords = input.length): Promise<Uint32Array> {
  const ctx = (await gpu())!;
  const d = ctx.device;
  const code = `${quantWgsl}
@group(0) @binding(0) var<storage, read> inp: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let i = g.x;
  if (i >= ${input.length}u) { return; }
  let w = inp[i];
  ${body}
}`;
  const pipeline = await createPipeline(d, 'codec-test', code);
  const inBuf = storageBuffer(d, 'codec.in', input.byteLength, input);
  const outBuf = storageBuffer(d, 'codec.out', outWords * 4);
  const bind = d.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [
    { binding: 0, resource: { buffer: inBuf } }, { binding: 1, resource: { buffer: outBuf } }] });
  const enc = d.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bind);
  pass.dispatchWorkgroups(groups(input.length, 64));
  pass.end();
  d.queue.submit([enc.finish()]);
  const out = new Uint32Array(await readBuffer(d, outBuf, outWords * 4));
  inBuf.destroy();
  outBuf.destroy();
  return out;
}

const asF32 = (u: Uint32Array) => new Float32Array(u.buffer, u.byteOffset, u.length);
const allCodes = Uint32Array.from({ length: 256 }, (_, i) => i);

function expectSameValues(got: Float32Array, want: ArrayLike<number>, what: string) {
  for (let i = 0; i < want.length; i++) {
    const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : Object.is(got[i], want[i]);
    expect(ok, `${what}[${i}] = ${got[i]}, want ${want[i]}`).toBe(true);
  }
}

test.each(['fp8e4m3', 'fp8e5m2'] as const)('%s: all 256 codes decode on the GPU exactly as the TS table', async (fmt) => {
  if (!(await gpu())) return;
  const scalar = await run(`out[i] = bitcast<u32>(${fmt}(w));`, allCodes);
  expectSameValues(asF32(scalar), FP8_TABLE[fmt], `${fmt} scalar`);
  // x4: word j packs codes 4j..4j+3 (code 4j+l in byte l).
  const words = Uint32Array.from({ length: 64 }, (_, j) => (4 * j) | ((4 * j + 1) << 8) | ((4 * j + 2) << 16) | ((4 * j + 3) << 24));
  const quads = await run(`let v = ${fmt}x4(w); for (var l = 0u; l < 4u; l++) { out[4u * i + l] = bitcast<u32>(v[l]); }`, words, 256);
  expectSameValues(asF32(quads), FP8_TABLE[fmt], `${fmt}x4`);
});

test('E5M2 through unpack2x16float(code << 8): exact, but for f16 subnormals a device may flush to signed zero', async () => {
  if (!(await gpu())) return;
  const got = asF32(await run('out[i] = bitcast<u32>(unpack2x16float(w << 8u).x);', allCodes));
  const bad = [...allCodes].filter((c) => !(Number.isNaN(FP8_TABLE.fp8e5m2[c]) ? Number.isNaN(got[c]) : Object.is(got[c], FP8_TABLE.fp8e5m2[c])));
  // A device may flush f16 subnormals (E5M2 codes 0x01-0x03 and 0x81-0x83) to a zero of the same sign, which is
  // why quant.wgsl decodes E5M2 with explicit arithmetic; every other code must decode exactly.
  console.log(`unpack2x16float E5M2 decode: ${bad.length} of 256 codes differ${bad.length ? ` (${bad.map((c) => '0x' + c.toString(16)).join(' ')})` : ''}`);
  for (const c of bad) {
    expect((c & 0x7c) === 0 && (c & 0x03) !== 0, `code 0x${c.toString(16)} is not an f16 subnormal`).toBe(true);
    expect(Object.is(got[c], c & 0x80 ? -0 : 0), `code 0x${c.toString(16)} -> ${got[c]}, a flush gives a signed zero`).toBe(true);
  }
});

test('BF16 words decode exactly (normals, zeros, infinities, NaN); subnormals are at most flushed to zero', async () => {
  if (!(await gpu())) return;
  const r = rng(11);
  const halves: number[] = [0x0000, 0x8000, 0x3f80, 0xbf80, 0x7f7f, 0xff7f, 0x7f80, 0xff80, 0x7fc0, 0x0080, 0x8080, 0x0001, 0x807f];
  for (let i = 0; i < 500; i++) halves.push(Math.floor(r() * 0x10000));
  if (halves.length % 2) halves.push(0x4049);
  const words = Uint32Array.from({ length: halves.length / 2 }, (_, j) => (halves[2 * j] | (halves[2 * j + 1] << 16)) >>> 0);
  const got = asF32(await run('out[2u * i] = bitcast<u32>(bf16_lo(w)); out[2u * i + 1u] = bitcast<u32>(bf16_hi(w));', words, halves.length));
  const quads = asF32(await run('out[2u * i] = bitcast<u32>(bf16x4_lo(vec4<u32>(w)).y); out[2u * i + 1u] = bitcast<u32>(bf16x4_hi(vec4<u32>(w)).w);', words, halves.length));
  let flushed = 0;
  halves.forEach((h, i) => {
    const want = bf16ToF32(h);
    const subnormal = (h & 0x7f80) === 0 && (h & 0x7f) !== 0;
    for (const v of [got[i], quads[i]]) {
      if (subnormal && v === 0) { flushed++; continue; } // WGSL allows flushing; the values are below 1.2e-38
      expect(Number.isNaN(want) ? Number.isNaN(v) : Object.is(v, want), `bf16 0x${h.toString(16)} -> ${v}, want ${want}`).toBe(true);
    }
  });
  console.log(`BF16 subnormal words flushed to zero by this device: ${flushed / 2}`);
});

test.each(['fp8e4m3', 'fp8e5m2'] as const)('%s: the WGSL encoder equals the TS encoder', async (fmt: Fp8Format) => {
  if (!(await gpu())) return;
  const t = FP8_TABLE[fmt];
  const xs: number[] = [0, -0, Infinity, -Infinity, NaN, 1e30, -1e30, 464, 480, 61440, 1e-30, -1e-30, 2 ** -10, 2 ** -17];
  for (let c = 0; c < 255; c++) {
    if (!Number.isFinite(t[c])) continue;
    xs.push(t[c]);
    if (Number.isFinite(t[c + 1]) && (c & 0x7f) !== 0x7f) {
      const mid = (t[c] + t[c + 1]) / 2;
      xs.push(mid, mid * (1 + 2 ** -20), mid * (1 - 2 ** -20));
    }
  }
  const r = rng(fmt === 'fp8e4m3' ? 12 : 13);
  for (let i = 0; i < 2000; i++) xs.push((r() - 0.5) * 2 ** (r() * 50 - 25));
  const input = new Uint32Array(new Float32Array(xs).buffer);
  const got = await run(`out[i] = ${fmt}_encode(bitcast<f32>(w));`, input);
  const want = new Float32Array(xs).map((x) => encodeFp8(x, fmt));
  for (let i = 0; i < xs.length; i++) expect(got[i], `encode ${xs[i]}`).toBe(want[i]);
});
