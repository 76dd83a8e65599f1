// Entry of the React UI (main thread). It starts the engine first and renders second: this module and what it
// imports are small (the stores, the engine client), so the worker starts, and the first model loads, before the
// browser has even parsed the page's React code (App and react-dom, a chunk of their own, fetched right after).
import { startApp } from './engine/boot.ts';
import './index.css';

startApp();

void Promise.all([import('react'), import('react-dom/client'), import('./App.tsx')]).then(([{ StrictMode, createElement }, { createRoot }, { App }]) => {
  createRoot(document.getElementById('root')!).render(createElement(StrictMode, null, createElement(App)));
});
