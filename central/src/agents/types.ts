import type { AgentToCentralEvents, CentralToAgentEvents } from "@neopro/protocol";
import type { Namespace, Socket } from "socket.io";

/** What the handshake middleware establishes about an agent's socket. */
export interface AgentSocketData {
  siteId: string;
  agentVersion: string;
  protocolVersion: number;
}

// biome-ignore lint/complexity/noBannedTypes: Socket.IO's slot for server-to-server events, unused here.
type NoServerEvents = {};

export type AgentNamespace = Namespace<
  AgentToCentralEvents,
  CentralToAgentEvents,
  NoServerEvents,
  AgentSocketData
>;
export type AgentSocket = Socket<AgentToCentralEvents, CentralToAgentEvents, NoServerEvents, AgentSocketData>;

/** One authenticated agent socket and the site it speaks for. */
export interface AgentConnection {
  readonly siteId: string;
  /** The socket id, stored in `sites.connection_id` while this socket owns the site. */
  readonly connectionId: string;
  readonly socket: AgentSocket;
  readonly agentVersion: string;
  /** Aborted when the socket disconnects (or is replaced by a newer one). */
  readonly closed: AbortSignal;
}
