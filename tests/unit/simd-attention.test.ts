// The WebAssembly SIMD attention loops against ops.ts attention(), in Node (the cases: tests/simd-attention-parity.ts).
import { describe } from 'vitest';
import { simdAttentionTests } from '../simd-attention-parity.ts';

describe('SIMD attention parity (Node)', simdAttentionTests);
