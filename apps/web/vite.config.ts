import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  resolve: { alias: { '@warroom/contracts': `${here}../../libs/contracts/src/index.ts` } },
  build: { outDir: `${here}dist`, emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
