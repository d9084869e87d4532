// The example app's build. Nothing here is needed for onstage itself: the
// package's `new URL('./onstage_bg.wasm', import.meta.url)` is enough for
// Vite to emit the wasm file. Two pages: the React binding (index.html)
// and OpenFeature's React hooks over the onstage provider (openfeature.html).
// ONSTAGE_REACT=18 builds the same app against React 18 (npm aliases).
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const react18 = process.env.ONSTAGE_REACT === '18';

export default defineConfig({
  // JSX without a plugin: esbuild's automatic runtime.
  esbuild: { jsx: 'automatic' },
  resolve: {
    alias: react18
      ? [
          { find: /^react-dom(\/.*)?$/, replacement: 'react-dom-18$1' },
          { find: /^react(\/.*)?$/, replacement: 'react-18$1' },
        ]
      : [],
  },
  // In `vite dev`, the dependency optimizer would move onstage's modules
  // away from its wasm file (vitejs/vite#8427): serve the package as it is.
  optimizeDeps: { exclude: ['onstage'] },
  build: {
    target: 'es2022',
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, 'index.html'),
        openfeature: resolve(import.meta.dirname, 'openfeature.html'),
      },
    },
  },
});
