import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const server = process.env.ENSHU_SERVER ?? 'http://127.0.0.1:8080';

// `vite --config web/vite.config.ts` for development (API and sockets proxied to
// `enshu serve`); `npm run build:web` writes dist/, which `enshu serve` serves as static files.
export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: {
      '/api': server,
      '/socket.io': { target: server, ws: true },
    },
  },
});
