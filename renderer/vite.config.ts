// Builds the renderer into dist/renderer (relative base: served by `framescope serve` and loaded from disk by
// Electron alike). No inline scripts and no eval, so the engine's CSP (script-src 'self') holds.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Vite's preload helper would otherwise be the only thing needing an inline polyfill.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
  worker: { format: 'es' },
  server: {
    // `npm run dev:renderer` next to `framescope serve --port 8712`: the API goes to the engine.
    proxy: { '/api': { target: 'ws://127.0.0.1:8712', ws: true } },
  },
});
