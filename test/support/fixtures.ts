import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";

export async function makeTempDir(prefix = "cq-e2e-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/**
 * An update program for `update_software` that appends its version argument
 * to a file, so a test can count how many times each update really ran.
 * With `sleepSeconds` it then sleeps, to be killed mid-execution.
 */
export async function writeCountingUpdateScript(
  dir: string,
  sleepSeconds = 0,
): Promise<{
  path: string;
  runs: () => Promise<string[]>;
}> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, "update.sh");
  const log = join(dir, "update-runs.log");
  await writeFile(
    path,
    `#!/bin/sh\necho "$1" >> '${log}'\n${sleepSeconds > 0 ? `sleep ${sleepSeconds}\n` : ""}echo "updated to $1"\n`,
  );
  await chmod(path, 0o755);
  return {
    path,
    async runs() {
      try {
        return (await readFile(log, "utf8")).split("\n").filter(Boolean);
      } catch {
        return [];
      }
    },
  };
}

export interface LedgerRow {
  id: string;
  type: string;
  status: string;
  delivered_seq: number;
}

/** Reads the agent's SQLite ledger (read-only), in delivery order. */
export function readAgentLedger(dataDir: string): LedgerRow[] {
  const db = new Database(join(dataDir, "agent.db"), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare("SELECT id, type, status, delivered_seq FROM commands ORDER BY delivered_seq")
      .all() as LedgerRow[];
  } finally {
    db.close();
  }
}

/** A TCP port free right now, for a central that must come back on the same address after a restart. */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
