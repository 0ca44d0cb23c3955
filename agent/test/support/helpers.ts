import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DeliveredCommand } from "@neopro/protocol";
import { type Logger, pino } from "pino";
import { type AgentConfig, loadConfig } from "../../src/config.js";

export interface TempDir {
  path: string;
  remove(): Promise<void>;
}

export async function createTempDir(prefix = "agent-test-"): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A real pino logger whose lines a test can read. */
export function createCapturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: "debug" },
    {
      write(line: string) {
        lines.push(JSON.parse(line) as LogLine);
      },
    },
  );
  return { logger, lines };
}

export const PINO_LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;

export function deliveredCommand(type: string, params: unknown, overrides: Partial<DeliveredCommand> = {}) {
  return {
    id: randomUUID(),
    type,
    params,
    priority: 5,
    createdAt: new Date().toISOString(),
    expiresAt: null,
    ...overrides,
  } satisfies DeliveredCommand;
}

export const SITE_ID = "7f1c2a9e-4b1d-4c3e-9a55-0c2d7c9b8e11";
export const SITE_TOKEN = "test-site-token";

export function testConfig(dataDir: string, env: NodeJS.ProcessEnv = {}): AgentConfig {
  return loadConfig({
    SITE_ID,
    SITE_TOKEN,
    DATA_DIR: dataDir,
    RECONNECT_DELAY_MIN_MS: "50",
    RECONNECT_DELAY_MAX_MS: "200",
    ACK_TIMEOUT_MS: "1000",
    SHUTDOWN_GRACE_MS: "1000",
    ...env,
  });
}

/** Polls until `check` returns a value other than undefined/false, or fails after timeoutMs. */
export async function eventually<T>(check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
