import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Build: `vite build --config web/vite.config.ts` -> web/dist, which `hashperp serve` serves.
 * Dev: `vite --config web/vite.config.ts` with HASHPERP_API pointing at a running `hashperp serve`
 * (default http://127.0.0.1:8080); /v1 (HTTP and WebSocket), /health and the wallet's /ark and /esplora are proxied there.
 */
export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    // The app: one ~570 kB chunk (183 kB gzip), most of it react-dom and lightweight-charts. The Wallet page is a
    // second, on-demand chunk (~740 kB, 215 kB gzip: the Ark SDK and its crypto), fetched only when that tab opens.
    chunkSizeWarningLimit: 800,
  },
  server: {
    // The app imports the shared pure modules (src/units, src/client/client) from outside web/.
    fs: { allow: [repoRoot] },
    proxy: {
      '/v1': { target: process.env.HASHPERP_API ?? 'http://127.0.0.1:8080', ws: true, changeOrigin: true },
      '/health': { target: process.env.HASHPERP_API ?? 'http://127.0.0.1:8080', changeOrigin: true },
      '/ark': { target: process.env.HASHPERP_API ?? 'http://127.0.0.1:8080', changeOrigin: true },
      '/esplora': { target: process.env.HASHPERP_API ?? 'http://127.0.0.1:8080', changeOrigin: true },
    },
  },
});
