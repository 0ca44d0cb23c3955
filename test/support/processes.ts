import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/**
 * Real central and agent processes for end-to-end tests: the built entry
 * points (`npm test` builds first), started with `node`, their pino JSON
 * lines collected so tests can wait for what a person would read in the logs.
 */
export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
const CENTRAL_MAIN = join(REPO_ROOT, "central/dist/main.js");
const AGENT_MAIN = join(REPO_ROOT, "agent/dist/main.js");

/** This file runs from test/support (vitest) and from test/bench/dist/support (the benchmark). */
function findRepoRoot(start: string): string {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "package-lock.json"))) return dir;
  }
  throw new Error(`no package-lock.json above ${start}: run from a checkout of the project`);
}

export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

export class RunningProcess {
  readonly logs: LogLine[] = [];
  readonly rawOutput: string[] = [];
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on("line", (line) => this.onLine(line));
    }
    this.exited = once(child, "exit").then(([code, signal]) => ({ code, signal }));
  }

  private onLine(line: string) {
    this.rawOutput.push(line);
    if (process.env.E2E_VERBOSE) process.stderr.write(`[${this.name}] ${line}\n`);
    try {
      const parsed = JSON.parse(line) as unknown;
      if (parsed && typeof parsed === "object") this.logs.push(parsed as LogLine);
    } catch {
      // not JSON: kept in rawOutput only
    }
    for (const wake of this.waiters) wake();
  }

  /** Resolves with the first log line (already seen or future) that matches. */
  async waitForLog(match: (line: LogLine) => boolean, timeoutMs = 15_000, from = 0): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logs.slice(from).find(match);
      if (found) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(
          `${this.name}: no matching log line within ${timeoutMs} ms (exit ${this.child.exitCode ?? this.child.signalCode}). Last output:\n${this.rawOutput.slice(-25).join("\n")}`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(remaining, 200));
        this.waiters.add(wake);
      });
    }
  }

  waitForMessage(message: string, timeoutMs?: number, from = 0): Promise<LogLine> {
    return this.waitForLog((line) => line.msg === message, timeoutMs, from);
  }

  /** SIGKILL: the process gets no chance to clean up, as in a crash or power cut. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM and wait for a clean exit. */
  async stop(timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }
}

function spawnNode(
  name: string,
  script: string,
  env: Record<string, string | undefined>,
  nodeArgs: string[] = [],
): RunningProcess {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "debug", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new RunningProcess(name, child);
}

export interface CentralProcess extends RunningProcess {
  url: string;
}

export async function startCentral(
  env: Record<string, string | undefined>,
  nodeArgs: string[] = [],
): Promise<CentralProcess> {
  const central = spawnNode("central", CENTRAL_MAIN, { PORT: "0", HOST: "127.0.0.1", ...env }, nodeArgs);
  const line = await central.waitForMessage("Central listening", 30_000);
  const url = String(line.url).replace("0.0.0.0", "127.0.0.1");
  return Object.assign(central, { url });
}

export function startAgent(env: Record<string, string | undefined>): RunningProcess {
  return spawnNode("agent", AGENT_MAIN, {
    RECONNECT_DELAY_MIN_MS: "100",
    RECONNECT_DELAY_MAX_MS: "500",
    ...env,
  });
}
