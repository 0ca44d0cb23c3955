#!/usr/bin/env node
// The `cq` command: runs the compiled CLI. Kept outside dist/ so the link npm makes at install
// time exists (and is executable) before the first build.
try {
  await import("../dist/main.js");
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/main.js")) {
    process.stderr.write("cq is not built yet: run `npm run build` at the root of the repository.\n");
    process.exit(1);
  }
  throw error;
}
