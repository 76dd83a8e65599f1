// What the page starts before React's first render: the engine's news, the saved conversations, and the first
// model load. Starting the load here rather than in an effect of <App> lets the worker fetch the model while React
// renders the page (~300 ms on a 2-core machine), instead of after it.
import { loadModel } from './controller.ts';
import { startConversations } from './conversations.ts';
import { watchEngine } from './faults.ts';
import { openLink } from './linkConsent.ts';
import { startEngine } from './client.ts';
import { useSettings } from '../store/settings.ts';

let started = false; // once per page (a hot reload in development re-runs main.tsx)

export function startApp(): void {
  if (started) return;
  started = true;
  startEngine(); // the worker's script is fetched and compiled while the rest of this runs
  watchEngine(); // device loss, recovery and engine changes, as they happen
  void startConversations(); // the saved list, and the latest conversation back after a reload
  // The link's model (?model=<url> or ?model=hf:org/name), else the embedded default; the link's precision follows
  // once it is loaded. A model from another origin asks first (LinkConsent).
  const model = useSettings.getState().model;
  void (model ? openLink(model) : loadModel({ kind: 'default' }));
}
