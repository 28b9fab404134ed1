import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { nanhaiGeo } from './nanhai.geo.ts';

export default defineConfig({
  plugins: [react(), nanhaiGeo()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/socket.io': { target: 'ws://127.0.0.1:8080', ws: true } },
  },
});
