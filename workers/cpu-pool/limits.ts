// How many threads the CPU engine may run on: the contract's bound on LoadOptions.threads (the UI's control and a
// link's `threads=` use it too, through workers/shared.ts).

/** The most threads a load may ask for. */
export const MAX_THREADS = 16;
/** The default's cap: decode is bound by memory bandwidth, which a few cores already fill. */
export const DEFAULT_MAX_THREADS = 4;
