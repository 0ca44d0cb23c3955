import {
  type CentralToOperatorEvents,
  OPERATOR_NAMESPACE,
  type OperatorRefusalCode,
  type OperatorToCentralEvents,
  uuid,
} from "@neopro/protocol";
import type { Logger } from "pino";
import type { Namespace, Server } from "socket.io";
import type { Queryable } from "../db/database.js";
import { findOperatorByTokenHash } from "../store/users.js";
import { hashToken } from "../tokens.js";
import type { OperatorAudience } from "./feed.js";

interface OperatorSocketData {
  operatorId: string;
  operatorName: string;
  /** The site whose commands this socket follows (its site page), if any. */
  watchedSiteId: string | null;
}

// biome-ignore lint/complexity/noBannedTypes: Socket.IO's slot for server-to-server events, unused here.
type NoServerEvents = {};

type OperatorNamespace = Namespace<
  OperatorToCentralEvents,
  CentralToOperatorEvents,
  NoServerEvents,
  OperatorSocketData
>;

const siteRoom = (siteId: string) => `site:${siteId}`;

/**
 * The `/operator` namespace: the dashboard's live view. Authenticated with an
 * operator token, like the REST API; a socket receives every site change and
 * the command changes of the one site it watches.
 */
export function createOperatorNamespace(options: {
  io: Server;
  db: Queryable;
  logger: Logger;
  isOnline(siteId: string): boolean;
}): OperatorAudience {
  const { db, logger } = options;
  const namespace: OperatorNamespace = options.io.of(OPERATOR_NAMESPACE);

  namespace.use((socket, next) => {
    const refuse = (code: OperatorRefusalCode, message: string) =>
      next(Object.assign(new Error(message), { data: { code, message } }));
    const token: unknown = socket.handshake.auth?.token;
    if (typeof token !== "string" || token.length === 0 || token.length > 512) {
      refuse("UNAUTHORIZED", "Send the operator token as auth.token");
      return;
    }
    findOperatorByTokenHash(db, hashToken(token)).then(
      (operator) => {
        if (!operator) {
          refuse("UNAUTHORIZED", "The token does not belong to any operator");
          return;
        }
        socket.data = { operatorId: operator.id, operatorName: operator.name, watchedSiteId: null };
        next();
      },
      (error: unknown) => {
        logger.error({ err: error }, "Operator socket refused: the token could not be checked");
        refuse("SERVER_UNAVAILABLE", "Central could not check the token; the dashboard retries by itself");
      },
    );
  });

  namespace.on("connection", (socket) => {
    logger.debug({ operator: socket.data.operatorName }, "Operator connected to the live feed");
    socket.on("site:watch", (siteId, ack) => {
      const next = siteId === null ? null : uuid.safeParse(siteId).data;
      if (next === undefined) return;
      if (socket.data.watchedSiteId) socket.leave(siteRoom(socket.data.watchedSiteId));
      socket.data.watchedSiteId = next;
      if (next) socket.join(siteRoom(next));
      if (typeof ack === "function") ack();
    });
  });

  return {
    hasListeners: () => namespace.sockets.size > 0,
    isOnline: options.isOnline,
    sendSites(sites) {
      if (sites.length > 0) namespace.emit("sites:changed", sites);
    },
    sendCommandChanges(siteId, changes) {
      const room = siteRoom(siteId);
      if (namespace.adapter.rooms.has(room)) namespace.to(room).emit("commands:changed", changes);
    },
  };
}
