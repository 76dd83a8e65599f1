// The paper's deployment as a command: for a model, a precision recipe and its memory fit on H100 nodes, the vLLM
// command that serves it, and llama.cpp's llama-server where one machine holds it. Flags as documented by vLLM
// 0.8 (docs.vllm.ai/en/v0.8.4, "Distributed Inference and Serving": tensor parallel = GPUs per node, pipeline
// parallel = nodes, a Ray cluster across nodes) and llama.cpp's server README (-m, -c, -ngl, -np, --host, --port).
import { H100, type Fit, type Recipe } from './memoryFit.ts';

/** Meta's checkpoints on the Hub; 405B has an official FP8 one (FFN in FP8, row scales, as the paper's recipe). */
const HUB: Record<string, { bf16: string; fp8: string | null }> = {
  '8B': { bf16: 'meta-llama/Llama-3.1-8B-Instruct', fp8: null },
  '70B': { bf16: 'meta-llama/Llama-3.1-70B-Instruct', fp8: null },
  '405B': { bf16: 'meta-llama/Llama-3.1-405B-Instruct', fp8: 'meta-llama/Llama-3.1-405B-Instruct-FP8' },
};

export interface Deployment {
  /** Tensor parallel (GPUs per node) x pipeline parallel (nodes). */
  tp: number;
  pp: number;
  /** The vLLM commands, in order (the Ray cluster's first where it spans nodes). */
  vllm: string[];
  /** One machine's llama-server command, or null where the model needs more than one node. */
  llamaServer: string | null;
  /** How the GPU count follows from the bytes. */
  arithmetic: string;
  notes: string[];
}

const pow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));
const gb = (b: number) => `${(b / 1e9).toFixed(b < 10e9 ? 1 : 0)} GB`;

/** `model` is '8B' | '70B' | '405B', or the loaded model's name (served from a local folder). */
export function deployment(model: string, recipe: Recipe, fit: Fit, context: number, batch: number): Deployment {
  // GPUs per node: a power of two (vLLM splits heads evenly: 8 KV heads over 1, 2, 4 or 8 GPUs), at most 8 per node
  const tp = fit.nodes > 1 ? H100.perNode : Math.min(H100.perNode, pow2(fit.gpus));
  const pp = fit.nodes;
  const hub = HUB[model];
  const notes: string[] = [];
  let id = hub ? hub.bf16 : `./${model}`;
  const quant: string[] = [];
  if (recipe === 'fp8') {
    if (hub?.fp8) id = hub.fp8;
    else {
      quant.push('--quantization fp8');
      notes.push("vLLM's --quantization fp8 quantizes the BF16 weights at load (per-tensor scales, every linear layer): close to, not the same as, the paper's row-wise FFN recipe.");
    }
  }
  const serve = ['vllm serve', id, tp > 1 ? `--tensor-parallel-size ${tp}` : '', pp > 1 ? `--pipeline-parallel-size ${pp}` : '', ...quant,
    `--max-model-len ${context}`, `--max-num-seqs ${batch}`].filter(Boolean).join(' ');
  const vllm = pp > 1
    ? ['# on node 1 (the head):  ray start --head --port 6379', `# on nodes 2..${pp}:  ray start --address HEAD_IP:6379`, `# then on node 1:`, `${serve} --distributed-executor-backend ray`]
    : [serve];
  if (pp > 1) notes.push(`${pp} nodes: the layers are cut into ${pp} pipeline stages (one per node), each stage split over ${tp} GPUs by tensor parallelism; vLLM needs a Ray cluster across the nodes.`);

  // llama-server: one machine, its context shared by the parallel slots (-c is the total)
  let llamaServer: string | null = null;
  if (fit.nodes === 1) {
    const file = `${hub ? hub.bf16.split('/')[1] : model}-${recipe === 'fp8' ? 'Q8_0' : 'BF16'}.gguf`;
    llamaServer = `llama-server -m ${file} -c ${context * batch} -np ${batch} -ngl 999 --host 127.0.0.1 --port 8080`;
    if (recipe === 'fp8') notes.push('GGUF has no FP8 type: Q8_0 (8-bit codes with a scale per 32 values) is the nearest, about the same bytes.');
    if (fit.gpus > 1) notes.push(`llama-server splits the layers over this machine's ${fit.gpus} GPUs by itself (--split-mode layer, its default).`);
  } else {
    notes.push('llama-server runs on one machine: this fit needs more than one node.');
  }
  const arithmetic = `${gb(fit.weights.total)} weights + ${gb(fit.kvCache)} KV cache = ${gb(fit.total)}; / ${gb(H100.bytes)} per H100 = ${fit.gpus} GPU${fit.gpus === 1 ? '' : 's'} → ${pp > 1 ? `${pp} nodes × ${tp} (TP ${tp} × PP ${pp})` : `TP ${tp} on one node`}`;
  return { tp, pp, vllm, llamaServer, arithmetic, notes };
}
