import { createAgent, createNoopHandlers, loadConfig } from "@neopro/sync-agent";
import { pino } from "pino";

/**
 * One benchmark worker process: many agents built from the agent's own
 * connection, ledger and outbox code, each with its own SQLite database, and
 * no-op handlers so the figures measure the queue, not the commands.
 * Protocol with the parent (IPC): receives { sites, centralUrl, dataRoot },
 * opens every agent's ledger and answers "ready"; receives "go", connects every agent; receives "stop",
 * answers with the agents' counters and exits.
 */
interface WorkerSetup {
  centralUrl: string;
  dataRoot: string;
  sites: { id: string; token: string }[];
}

const logger = pino({ level: "warn" });

function ask<T>(): Promise<T> {
  return new Promise((resolve) => process.once("message", (message) => resolve(message as T)));
}

const setup = await ask<WorkerSetup>();
const agents = setup.sites.map((site) =>
  createAgent(
    loadConfig({
      CENTRAL_URL: setup.centralUrl,
      SITE_ID: site.id,
      SITE_TOKEN: site.token,
      DATA_DIR: `${setup.dataRoot}/${site.id}`,
      RECONNECT_DELAY_MIN_MS: "200",
      RECONNECT_DELAY_MAX_MS: "2000",
    }),
    { logger, handlers: createNoopHandlers() },
  ),
);
// Opening 250 SQLite files takes a while: done before the clock starts, which measures from the connects.
for (const agent of agents) agent.open();
process.send?.("ready");
await ask<"go">();
await Promise.all(agents.map((agent) => agent.start()));
await ask<"stop">();
const counters = agents.map((agent) => {
  const stats = agent.stats();
  return {
    ledgerSucceeded: stats.commands.succeeded,
    ledgerFailed: stats.commands.failed,
    outboxUnreported: stats.unreportedResults,
  };
});
await Promise.all(agents.map((agent) => agent.stop()));
process.send?.({ counters }, () => process.exit(0));
