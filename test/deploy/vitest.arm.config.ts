import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * `npm run test:arm`: the release tarballs under qemu-user. Kept out of the
 * default suite because it needs the built tarballs, the cross toolchain and
 * minutes of emulated CPU (see the README, "Install on a Pi").
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    include: ["test/deploy/**/*.arm-test.ts"],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: "forks",
    fileParallelism: false,
  },
});
