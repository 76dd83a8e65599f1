// The WebAssembly SIMD matvecs against the TypeScript kernels, in Node (the cases: tests/simd-parity.ts).
import { describe } from 'vitest';
import { simdParityTests } from '../simd-parity.ts';

describe('SIMD matvec parity (Node)', simdParityTests);
