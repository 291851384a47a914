import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The node runs in a module worker (ES format is required for the worker's imports).
export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: { target: 'es2022', outDir: 'dist', chunkSizeWarningLimit: 2000 },
  server: { port: 5173, strictPort: false },
});
