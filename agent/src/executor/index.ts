import { setTimeout as sleep } from "node:timers/promises";
import type { ResultReport, StartedNotice } from "@neopro/protocol";
import type { Logger } from "pino";
import type { CommandHandlers, HandlerSettings } from "../handlers/types.js";
import type { AgentStore, LedgerCommand } from "../store/index.js";
import { applyRestartRule, restartRuleOf } from "./restart.js";
import { createResultBuffer } from "./result-buffer.js";
import { logOutcome, runCommand } from "./run-command.js";

export { INTERRUPTED_BY_RESTART, restartRuleOf } from "./restart.js";
export { MAX_BUFFERED_RESULTS } from "./result-buffer.js";

/** Commands still running after this long are announced to central (`commands:started`). */
export const STARTED_NOTICE_DELAY_MS = 250;
/** Commands loaded from the ledger at a time. */
const LOAD_BATCH = 500;
/** After a handler ignored the abort signal, how long stop() still waits for it. */
const ABORT_WAIT_MS = 2000;
/** Pause before retrying after the ledger could not be written. */
const STORE_RETRY_DELAY_MS = 1000;

export interface ExecutorOptions {
  store: AgentStore;
  handlers: CommandHandlers;
  settings: HandlerSettings;
  logger: Logger;
  resultFlushDelayMs: number;
  startedNoticeDelayMs?: number;
  /** Called (fire-and-forget) for a command still running after startedNoticeDelayMs. */
  onStarted(notice: StartedNotice): void;
  /** Called after results were committed to the outbox. */
  onResultsCommitted(): void;
}

export interface Executor {
  /** Applies the restart rule, then runs what the ledger holds, in delivery order. */
  start(): void;
  /** New commands were recorded. */
  wake(): void;
  /** Lets the running command finish for up to graceMs, then aborts it; commits buffered results. */
  stop(graceMs: number): Promise<void>;
}

/** Runs commands ONE AT A TIME in delivery order (the ledger's delivered_seq). */
export function createExecutor(options: ExecutorOptions): Executor {
  const { store, logger } = options;
  const abort = new AbortController();
  const results = createResultBuffer({
    store,
    logger,
    flushDelayMs: options.resultFlushDelayMs,
    onCommitted: options.onResultsCommitted,
  });
  const queue: LedgerCommand[] = [];
  let loadedUpToSeq = 0;
  let stopping = false;
  let wakeRequested = false;
  let wakeUp: (() => void) | null = null;
  let running: Promise<ResultReport | null> | null = null;
  let loop: Promise<void> | null = null;

  function wake() {
    wakeRequested = true;
    wakeUp?.();
  }

  function waitForWork(): Promise<void> {
    if (wakeRequested) return Promise.resolve();
    return new Promise((resolve) => {
      wakeUp = resolve;
    });
  }

  function nextCommand(): LedgerCommand | undefined {
    if (queue.length === 0) {
      wakeRequested = false;
      const loaded = store.receivedAfter(loadedUpToSeq, LOAD_BATCH);
      queue.push(...loaded);
      loadedUpToSeq = loaded.at(-1)?.deliveredSeq ?? loadedUpToSeq;
    }
    return queue.shift();
  }

  async function execute(command: LedgerCommand) {
    const startedAt = new Date().toISOString();
    if (restartRuleOf(command.type) === "report_interrupted") {
      // Unsafe to repeat: earlier results and this `running` mark must be on disk before it starts.
      if (!results.flush()) throw new Error("earlier results could not be committed");
      store.markRunningDurably(command.id, startedAt);
    }
    logger.info({ commandId: command.id, type: command.type }, `starting command ${command.type}`);
    const noticeTimer = setTimeout(
      () => options.onStarted({ commandId: command.id, startedAt }),
      options.startedNoticeDelayMs ?? STARTED_NOTICE_DELAY_MS,
    );
    const began = performance.now();
    running = runCommand(command, startedAt, options.handlers, {
      signal: abort.signal,
      logger: logger.child({ commandId: command.id, type: command.type }),
      settings: options.settings,
    });
    try {
      const report = await running;
      if (report === null) {
        logger.warn(
          { commandId: command.id },
          `command ${command.type} aborted by shutdown; the restart rule applies`,
        );
        return;
      }
      logOutcome(logger, command, report, Math.round(performance.now() - began));
      results.add(report);
    } finally {
      clearTimeout(noticeTimer);
      running = null;
    }
  }

  async function runLoop() {
    while (!stopping) {
      let command: LedgerCommand | undefined;
      try {
        command = nextCommand();
        if (command === undefined) {
          results.flush();
          await waitForWork();
          wakeUp = null;
          continue;
        }
        await execute(command);
      } catch (error) {
        // Only the ledger can throw here (handlers' errors become failed results); keep the command and retry.
        logger.error(
          { err: error },
          "cannot update the agent database; retrying in 1 s (check free disk space)",
        );
        if (command !== undefined) queue.unshift(command);
        await sleep(STORE_RETRY_DELAY_MS);
      }
    }
  }

  async function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
    const timeout = sleep(ms, false, { ref: false });
    return Promise.race([promise.then(() => true), timeout]);
  }

  return {
    start() {
      applyRestartRule(store, logger);
      loop = runLoop();
    },
    wake,
    async stop(graceMs) {
      stopping = true;
      wake();
      const current = running;
      if (current !== null && !(await settleWithin(current, graceMs))) {
        logger.warn(
          { graceMs },
          "the running command did not finish within the shutdown grace period; aborting it",
        );
        abort.abort();
        await settleWithin(current, ABORT_WAIT_MS);
      }
      if (loop !== null) await settleWithin(loop, ABORT_WAIT_MS);
      results.flush();
      results.dispose();
    },
  };
}
