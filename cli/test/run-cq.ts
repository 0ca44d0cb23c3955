import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { join } from "node:path";
import { REPO_ROOT } from "../../test/support/processes.js";

/** The built binary, run as a person or a script would run it. */
const CQ_MAIN = join(REPO_ROOT, "cli/dist/main.js");

export interface CqRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for `--json`). */
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers.
  json(): any;
}

/**
 * Runs `node cli/dist/main.js …args` with only `env` (plus PATH and a UTC
 * time zone): no CQ_* variable or config file of the machine leaks in.
 */
export async function runCq(args: string[], env: Record<string, string | undefined> = {}): Promise<CqRun> {
  const child = spawn(process.execPath, [CQ_MAIN, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, TZ: "UTC", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const [code] = (await once(child, "close")) as [number | null];
  return {
    code,
    stdout,
    stderr,
    json: () => JSON.parse(stdout),
  };
}

/** A TCP port nothing listens on: bound by the system, then closed again. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}
