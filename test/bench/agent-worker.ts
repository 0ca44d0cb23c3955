import { createAgent, createNoopHandlers, loadConfig } from "@neopro/sync-agent";
import { pino } from "pino";

/**
 * One benchmark worker process: many agents built from the agent's own
 * connection, ledger and outbox code, each with its own SQLite database, and
 * no-op handlers so the figures measure the queue, not the commands.
 * Protocol with the parent (IPC): receives { sites, centralUrl, dataRoot },
 * answers "ready"; receives "go", starts every agent; receives "stop",
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
process.send?.("ready");
await ask<"go">();
await Promise.all(agents.map((agent) => agent.start()));
await ask<"stop">();
const counters = agents.map((agent) => agent.stats());
await Promise.all(agents.map((agent) => agent.stop()));
process.send?.({ counters }, () => process.exit(0));
