import type { CommandHandlers } from "../../src/handlers/types.js";
import { createNoopHandlers } from "../../src/handlers-noop.js";

export interface HandlerCall {
  type: string;
  params: unknown;
}

/** No-op handlers that remember every call, in order, and can be held until released. */
export function createRecordingHandlers(overrides: Partial<CommandHandlers> = {}) {
  const calls: HandlerCall[] = [];
  const base = { ...createNoopHandlers(), ...overrides };
  const handlers = Object.fromEntries(
    Object.entries(base).map(([type, handler]) => [
      type,
      (params: unknown, context: unknown) => {
        calls.push({ type, params });
        return (handler as (p: unknown, c: unknown) => Promise<unknown>)(params, context);
      },
    ]),
  ) as unknown as CommandHandlers;
  return { handlers, calls };
}

/** A promise a test resolves by hand (a handler that blocks until released). */
export function createGate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}
