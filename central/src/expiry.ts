import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { Database } from "./db/database.js";
import { expireCommands } from "./store/queue.js";

export interface ExpiryTimer {
  stop(): Promise<void>;
}

/**
 * §5's periodic cleanup: every `intervalMs`, pending commands past their
 * expires_at leave the queue and are recorded as `expired`. (Delivery never
 * waits for this: a claim skips expired rows on its own.) Runs once at start
 * too, for what expired while central was down.
 */
export function startExpiryTimer(options: {
  db: Database;
  logger: Logger;
  intervalMs: number;
  /** Told which commands left the queue (for the operators' live feed). */
  onExpired?: (commands: { id: string; site_id: string }[]) => void;
}): ExpiryTimer {
  const { db, intervalMs } = options;
  const logger = options.logger.child({ component: "expiry" });
  const stopped = new AbortController();

  async function loop(signal: AbortSignal) {
    while (!signal.aborted) {
      try {
        const expired = await expireCommands(db);
        if (expired.length > 0) {
          const sites = new Set(expired.map((command) => command.site_id)).size;
          logger.info({ count: expired.length, sites }, "Expired pending commands removed from the queue");
          options.onExpired?.(expired);
        }
      } catch (error) {
        logger.warn(
          { err: error, retryInMs: intervalMs },
          "Could not expire pending commands; retrying later",
        );
      }
      try {
        await sleep(intervalMs, undefined, { signal });
      } catch {
        return;
      }
    }
  }

  const running = loop(stopped.signal);
  return {
    async stop() {
      stopped.abort();
      await running;
    },
  };
}
