// The pipeline's scheduler (GPipe, arXiv:1811.06965; Llama 3 inference, arXiv:2407.21783 §6.1). Micro-batch j
// runs on stage s once stage s-1 has finished it and stage s is free (a FIFO queue per stage), so with m >= p
// micro-batches every stage has work. A sequence's prompt enters stage 0 in chunks; its logits leave the last
// stage, where its next token is sampled and sent back to stage 0 as the next decode step.
// Stages are handles (in-process, or Web Workers behind comlink), so this runs the same in Node and the browser.
import type { FinishReason, PipelineSpan } from '../api.ts';
import { PREFILL_CHUNK } from '../model/generate.ts';
import { Sampler, type SamplingParams } from '../model/sampler.ts';
import type { StageHandle } from './stage.ts';

export interface PipelineJobs {
  prompts: number[][]; // token ids of each micro-batch's sequence
  maxTokens: number; // per sequence (already fit to the context)
  sampling: SamplingParams;
  seed: number; // sequence j samples with seed + j
  eosIds: number[];
}

export interface PipelineHooks {
  onSpan?(span: PipelineSpan): void;
  onToken?(microBatch: number, id: number): void;
  /** The logits each sample is drawn from (index: tokens sampled before it), for tests of identical outputs. */
  onLogits?(microBatch: number, index: number, logits: Float32Array): void;
  aborted?(): boolean;
}

export interface SequenceRun {
  tokens: number[];
  finish: FinishReason;
  firstTokenMs: number | null; // from the start of the run
  lastTokenMs: number | null;
}

export interface PipelineRun {
  sequences: SequenceRun[];
  timeline: PipelineSpan[];
  wallMs: number;
}

/** Rows of one sequence on their way through the stages. */
interface Job {
  seq: number; // micro-batch, also the KV-cache slot on every stage
  phase: 'prefill' | 'decode';
  step: number;
  rows: number;
  pos0: number;
  input: number[] | Float32Array; // token ids into stage 0, x (rows, dim) after
  sample: boolean; // the last stage's logits are sampled (the last prefill chunk, every decode step)
}

const epochNow = () => performance.timeOrigin + performance.now();

export function runPipelined(stages: StageHandle[], jobs: PipelineJobs, hooks: PipelineHooks = {}): Promise<PipelineRun> {
  const p = stages.length;
  if (p === 0) throw new Error('a pipeline needs at least one stage');
  if (jobs.prompts.some((t) => t.length === 0)) throw new Error('every micro-batch needs a prompt of at least one token');
  return new Promise((resolve, reject) => {
    const t0 = epochNow();
    const queues: Job[][] = stages.map(() => []);
    const busy = stages.map(() => false);
    const timeline: PipelineSpan[] = [];
    const seqs = jobs.prompts.map((prompt, j) => ({
      prompt,
      sampler: new Sampler(jobs.sampling, jobs.seed + j),
      run: { tokens: [], finish: 'length', firstTokenMs: null, lastTokenMs: null } as SequenceRun,
    }));
    let open = seqs.length;
    let failed = false;

    // prefill: every prompt in chunks, in micro-batch order (a chunk needs only the earlier chunks' KV cache,
    // which FIFO order on every stage guarantees)
    seqs.forEach(({ prompt }, j) => {
      for (let i = 0, c = 0; i < prompt.length; i += PREFILL_CHUNK, c++) {
        const input = prompt.slice(i, i + PREFILL_CHUNK);
        queues[0].push({ seq: j, phase: 'prefill', step: c, rows: input.length, pos0: i, input, sample: i + PREFILL_CHUNK >= prompt.length });
      }
    });

    const pump = () => {
      for (let s = 0; s < p; s++) if (!busy[s] && queues[s].length > 0) void start(s, queues[s].shift()!);
    };

    const start = async (s: number, job: Job) => {
      busy[s] = true;
      try {
        const r = await stages[s].run(job.seq, job.input, job.pos0);
        busy[s] = false;
        if (failed) return;
        const span: PipelineSpan = { stage: s, microBatch: job.seq, phase: job.phase, step: job.step, rows: job.rows, start: r.start - t0, end: r.end - t0, gpuMs: r.gpuMs };
        timeline.push(span);
        hooks.onSpan?.(span);
        if (s + 1 < p) queues[s + 1].push({ ...job, input: r.out }); // x moves on to the next stage
        else if (job.sample) next(job, r.out);
        if (open === 0) resolve({ sequences: seqs.map((q) => q.run), timeline, wallMs: epochNow() - t0 });
        else pump();
      } catch (e) {
        if (!failed) reject(e);
        failed = true;
      }
    };

    /** At the last stage: sample the sequence's next token, then send it back to stage 0 or finish. */
    const next = (job: Job, logits: Float32Array) => {
      const q = seqs[job.seq], run = q.run;
      const done = (finish: FinishReason) => { run.finish = finish; open--; };
      if (hooks.aborted?.()) return done('abort');
      if (run.tokens.length >= jobs.maxTokens) return done('length');
      hooks.onLogits?.(job.seq, run.tokens.length, logits);
      const id = q.sampler.sample(logits);
      const t = epochNow() - t0;
      run.firstTokenMs ??= t;
      if (jobs.eosIds.includes(id)) return done('stop');
      run.tokens.push(id);
      run.lastTokenMs = t;
      hooks.onToken?.(job.seq, id);
      if (run.tokens.length >= jobs.maxTokens) return done('length');
      const pos0 = q.prompt.length + run.tokens.length - 1;
      queues[0].push({ seq: job.seq, phase: 'decode', step: run.tokens.length - 1, rows: 1, pos0, input: [id], sample: true });
    };

    pump();
  });
}
