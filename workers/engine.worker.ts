// The Web Worker: expose the engine over comlink, and nothing else (failures cross as data, workers/boundary.ts).
import { expose } from 'comlink';
import { sendFailuresAsData } from './boundary.ts';
import { Engine } from './engine.ts';

sendFailuresAsData();

expose(new Engine({ engine: 'auto', baseUrl: new URL(import.meta.env.BASE_URL, self.location.origin).href }));
