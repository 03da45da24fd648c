import { defineConfig } from "vitest/config";

// The dashboard is served by the Wails asset server from frontend/dist, which
// main.go embeds; relative asset URLs keep it working under any origin.
export default defineConfig({
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 400,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
