// Entry of the React UI (main thread). The UI proper lands in App.tsx.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

createRoot(document.getElementById('root')!).render(<StrictMode><p>Loading…</p></StrictMode>);
