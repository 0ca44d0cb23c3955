import type { ResultReport } from "@neopro/protocol";
import type { Logger } from "pino";
import type { AgentStore } from "../store/index.js";

/** Results per transaction at most: bounds the time one commit holds the database. */
export const MAX_BUFFERED_RESULTS = 100;
/** Wait before retrying a commit that failed (disk full, I/O error). */
const COMMIT_RETRY_DELAY_MS = 1000;

export interface ResultBufferOptions {
  store: AgentStore;
  logger: Logger;
  /** Longest a finished result stays uncommitted (RESULT_FLUSH_DELAY_MS). */
  flushDelayMs: number;
  onCommitted(): void;
}

export interface ResultBuffer {
  add(report: ResultReport): void;
  /** Commits every buffered result in one transaction; false if the commit failed (it is retried later). */
  flush(): boolean;
  readonly size: number;
  dispose(): void;
}

/**
 * Group commit: one SQLite transaction (one fsync) for many results, written
 * when the executor has nothing waiting, when MAX_BUFFERED_RESULTS are
 * buffered, or flushDelayMs after the first was buffered — the timer keeps a
 * long command from holding earlier results non-durable.
 */
export function createResultBuffer(options: ResultBufferOptions): ResultBuffer {
  let buffered: ResultReport[] = [];
  let timer: NodeJS.Timeout | null = null;

  function schedule(delayMs: number) {
    if (timer === null) timer = setTimeout(flush, delayMs);
  }

  function flush(): boolean {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (buffered.length === 0) return true;
    try {
      options.store.completeCommands(buffered);
    } catch (error) {
      options.logger.error(
        { err: error, results: buffered.length },
        "cannot write command results to the agent database; retrying in 1 s (check free disk space)",
      );
      schedule(COMMIT_RETRY_DELAY_MS);
      return false;
    }
    buffered = [];
    options.onCommitted();
    return true;
  }

  return {
    add(report) {
      buffered.push(report);
      if (buffered.length >= MAX_BUFFERED_RESULTS) flush();
      else schedule(options.flushDelayMs);
    },
    flush,
    get size() {
      return buffered.length;
    },
    dispose() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
