import { defineConfig } from "vite";

/**
 * The dashboard is static files served by central at `/`; everything is
 * bundled (no CDN at run time). In development (`npx vite`), API and
 * Socket.IO calls go to the central named by CENTRAL_URL.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The polyfill is an inline script, which central's Content-Security-Policy forbids.
    modulePreload: { polyfill: false },
    target: "es2022",
  },
  server: {
    proxy: {
      "/api": process.env.CENTRAL_URL ?? "http://localhost:3000",
      "/socket.io": { target: process.env.CENTRAL_URL ?? "http://localhost:3000", ws: true },
    },
  },
});
