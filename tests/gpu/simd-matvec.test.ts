// The WebAssembly SIMD matvecs against the TypeScript kernels, in Chromium (the cases: tests/simd-parity.ts).
// No WebGPU needed: this is the CPU engine's path in a page without it.
import { describe } from 'vitest';
import { bf16FileParityTest, simdParityTests } from '../simd-parity.ts';

describe('SIMD matvec parity (Chromium)', () => { simdParityTests(); bf16FileParityTest(); });
