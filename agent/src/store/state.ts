import type { StoreDb } from "./connection.js";

/** Keys of the small `agent_state` table, read by status tooling. */
export type AgentStateKey =
  | "last_connected_at"
  | "last_disconnected_at"
  | "last_delivery_at"
  | "agent_started_at"
  | "agent_stopped_at"
  | "agent_pid"
  | "agent_version";

export function writeState(db: StoreDb, key: AgentStateKey, value: string, updatedAt: string): void {
  db.statement(
    `INSERT INTO agent_state (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ).run(key, value, updatedAt);
}

export function readState(db: StoreDb, key: AgentStateKey): string | null {
  const row = db.statement("SELECT value FROM agent_state WHERE key = ?").get(key) as
    | { value: string }
    | undefined;
  return row?.value ?? null;
}
