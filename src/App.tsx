// The playground's page: a header, the fault banner, and the views in a responsive grid. The chat takes the
// main column; the model, sampling and throughput views stack beside it (below it on a phone). The quantization
// map takes a full-width row under them, then the later views (Pipeline stages, Memory fit). The Lesson, when open
// (header button or ?lesson=<chapter>), comes first.
import { describeSource, useEngine } from './store/engine.ts';
import { ChatPanel } from './components/ChatPanel.tsx';
import { ConversationsPanel } from './components/ConversationsPanel.tsx';
import { DropOverlay } from './components/DropOverlay.tsx';
import { ExportMenu } from './components/ExportMenu.tsx';
import { MemoryFitPanel } from './components/MemoryFitPanel.tsx';
import { FaultBanner } from './components/FaultBanner.tsx';
import { LinkConsent } from './components/LinkConsent.tsx';
import { describeProgress } from './components/LoadProgressBar.tsx';
import { ModelPanel } from './components/ModelPanel.tsx';
import { PipelinePanel } from './components/PipelinePanel.tsx';
import { QuantMapPanel } from './components/QuantMapPanel.tsx';
import { SamplingPanel } from './components/SamplingPanel.tsx';
import { ThroughputPanel } from './components/ThroughputPanel.tsx';
import { LocalOnlyNote, RemotePanel } from './components/RemotePanel.tsx';
import { useRemote } from './store/remote.ts';
import { LessonButton, LessonSlot } from './lesson/LessonSlot.tsx';
import { Later } from './components/Later.tsx';

// Rows that start below the first screen: the browser skips their layout and paint until they scroll near
// (content-visibility: auto; they stay in the accessibility tree and find-in-page). Each model load re-lays the
// whole page out, and on a 2-core machine that was 50-80 ms of the first answer's wait.
const belowTheFold = 'min-w-0 [content-visibility:auto] [contain-intrinsic-size:auto_36rem]';

export function App() {
  return (
    <div className="min-h-dvh bg-zinc-100 text-zinc-900 dark:bg-zinc-950 dark:text-zinc-100">
      <TopProgress />
      <DropOverlay />
      <div className="mx-auto flex max-w-[1600px] flex-col gap-4 px-3 py-4 sm:px-6">
        <Header />
        <FaultBanner />
        <LinkConsent />
        <main className="flex flex-col gap-4">
          <LessonSlot />
          {/* The sticky chat stays inside this first grid, so it never slides over the rows below. */}
          <div className="grid grid-cols-1 items-start gap-4 lg:grid-cols-[minmax(0,1fr)_24rem] xl:grid-cols-[minmax(0,1fr)_28rem]">
            <ChatPanel />
            <div className="flex min-w-0 flex-col gap-4">
              <ConversationsPanel />
              <ModelPanel />
              <Later>
                <ThroughputPanel />
                <SamplingPanel />
                <RemotePanel />
              </Later>
            </div>
          </div>
          <LocalOnlyNote />
          {/* Full-width rows for the views that teach at scale (Quantization map, Pipeline stages, Memory fit). */}
          <Later>
            <div className="grid min-w-0 grid-cols-1 gap-4 2xl:grid-cols-2">
              <div className={`${belowTheFold} 2xl:col-span-2`}><QuantMapPanel /></div>
              <div className={belowTheFold}><PipelinePanel /></div>
              <div className={belowTheFold}><MemoryFitPanel /></div>
            </div>
          </Later>
        </main>
      </div>
    </div>
  );
}

function Header() {
  const info = useEngine((s) => s.info);
  const remote = useRemote((s) => (s.connected ? s.model : null));
  return (
    <header className="flex flex-wrap items-center gap-x-4 gap-y-2">
      <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" className="size-9" />
      <div className="min-w-0">
        <h1 className="text-xl font-bold tracking-tight text-zinc-900 sm:text-2xl dark:text-zinc-50">Llama FP8 Playground</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          A Llama 3.1-architecture model running in your browser, with FP8 and BF16 WebGPU kernels
        </p>
      </div>
      <div className="ml-auto flex items-center gap-2">
      <LessonButton />
      {remote && (
        <p className="flex min-w-0 items-center gap-2 rounded-full border border-zinc-200 bg-white px-3 py-1 text-sm dark:border-zinc-800 dark:bg-zinc-900">
          <span className="size-2 rounded-full bg-sky-500" aria-hidden="true" />
          <span className="max-w-[16rem] truncate font-medium">{remote}</span>
          <span className="text-zinc-600 dark:text-zinc-400">Remote</span>
        </p>
      )}
      {info && !remote && (
        <p className="flex min-w-0 items-center gap-2 rounded-full border border-zinc-200 bg-white px-3 py-1 text-sm dark:border-zinc-800 dark:bg-zinc-900">
          <span
            className={`size-2 rounded-full ${info.engine === 'webgpu' ? 'bg-emerald-500' : 'bg-amber-500'}`}
            aria-hidden="true"
          />
          <span className="max-w-[16rem] truncate font-medium">{info.name}</span>
          <span className="text-zinc-600 dark:text-zinc-400">{info.engine === 'webgpu' ? 'WebGPU' : 'CPU'}</span>
        </p>
      )}
        <ExportMenu />
      </div>
    </header>
  );
}

/** A thin bar across the top of the page while a model loads, visible from anywhere. */
function TopProgress() {
  const loading = useEngine((s) => s.loading);
  const progress = useEngine((s) => s.progress);
  const rate = useEngine((s) => s.rate);
  if (!loading) return null;
  const pct = progress && progress.total > 0 ? (100 * progress.loaded) / progress.total : null;
  return (
    <div className="fixed inset-x-0 top-0 z-40 h-1 bg-indigo-100 dark:bg-indigo-950" title={`Loading ${describeSource(loading)}: ${describeProgress(progress, rate)}`}>
      <div
        className={`h-full bg-indigo-600 transition-[width] dark:bg-indigo-400 ${pct === null ? 'w-1/4 animate-pulse' : ''}`}
        style={pct === null ? undefined : { width: `${pct}%` }}
      />
    </div>
  );
}
