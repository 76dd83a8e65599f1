// The Memory fit panel's deployment commands: the paper's two 405B deployments (BF16 on two nodes with tensor
// parallel 8 and pipeline parallel 2; the FP8 checkpoint on one node with tensor parallel 8), a single-GPU 8B with
// llama-server, and the arithmetic beside them.
import { describe, expect, it } from 'vitest';
import { deployment } from '../../src/viz/deploy.ts';
import { LLAMA31, memoryFit } from '../../src/viz/memoryFit.ts';

describe('deployment commands', () => {
  it('405B in BF16 at 8K: two nodes, TP 8 x PP 2 on a Ray cluster, no llama-server', () => {
    const fit = memoryFit(LLAMA31['405B'], 'bf16', 8192, 1);
    expect(fit.nodes).toBe(2);
    const d = deployment('405B', 'bf16', fit, 8192, 1);
    expect([d.tp, d.pp]).toEqual([8, 2]);
    expect(d.vllm[0]).toContain('ray start --head');
    expect(d.vllm.at(-1)).toBe('vllm serve meta-llama/Llama-3.1-405B-Instruct --tensor-parallel-size 8 --pipeline-parallel-size 2 --max-model-len 8192 --max-num-seqs 1 --distributed-executor-backend ray');
    expect(d.llamaServer).toBeNull();
    expect(d.arithmetic).toMatch(/= 11 GPUs → 2 nodes × 8 \(TP 8 × PP 2\)$/);
  });

  it('405B under the FP8 recipe at 8K: Meta\'s FP8 checkpoint on one node, TP 8', () => {
    const fit = memoryFit(LLAMA31['405B'], 'fp8', 8192, 1);
    expect(fit.nodes).toBe(1);
    const d = deployment('405B', 'fp8', fit, 8192, 1);
    expect(d.vllm).toEqual(['vllm serve meta-llama/Llama-3.1-405B-Instruct-FP8 --tensor-parallel-size 8 --max-model-len 8192 --max-num-seqs 1']);
    expect(d.llamaServer).toBe('llama-server -m Llama-3.1-405B-Instruct-Q8_0.gguf -c 8192 -np 1 -ngl 999 --host 127.0.0.1 --port 8080');
  });

  it('8B in BF16: one GPU, no parallelism flags; llama-server\'s context covers every slot', () => {
    const fit = memoryFit(LLAMA31['8B'], 'bf16', 8192, 4);
    expect(fit.gpus).toBe(1);
    const d = deployment('8B', 'bf16', fit, 8192, 4);
    expect(d.vllm).toEqual(['vllm serve meta-llama/Llama-3.1-8B-Instruct --max-model-len 8192 --max-num-seqs 4']);
    expect(d.llamaServer).toBe('llama-server -m Llama-3.1-8B-Instruct-BF16.gguf -c 32768 -np 4 -ngl 999 --host 127.0.0.1 --port 8080');
    expect(deployment('8B', 'fp8', memoryFit(LLAMA31['8B'], 'fp8', 8192, 1), 8192, 1).vllm[0]).toContain('--quantization fp8');
  });

  it('rounds the GPUs of one node up to a power of two for tensor parallelism', () => {
    const fit = memoryFit(LLAMA31['70B'], 'bf16', 131_072, 1); // 141 GB weights + 43 GB KV: 3 GPUs
    expect(fit.gpus).toBe(3);
    expect(deployment('70B', 'bf16', fit, 131_072, 1).tp).toBe(4);
  });
});
