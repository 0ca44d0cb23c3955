import type { DeliveredCommand } from "@neopro/protocol";
import type { ClaimedCommand } from "../store/queue.js";
import type { AgentConnection } from "./types.js";

/** The wire shape of a command claimed from the queue. */
export function toDeliveredCommand(command: ClaimedCommand): DeliveredCommand {
  return {
    id: command.id,
    type: command.command_type,
    params: command.command_data,
    priority: command.priority,
    createdAt: command.created_at.toISOString(),
    expiresAt: command.expires_at ? command.expires_at.toISOString() : null,
  };
}

/**
 * Emits `commands:deliver` and resolves with the agent's raw answer. Rejects
 * after `timeoutMs` without an answer, or as soon as the socket closes
 * (Socket.IO itself would only give up at the timeout).
 */
export function deliverAndAwaitAck(
  connection: AgentConnection,
  batch: DeliveredCommand[],
  timeoutMs: number,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (connection.closed.aborted) {
      reject(new Error("the socket had already closed"));
      return;
    }
    const onClose = () => reject(new Error("the socket closed before acknowledging"));
    connection.closed.addEventListener("abort", onClose, { once: true });
    connection.socket.timeout(timeoutMs).emit("commands:deliver", batch, (error, answer) => {
      connection.closed.removeEventListener("abort", onClose);
      if (error) reject(new Error(`no acknowledgement within ${timeoutMs} ms`));
      else resolve(answer);
    });
  });
}
