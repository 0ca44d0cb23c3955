/**
 * Lets an HTTP request (`?wait=`) sleep until an agent's result for a command
 * is recorded. One instance per central; nothing is shared between centrals.
 */
export interface ResultWaiters {
  /**
   * Resolves "reported" when `notify` names the command, "timeout" after
   * `timeoutMs`, "aborted" when `signal` aborts. Register before sending the
   * command so a fast result cannot slip by.
   */
  wait(commandId: string, timeoutMs: number, signal?: AbortSignal): Promise<WaitOutcome>;
  notify(commandIds: Iterable<string>): void;
  /** Number of requests waiting (for tests and shutdown logs). */
  readonly size: number;
}

export type WaitOutcome = "reported" | "timeout" | "aborted";

export function createResultWaiters(): ResultWaiters {
  const waiting = new Map<string, Set<(outcome: WaitOutcome) => void>>();

  function remove(commandId: string, resolver: (outcome: WaitOutcome) => void) {
    const resolvers = waiting.get(commandId);
    resolvers?.delete(resolver);
    if (resolvers?.size === 0) waiting.delete(commandId);
  }

  return {
    wait(commandId, timeoutMs, signal) {
      return new Promise<WaitOutcome>((resolve) => {
        if (signal?.aborted) {
          resolve("aborted");
          return;
        }
        const finish = (outcome: WaitOutcome) => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          remove(commandId, finish);
          resolve(outcome);
        };
        const onAbort = () => finish("aborted");
        const timer = setTimeout(() => finish("timeout"), timeoutMs);
        signal?.addEventListener("abort", onAbort, { once: true });
        const resolvers = waiting.get(commandId) ?? new Set();
        resolvers.add(finish);
        waiting.set(commandId, resolvers);
      });
    },
    notify(commandIds) {
      for (const commandId of commandIds) {
        const resolvers = waiting.get(commandId);
        if (!resolvers) continue;
        for (const finish of [...resolvers]) finish("reported");
      }
    },
    get size() {
      let count = 0;
      for (const resolvers of waiting.values()) count += resolvers.size;
      return count;
    },
  };
}
