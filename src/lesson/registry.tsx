// Which view draws each chapter (one file per chapter in chapters/).
import type { ComponentType } from 'react';
import type { ChapterId } from './chapters.ts';
import { AttentionChapter } from './chapters/AttentionChapter.tsx';
import { EmbeddingChapter } from './chapters/EmbeddingChapter.tsx';
import { FfnChapter } from './chapters/FfnChapter.tsx';
import { Fp8Chapter } from './chapters/Fp8Chapter.tsx';
import { MemoryChapter } from './chapters/MemoryChapter.tsx';
import { NextTokenChapter } from './chapters/NextTokenChapter.tsx';
import { PipelineChapter } from './chapters/PipelineChapter.tsx';
import { RopeChapter } from './chapters/RopeChapter.tsx';
import { ThroughputChapter } from './chapters/ThroughputChapter.tsx';
import { TokensChapter } from './chapters/TokensChapter.tsx';

export const CHAPTER_VIEWS: Record<ChapterId, ComponentType> = {
  tokens: TokensChapter,
  embedding: EmbeddingChapter,
  attention: AttentionChapter,
  rope: RopeChapter,
  ffn: FfnChapter,
  'next-token': NextTokenChapter,
  fp8: Fp8Chapter,
  pipeline: PipelineChapter,
  memory: MemoryChapter,
  throughput: ThroughputChapter,
};
