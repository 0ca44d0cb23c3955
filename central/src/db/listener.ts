import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import type { Logger } from "pino";
import { type Database, errorSummary, quoteIdentifier } from "./database.js";

export interface ReconnectBackoff {
  /** Delay before the first reconnect attempt. */
  initialMs: number;
  /** The delay doubles per failed attempt up to this cap. */
  maxMs: number;
}

/** 100 ms, doubling up to 5 s: a restarted PostgreSQL is back within a few seconds. */
export const DEFAULT_LISTEN_BACKOFF: ReconnectBackoff = { initialMs: 100, maxMs: 5_000 };

export type NotificationListener = Pick<Database, "listen" | "close">;

interface Subscription {
  onNotify: (payload: string) => void;
  onReconnect: (() => void) | undefined;
}

/**
 * LISTEN needs a connection of its own (a pooled one goes back to the pool).
 * This keeps one pg.Client for every channel and, when that connection
 * drops, reconnects in a loop with jittered exponential backoff, LISTENs
 * again on every channel, then calls each `onReconnect` so callers can look
 * for what they missed.
 */
export function createNotificationListener(options: {
  connectionString: string;
  logger: Logger;
  backoff?: ReconnectBackoff;
}): NotificationListener {
  const { connectionString, backoff = DEFAULT_LISTEN_BACKOFF } = options;
  const logger = options.logger.child({ component: "pg-listener" });
  const subscriptions = new Map<string, Set<Subscription>>();
  const stop = new AbortController();
  let client: pg.Client | null = null;
  let connecting: Promise<pg.Client> | null = null;
  let reconnecting = false;

  async function connectClient(): Promise<pg.Client> {
    const fresh = new pg.Client({ connectionString, keepAlive: true });
    fresh.on("notification", (message) => {
      for (const subscription of subscriptions.get(message.channel) ?? []) {
        subscription.onNotify(message.payload ?? "");
      }
    });
    fresh.on("error", (error) => connectionLost(fresh, error));
    fresh.on("end", () => connectionLost(fresh, new Error("connection ended")));
    try {
      await fresh.connect();
    } catch (error) {
      await discard(fresh);
      throw error;
    }
    return fresh;
  }

  /** LISTENs on every subscribed channel, including any added while this runs. */
  async function listenToAll(target: pg.Client): Promise<void> {
    const done = new Set<string>();
    for (;;) {
      const next = [...subscriptions.keys()].find((channel) => !done.has(channel));
      if (next === undefined) return;
      await target.query(`LISTEN ${quoteIdentifier(next)}`);
      done.add(next);
    }
  }

  function connectionLost(lost: pg.Client, error: Error): void {
    if (client !== lost || stop.signal.aborted) return;
    client = null;
    logger.warn(errorSummary(error), "Notification connection to PostgreSQL lost, reconnecting");
    void reconnectLoop();
  }

  async function reconnectLoop(): Promise<void> {
    if (reconnecting) return;
    reconnecting = true;
    try {
      for (let attempt = 1; !stop.signal.aborted; attempt++) {
        try {
          await sleep(backoffDelay(backoff, attempt), undefined, { signal: stop.signal });
        } catch {
          return; // closed while waiting
        }
        let fresh: pg.Client | null = null;
        try {
          fresh = await connectClient();
          await listenToAll(fresh);
        } catch (error) {
          if (fresh) await discard(fresh);
          logger.debug({ ...errorSummary(error), attempt }, "Notification reconnect attempt failed");
          continue;
        }
        if (stop.signal.aborted) {
          await discard(fresh);
          return;
        }
        client = fresh;
        logger.info(
          { attempts: attempt, channels: [...subscriptions.keys()] },
          "Notification connection restored",
        );
        for (const channelSubscriptions of subscriptions.values()) {
          for (const subscription of channelSubscriptions) subscription.onReconnect?.();
        }
        return;
      }
    } finally {
      reconnecting = false;
    }
  }

  async function currentClient(): Promise<pg.Client | null> {
    if (client || reconnecting) return client;
    connecting ??= connectClient().finally(() => {
      connecting = null;
    });
    const connected = await connecting;
    client ??= connected;
    return client;
  }

  return {
    async listen(channel, onNotify, listenOptions) {
      if (stop.signal.aborted) throw new Error(`Cannot LISTEN on "${channel}": the database is closed.`);
      const subscription: Subscription = { onNotify, onReconnect: listenOptions?.onReconnect };
      let channelSubscriptions = subscriptions.get(channel);
      const firstOnChannel = !channelSubscriptions;
      if (!channelSubscriptions) {
        channelSubscriptions = new Set();
        subscriptions.set(channel, channelSubscriptions);
      }
      channelSubscriptions.add(subscription);
      try {
        const target = await currentClient();
        // While reconnecting, the reconnect loop LISTENs on this channel too.
        if (target && firstOnChannel) await target.query(`LISTEN ${quoteIdentifier(channel)}`);
      } catch (error) {
        channelSubscriptions.delete(subscription);
        if (channelSubscriptions.size === 0) subscriptions.delete(channel);
        throw new Error(
          `Could not LISTEN on "${channel}": ${(error as Error).message}. Check that PostgreSQL is reachable.`,
          { cause: error },
        );
      }
      return async () => {
        channelSubscriptions.delete(subscription);
        if (channelSubscriptions.size > 0 || subscriptions.get(channel) !== channelSubscriptions) return;
        subscriptions.delete(channel);
        await client?.query(`UNLISTEN ${quoteIdentifier(channel)}`).catch((error: unknown) => {
          logger.debug({ ...errorSummary(error), channel }, "UNLISTEN failed; the connection is gone anyway");
        });
      };
    },
    async close() {
      stop.abort();
      subscriptions.clear();
      const closing = client ?? (await connecting?.catch(() => null)) ?? null;
      client = null;
      if (closing) await discard(closing);
    },
  };
}

/** Ends a client we no longer use; a late error on its socket must not crash the process. */
async function discard(unused: pg.Client): Promise<void> {
  unused.removeAllListeners();
  unused.on("error", () => {});
  await unused.end().catch(() => {});
}

/** Exponential backoff with "equal jitter": between half and all of the capped delay. */
export function backoffDelay(backoff: ReconnectBackoff, attempt: number): number {
  const capped = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt - 1, 30));
  return capped / 2 + Math.random() * (capped / 2);
}
