// The Web Worker: expose the engine over comlink, and nothing else.
import { expose } from 'comlink';
import { Engine } from './engine.ts';

expose(new Engine({ engine: 'auto', baseUrl: new URL(import.meta.env.BASE_URL, self.location.origin).href }));
