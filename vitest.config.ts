import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "{protocol,central,agent,cli}/test/**/*.test.ts",
      "test/e2e/**/*.test.ts",
      "test/deploy/**/*.test.ts",
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
