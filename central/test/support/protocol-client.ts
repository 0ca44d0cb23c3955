import {
  AGENT_NAMESPACE,
  type AgentToCentralEvents,
  type CentralToAgentEvents,
  type DeliveredCommand,
  type DeliveryAck,
  PROTOCOL_VERSION,
  type ResultReport,
  type ResultsAck,
  type StartedNotice,
} from "@neopro/protocol";
import { io, type Socket } from "socket.io-client";

/**
 * A real Socket.IO agent speaking the protocol, for central's tests: it
 * records every delivery and answers it the way `onDeliver` says (by default
 * "recorded everything", like a healthy agent).
 */
export type ClientSocket = Socket<CentralToAgentEvents, AgentToCentralEvents>;

export type DeliveryAnswer = (
  batch: DeliveredCommand[],
) => DeliveryAck | "no-ack" | Promise<DeliveryAck | "no-ack">;

export interface ProtocolClientOptions {
  siteId: string;
  token: string;
  protocolVersion?: number;
  agentVersion?: string;
  onDeliver?: DeliveryAnswer;
}

export interface ProtocolClient {
  readonly socket: ClientSocket;
  /** Every batch received, in arrival order. */
  readonly batches: DeliveredCommand[][];
  /** Every command received, flattened, in arrival order. */
  commands(): DeliveredCommand[];
  /** Resolves once at least `count` commands have arrived. */
  waitForCommands(count: number, timeoutMs?: number): Promise<DeliveredCommand[]>;
  report(results: ResultReport[], timeoutMs?: number): Promise<ResultsAck>;
  started(notices: StartedNotice[]): void;
  /** Resolves when central disconnects this socket. */
  disconnected(): Promise<string>;
  close(): void;
}

export const acknowledgeAll: DeliveryAnswer = (batch) => ({ recorded: batch.map((command) => command.id) });

function openSocket(url: string, options: ProtocolClientOptions): ClientSocket {
  return io(`${url}${AGENT_NAMESPACE}`, {
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    auth: {
      siteId: options.siteId,
      token: options.token,
      protocolVersion: options.protocolVersion ?? PROTOCOL_VERSION,
      agentVersion: options.agentVersion ?? "test-agent",
    },
  });
}

/** Connects and resolves once central has accepted the handshake. */
export async function connectAgent(url: string, options: ProtocolClientOptions): Promise<ProtocolClient> {
  const socket = openSocket(url, options);
  const batches: DeliveredCommand[][] = [];
  const listeners = new Set<() => void>();
  const answer = options.onDeliver ?? acknowledgeAll;
  socket.on("commands:deliver", (batch, ack) => {
    batches.push(batch);
    for (const listener of listeners) listener();
    void Promise.resolve(answer(batch)).then((reply) => {
      if (reply !== "no-ack") ack(reply);
    });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
  const commands = () => batches.flat();
  return {
    socket,
    batches,
    commands,
    waitForCommands(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (commands().length < count) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(commands());
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`expected ${count} commands, got ${commands().length} after ${timeoutMs} ms`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    report(results, timeoutMs = 5000) {
      return socket.timeout(timeoutMs).emitWithAck("results:report", results);
    },
    started(notices) {
      socket.emit("commands:started", notices);
    },
    disconnected() {
      return new Promise((resolve) => {
        if (socket.disconnected) resolve("already disconnected");
        else socket.once("disconnect", (reason) => resolve(reason));
      });
    },
    close() {
      socket.close();
    },
  };
}

/** Tries to connect and returns central's refusal (`connect_error.data`), or fails if accepted. */
export async function connectionRefusal(
  url: string,
  options: ProtocolClientOptions,
): Promise<{ code: string; message: string }> {
  const socket = openSocket(url, options);
  try {
    return await new Promise((resolve, reject) => {
      socket.once("connect", () => reject(new Error("central accepted a connection it should have refused")));
      socket.once("connect_error", (error) =>
        resolve((error as Error & { data: { code: string; message: string } }).data),
      );
    });
  } finally {
    socket.close();
  }
}
