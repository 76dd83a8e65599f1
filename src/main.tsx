// Entry of the React UI (main thread).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { startApp } from './engine/boot.ts';
import './index.css';

startApp(); // the engine's worker starts, and the first model loads, while the page renders

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
