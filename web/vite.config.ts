// The dashboard's build: Vite with the React plugin, from web/ into dist/web (served by the
// API process at /, src/app/webAppRoutes.ts). Hashed file names under /assets/ are cached for
// a year by the server; index.html is revalidated.
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npx vite --config web/vite.config.ts` during development: the API from a server on 3000.
    proxy: { "/api": "http://127.0.0.1:3000" },
  },
});
