import {
  AGENT_NAMESPACE,
  agentHandshake,
  type ConnectRefusal,
  describeIssues,
  MIN_SUPPORTED_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
} from "@neopro/protocol";
import type { Logger } from "pino";
import type { Server } from "socket.io";
import type { Database } from "../db/database.js";
import type { OperatorFeed } from "../operators/index.js";
import { markSiteOffline } from "../store/sites.js";
import { hashesMatch, hashToken } from "../tokens.js";
import type { BatchedStore } from "./batched-store.js";
import type { Dispatcher } from "./dispatcher.js";
import type { AgentRegistry } from "./registry.js";
import type { ResultWaiters } from "./result-waiters.js";
import { registerReportHandlers } from "./results.js";
import type { AgentConnection, AgentNamespace, AgentSocketData } from "./types.js";

export interface AgentNamespaceOptions {
  io: Server;
  db: Database;
  store: BatchedStore;
  registry: AgentRegistry;
  dispatcher: Dispatcher;
  waiters: ResultWaiters;
  /** Told when a site goes offline and when its commands start. */
  operators: OperatorFeed;
  logger: Logger;
  /** True while central shuts down: new agents are told to come back later. */
  isStopping(): boolean;
}

export interface AgentGateway {
  readonly namespace: AgentNamespace;
  /** Waits for connection bookkeeping and reports being recorded (before the database closes). */
  settle(): Promise<void>;
}

type Refusal = ConnectRefusal & { siteId?: string };

/** The `/agent` Socket.IO namespace: authenticates agents and wires their sockets to the dispatcher. */
export function createAgentGateway(options: AgentNamespaceOptions): AgentGateway {
  const { db, store, registry, dispatcher } = options;
  const logger = options.logger.child({ component: "agents" });
  const namespace: AgentNamespace = options.io.of(AGENT_NAMESPACE);
  const inProgress = new Set<Promise<unknown>>();

  function track(work: Promise<unknown>) {
    const settled = work.catch(() => {}).finally(() => inProgress.delete(settled));
    inProgress.add(settled);
  }

  namespace.use((socket, next) => {
    authenticate(socket.handshake.auth).then(
      (outcome) => {
        if ("code" in outcome) {
          logger.warn(
            { siteId: outcome.siteId, code: outcome.code, address: socket.handshake.address },
            `Agent refused: ${outcome.message}`,
          );
          next(
            Object.assign(new Error(outcome.message), {
              data: { code: outcome.code, message: outcome.message },
            }),
          );
          return;
        }
        socket.data = outcome;
        next();
      },
      (error: unknown) => {
        logger.error({ err: error }, "Agent handshake failed on a server error");
        const message = "Central could not check the agent's credentials; it retries automatically";
        next(Object.assign(new Error(message), { data: { code: "SERVER_UNAVAILABLE", message } }));
      },
    );
  });

  async function authenticate(auth: unknown): Promise<AgentSocketData | Refusal> {
    if (options.isStopping()) {
      return { code: "SERVER_UNAVAILABLE", message: "Central is shutting down; reconnect in a moment" };
    }
    const parsed = agentHandshake.safeParse(auth);
    if (!parsed.success) {
      const problems = describeIssues(parsed.error).map(
        (issue) => `${issue.path || "auth"}: ${issue.message}`,
      );
      return { code: "INVALID_HANDSHAKE", message: `Invalid handshake (${problems.join("; ")})` };
    }
    const { siteId, token, protocolVersion, agentVersion } = parsed.data;
    if (protocolVersion < MIN_SUPPORTED_PROTOCOL_VERSION || protocolVersion > PROTOCOL_VERSION) {
      return {
        siteId,
        code: "PROTOCOL_INCOMPATIBLE",
        message:
          `Agent speaks protocol version ${protocolVersion}; central accepts versions ` +
          `${MIN_SUPPORTED_PROTOCOL_VERSION} to ${PROTOCOL_VERSION}. Upgrade ` +
          `${protocolVersion < MIN_SUPPORTED_PROTOCOL_VERSION ? "the agent" : "central"}.`,
      };
    }
    const credentials = await store.siteCredentials(siteId);
    if (!credentials) {
      return { siteId, code: "UNKNOWN_SITE", message: `No site has id ${siteId}; check SITE_ID` };
    }
    if (!hashesMatch(credentials.token_hash, hashToken(token))) {
      return { siteId, code: "INVALID_SITE_TOKEN", message: "The site token is wrong; check SITE_TOKEN" };
    }
    return { siteId, agentVersion, protocolVersion };
  }

  namespace.on("connection", (socket) => {
    const { connection, replaced } = registry.add(socket);
    const { siteId, connectionId } = connection;
    logger.info(
      { siteId, connectionId, agentVersion: connection.agentVersion, address: socket.handshake.address },
      "Agent connected",
    );
    registerReportHandlers(connection, {
      db,
      store,
      logger,
      waiters: options.waiters,
      operators: options.operators,
      track,
    });
    if (replaced) {
      logger.warn(
        { siteId, connectionId, replacedConnectionId: replaced.connectionId },
        "A newer connection took over the site; closing the previous socket",
      );
      replaced.socket.disconnect(true);
    }
    const markedOnline = store
      .markOnline({ siteId, connectionId, agentVersion: connection.agentVersion })
      .then(
        () => {
          if (registry.isCurrent(connection)) dispatcher.attach(connection);
        },
        (error: unknown) => {
          logger.error({ err: error, siteId }, "Could not record the agent as online; closing its socket");
          socket.disconnect(true);
        },
      );
    track(markedOnline);
    socket.on("disconnect", (reason) => track(onDisconnect(connection, reason, markedOnline)));
  });

  async function onDisconnect(connection: AgentConnection, reason: string, markedOnline: Promise<void>) {
    const { siteId, connectionId } = connection;
    dispatcher.detach(connection);
    const wasCurrent = registry.remove(connection);
    // Let "online" land first, so this "offline" cannot be overtaken by it.
    await markedOnline;
    try {
      // Guarded by connection_id: a replaced socket's late disconnect leaves the site online.
      await markSiteOffline(db, siteId, connectionId);
      options.operators.siteChanged(siteId);
    } catch (error) {
      logger.error({ err: error, siteId }, "Could not record the agent as offline");
    }
    logger.info({ siteId, connectionId, reason, replaced: !wasCurrent }, "Agent disconnected");
  }

  return {
    namespace,
    async settle() {
      while (inProgress.size > 0) await Promise.allSettled([...inProgress]);
    },
  };
}
