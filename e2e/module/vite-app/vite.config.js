import { defineConfig } from 'vite';

export default defineConfig({
  // Pre-bundling rewrites a dependency's new URL(..., import.meta.url) assets and worker: keep i2m2 as is (dev server).
  optimizeDeps: { exclude: ['i2m2'] },
  worker: { format: 'es' },
  build: { target: 'es2022' },
});
