import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import type { AgentConfig } from "./config.js";
import { createExecutor } from "./executor/index.js";
import type { AgentFaults } from "./faults.js";
import type { CommandHandlers } from "./handlers/types.js";
import { createLink, type Link } from "./link/index.js";
import {
  type AgentStateKey,
  type AgentStore,
  type CommandSummary,
  type LedgerStatus,
  openStore,
} from "./store/index.js";

export interface AgentDependencies {
  logger: Logger;
  /** The nine command handlers: `createHandlers()` on a box, `createNoopHandlers()` in the benchmark. */
  handlers: CommandHandlers;
  /** End-to-end fault tests only (see faults.ts). */
  faults?: AgentFaults;
}

export interface AgentStats {
  connected: boolean;
  commands: Record<LedgerStatus, number>;
  unreportedResults: number;
}

/** What `systemctl status` shows (see systemd/status-line.ts); cheap enough to read every few seconds. */
export interface AgentStatus {
  connected: boolean;
  /** When the connection last came up or went down (or when the agent started). */
  connectionChangedAt: Date;
  outboxWaiting: number;
  lastCommand: CommandSummary | null;
}

export interface Agent {
  /** Opens the ledger, applies the restart rule and starts running what it holds; no network. */
  open(): void;
  /** open() if not done yet, then connects to central (and keeps reconnecting); works offline. */
  start(): Promise<void>;
  /** Stops accepting, lets the running command finish (up to SHUTDOWN_GRACE_MS), commits results, closes. */
  stop(): Promise<void>;
  stats(): AgentStats;
  status(): AgentStatus;
}

/** The agent's version as package.json gives it, sent to central in the handshake. */
export function readAgentVersion(): string {
  const packageJson = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return packageJson.version;
}

/** Builds one agent; nothing is shared between agents, so a process can hold many (tests, benchmark). */
export function createAgent(config: AgentConfig, dependencies: AgentDependencies): Agent {
  const logger = dependencies.logger;
  const agentVersion = readAgentVersion();
  let running: { store: AgentStore; link: Link; stop(): Promise<void> } | null = null;
  let connecting = false;

  function open(): { store: AgentStore; link: Link } {
    if (running !== null) return running;
    const store = openStore({ path: config.databasePath });
    const link = createLink({
      config,
      agentVersion,
      store,
      logger,
      faults: dependencies.faults,
      onCommandsRecorded: () => executor.wake(),
    });
    const executor = createExecutor({
      store,
      handlers: dependencies.handlers,
      settings: config.handlers,
      logger,
      resultFlushDelayMs: config.resultFlushDelayMs,
      onStarted: (notice) => link.notifyStarted(notice),
      onResultsCommitted: () => void link.sendResults(),
    });
    running = {
      store,
      link,
      async stop() {
        link.stopAccepting();
        await executor.stop(config.shutdownGraceMs);
        await link.close(Math.min(config.ackTimeoutMs, config.shutdownGraceMs));
        recordLifecycle(store, { agent_stopped_at: new Date().toISOString() });
        store.close();
      },
    };
    recordLifecycle(store, {
      agent_started_at: new Date().toISOString(),
      agent_pid: String(process.pid),
      agent_version: agentVersion,
    });
    logger.info(
      { siteId: config.siteId, dataDir: config.dataDir, agentVersion },
      "sync-agent starting (commands already received run even while central is unreachable)",
    );
    try {
      executor.start();
    } catch (error) {
      running = null;
      store.close();
      throw new Error(`cannot resume the commands recorded in ${config.databasePath}`, { cause: error });
    }
    return running;
  }

  /** For `neopro-sync-agent status` (which reads the database while this process runs). */
  function recordLifecycle(store: AgentStore, values: Partial<Record<AgentStateKey, string>>) {
    try {
      for (const [key, value] of Object.entries(values)) store.writeState(key as AgentStateKey, value);
    } catch (error) {
      logger.warn({ err: error }, "cannot write the agent state; status tools may show stale times");
    }
  }

  return {
    open() {
      open();
    },
    async start() {
      if (connecting) throw new Error("the agent is already started");
      connecting = true;
      open().link.start();
    },
    async stop() {
      if (running === null) return;
      const stopping = running;
      running = null;
      connecting = false;
      await stopping.stop();
      logger.info("sync-agent stopped");
    },
    stats() {
      if (running === null) throw new Error("the agent is not running: call start() first");
      const counts = running.store.counts();
      return {
        connected: running.link.connected,
        commands: counts.commands,
        unreportedResults: counts.unreportedResults,
      };
    },
    status() {
      if (running === null) throw new Error("the agent is not running: call open() or start() first");
      return {
        connected: running.link.connected,
        connectionChangedAt: running.link.connectionChangedAt,
        outboxWaiting: running.store.countUnreported(),
        lastCommand: running.store.lastCommand(),
      };
    },
  };
}
