import type { AgentConnection, AgentSocket } from "./types.js";

/**
 * Which socket currently owns which site, in this central. The newest
 * connection wins: a second socket for a connected site replaces the first.
 */
export interface AgentRegistry {
  /** Registers an authenticated socket; returns the connection it replaced, if any. */
  add(socket: AgentSocket): { connection: AgentConnection; replaced: AgentConnection | undefined };
  /** Forgets a closed connection; returns false when a newer one already owns the site. */
  remove(connection: AgentConnection): boolean;
  current(siteId: string): AgentConnection | undefined;
  isCurrent(connection: AgentConnection): boolean;
  isOnline(siteId: string): boolean;
  onlineSiteIds(): string[];
  connections(): AgentConnection[];
}

export function createAgentRegistry(): AgentRegistry {
  const bySite = new Map<string, AgentConnection>();
  const closers = new WeakMap<AgentConnection, AbortController>();

  return {
    add(socket) {
      const closed = new AbortController();
      const connection: AgentConnection = {
        siteId: socket.data.siteId,
        connectionId: socket.id,
        socket,
        agentVersion: socket.data.agentVersion,
        closed: closed.signal,
      };
      closers.set(connection, closed);
      const replaced = bySite.get(connection.siteId);
      bySite.set(connection.siteId, connection);
      if (replaced) closers.get(replaced)?.abort(new Error("replaced by a newer connection"));
      return { connection, replaced };
    },
    remove(connection) {
      closers.get(connection)?.abort(new Error("socket disconnected"));
      if (bySite.get(connection.siteId) !== connection) return false;
      bySite.delete(connection.siteId);
      return true;
    },
    current: (siteId) => bySite.get(siteId),
    isCurrent: (connection) => bySite.get(connection.siteId) === connection,
    isOnline: (siteId) => bySite.has(siteId),
    onlineSiteIds: () => [...bySite.keys()],
    connections: () => [...bySite.values()],
  };
}
