import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  AGENT_NAMESPACE,
  type AgentToCentralEvents,
  type CentralToAgentEvents,
  type ConnectRefusal,
  type DeliveredCommand,
  type DeliveryAck,
  type ResultReport,
  type StartedNotice,
} from "@neopro/protocol";
import { Server, type Socket } from "socket.io";

type AgentSocket = Socket<AgentToCentralEvents, CentralToAgentEvents>;

/**
 * A real Socket.IO server on port 0 speaking central's side of the protocol,
 * with knobs for what a test needs (refuse the handshake, withhold acks).
 */
export async function startFakeCentral(port = 0) {
  const http = createServer();
  const io = new Server<AgentToCentralEvents, CentralToAgentEvents>(http, { transports: ["websocket"] });
  const namespace = io.of(AGENT_NAMESPACE);
  const handshakes: unknown[] = [];
  const reports: ResultReport[] = [];
  const started: StartedNotice[] = [];
  let refusal: ConnectRefusal | null = null;
  let refusals = 0;
  let acknowledgeResults = true;
  let current: AgentSocket | null = null;

  namespace.use((socket, next) => {
    handshakes.push(socket.handshake.auth);
    if (refusal === null) return next();
    refusals += 1;
    next(Object.assign(new Error(refusal.message), { data: refusal }));
  });

  namespace.on("connection", (socket) => {
    current = socket;
    socket.on("results:report", (batch, ack) => {
      reports.push(...batch);
      if (acknowledgeResults) ack({ accepted: batch.map((report) => report.commandId) });
    });
    socket.on("commands:started", (batch) => started.push(...batch));
    socket.on("disconnect", () => {
      if (current === socket) current = null;
    });
  });

  await new Promise<void>((resolve) => http.listen(port, "127.0.0.1", resolve));
  const address = http.address() as AddressInfo;

  function connectedSocket(): AgentSocket {
    if (current === null) throw new Error("no agent connected");
    return current;
  }

  return {
    url: `http://127.0.0.1:${address.port}`,
    handshakes,
    reports,
    started,
    get refusals() {
      return refusals;
    },
    get connected() {
      return current !== null;
    },
    refuseWith(next: ConnectRefusal | null) {
      refusal = next;
    },
    acknowledgeResults(next: boolean) {
      acknowledgeResults = next;
    },
    /** Delivers a batch; `onAck` runs the moment the agent's acknowledgement arrives. */
    deliver(batch: unknown, onAck?: (answer: DeliveryAck) => void, timeoutMs = 2000): Promise<DeliveryAck> {
      return connectedSocket()
        .timeout(timeoutMs)
        .emitWithAck("commands:deliver", batch as DeliveredCommand[])
        .then((answer) => {
          onAck?.(answer);
          return answer;
        });
    },
    /** Closes the agent's connection on purpose, as central does when a newer connection replaces it. */
    disconnectAgent() {
      connectedSocket().disconnect(true);
    },
    /** Cuts the transport as a network failure would. */
    dropConnection() {
      connectedSocket().conn.close();
    },
    async close() {
      await io.close();
    },
  };
}

export type FakeCentral = Awaited<ReturnType<typeof startFakeCentral>>;
