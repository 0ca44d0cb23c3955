import { ConfigError } from "./config.js";

/**
 * TEST SEAM, used only by the end-to-end fault tests: makes the agent fail at
 * an exact point of a delivery. Never set in production.
 * - when: "before-record" (a delivery arrived, nothing written yet) or
 *   "after-record" (ledger committed, acknowledgement not sent yet).
 * - action "exit": the process kills itself with SIGKILL (like a power cut);
 *   "drop-connection": the connection is cut instead of acknowledging, and the
 *   agent then reconnects normally.
 */
export type FaultAction = "exit" | "drop-connection";
export type FaultPoint = "before-record" | "after-record";

export interface DeliveryFault {
  when: FaultPoint;
  action: FaultAction;
}

export interface AgentFaults {
  delivery?: DeliveryFault;
  /** Called once, just before the fault fires (main.ts writes a marker file so a restarted agent behaves normally). */
  onFired?(): void;
}

const FAULT_ENV_VALUES: Record<string, DeliveryFault> = {
  "before-record:exit": { when: "before-record", action: "exit" },
  "after-record:exit": { when: "after-record", action: "exit" },
  "after-record:drop-connection": { when: "after-record", action: "drop-connection" },
};

/** Reads `NEOPRO_TEST_FAULT`; an unknown value is a ConfigError so a typo in a test does not go unnoticed. */
export function parseFaultEnv(value: string | undefined): DeliveryFault | undefined {
  if (value === undefined || value === "") return undefined;
  const fault = FAULT_ENV_VALUES[value];
  if (fault === undefined) {
    throw new ConfigError([
      `NEOPRO_TEST_FAULT: "${value}" is not a known fault; use one of ${Object.keys(FAULT_ENV_VALUES).join(", ")}`,
    ]);
  }
  return fault;
}
