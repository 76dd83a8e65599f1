// Entry of the React UI (main thread).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { startEngine } from './engine/client.ts';
import './index.css';

startEngine(); // the engine's worker starts loading while the page renders

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
