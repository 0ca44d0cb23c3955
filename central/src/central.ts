import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { Server } from "socket.io";
import { resolveAdminToken } from "./admin-token.js";
import { createBatchedStore } from "./agents/batched-store.js";
import { createDispatcher } from "./agents/dispatcher.js";
import { createAgentGateway } from "./agents/namespace.js";
import { createAgentRegistry } from "./agents/registry.js";
import { createResultWaiters } from "./agents/result-waiters.js";
import type { CentralConfig } from "./config.js";
import type { Database } from "./db/database.js";
import { openDatabase } from "./db/index.js";
import { type ExpiryTimer, startExpiryTimer } from "./expiry.js";
import { buildHttpApp } from "./http/app.js";
import { createOperatorFeed, observeDeliveryStore } from "./operators/index.js";
import { markAllSitesOffline } from "./store/sites.js";
import { upsertOperator } from "./store/users.js";
import { hashToken } from "./tokens.js";

export interface Central {
  /** Opens the database (applying migrations), then serves HTTP and agents. */
  start(): Promise<{ port: number; url: string }>;
  /** Graceful: stops accepting, lets acknowledgements in flight land (≤ SHUTDOWN_GRACE_MS), closes all. */
  stop(): Promise<void>;
  /** The open database (after `start`). */
  readonly db: Database;
}

/** The operator created from ADMIN_TOKEN (or the generated token). */
export const ADMIN_OPERATOR_NAME = "admin";

/**
 * Socket.IO's 1 MB default would refuse a results batch carrying logs
 * (get_logs returns up to 10,000 lines); 16 MiB leaves room for that.
 */
const MAX_SOCKET_MESSAGE_BYTES = 16 * 1024 * 1024;

export function createCentral(config: CentralConfig, options: { logger: Logger }): Central {
  const { logger } = options;
  let running: { stop(): Promise<void>; db: Database } | undefined;
  let stopping: Promise<void> | undefined;

  return {
    get db() {
      if (!running) throw new Error("Central is not started; call start() first");
      return running.db;
    },
    async start() {
      if (running) throw new Error("Central is already started");
      const db = await openDatabase({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        logger,
        poolSize: config.dbPoolSize,
      });
      try {
        const started = await serve(db, config, logger);
        running = started;
        return started.address;
      } catch (error) {
        await db.close().catch(() => {});
        throw error;
      }
    },
    stop() {
      stopping ??= running ? running.stop() : Promise.resolve();
      return stopping;
    },
  };
}

async function serve(db: Database, config: CentralConfig, logger: Logger) {
  const sitesReset = await markAllSitesOffline(db);
  if (sitesReset > 0) logger.info({ sites: sitesReset }, "Marked sites offline until their agents reconnect");
  const adminToken = await resolveAdminToken(config, logger);
  await upsertOperator(db, { name: ADMIN_OPERATOR_NAME, tokenHash: hashToken(adminToken) });

  const stopping = new AbortController();
  const registry = createAgentRegistry();
  const waiters = createResultWaiters();
  const io = new Server({ serveClient: false, maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES });
  const operators = createOperatorFeed({ io, db, logger, isOnline: registry.isOnline });
  const store = observeDeliveryStore(createBatchedStore(db), operators);
  const dispatcher = createDispatcher({ db, store, registry, logger, settings: config });
  const app = buildHttpApp({
    db,
    dispatcher,
    registry,
    waiters,
    operators,
    logger,
    config,
    stopping: stopping.signal,
  });
  io.attach(app.server);
  const gateway = createAgentGateway({
    io,
    db,
    store,
    registry,
    dispatcher,
    waiters,
    operators,
    logger,
    isStopping: () => stopping.signal.aborted,
  });
  let expiry: ExpiryTimer | undefined;
  try {
    await dispatcher.start();
    expiry = startExpiryTimer({
      db,
      logger,
      intervalMs: config.expiryIntervalMs,
      onExpired: (commands) => {
        for (const siteId of new Set(commands.map((command) => command.site_id)))
          operators.siteChanged(siteId);
      },
    });
    await app.listen({ port: config.port, host: config.host }).catch((error: unknown) => {
      throw new Error(`Could not listen on ${config.host}:${config.port}; is the port free? (set PORT)`, {
        cause: error,
      });
    });
  } catch (error) {
    stopping.abort();
    await Promise.allSettled([expiry?.stop(), dispatcher.stop(0), io.close(), operators.stop()]);
    throw error;
  }
  const { port } = app.server.address() as AddressInfo;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;

  async function stop() {
    logger.info("Central stopping");
    stopping.abort();
    // Stop accepting now; fastify finishes requests under way (waits answer at once).
    const httpClosed = app.close();
    await expiry?.stop();
    await dispatcher.stop(config.shutdownGraceMs);
    await io.close();
    await httpClosed;
    await Promise.all([dispatcher.settle(), gateway.settle()]);
    await operators.stop();
    await db.close();
    logger.info("Central stopped");
  }

  return { db, stop, address: { port, url: `http://${host}:${port}` } };
}
