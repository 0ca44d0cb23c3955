import { join } from "node:path";
import { readAgentVersion } from "../agent.js";
import { dataDirOf } from "../config.js";
import { type AgentStatusRecord, openStoreReader } from "../store/index.js";
import { formatDuration, formatTimestamp } from "../systemd/index.js";
import { actAsDatabaseOwner } from "./database-owner.js";
import type { ToolOutput } from "./output.js";

/** "Recently" in `status`: commands received in the last 24 hours. */
const RECENT_MS = 24 * 3_600_000;

export interface StatusReport {
  toolVersion: string;
  daemon: {
    running: boolean;
    pid: number | null;
    version: string | null;
    startedAt: string | null;
    stoppedAt: string | null;
  };
  central: { connected: boolean; since: string | null; lastContactAt: string | null };
  commands: { total: AgentStatusRecord["commands"]; last24h: AgentStatusRecord["receivedRecently"] };
  outbox: { waiting: number; oldestWaitingAt: string | null };
  lastCommand: AgentStatusRecord["lastCommand"];
  database: { path: string; bytes: number; schemaVersion: number };
}

/** True when a process with this pid exists (EPERM: it exists but belongs to another user, like the daemon). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function latest(...times: (string | null | undefined)[]): string | null {
  const present = times.filter((time): time is string => typeof time === "string");
  return present.length === 0 ? null : present.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
}

/** Builds the report from what the daemon wrote in its database (it keeps running meanwhile). */
export function buildStatusReport(record: AgentStatusRecord): StatusReport {
  const { state } = record;
  const startedAt = state.agent_started_at ?? null;
  const stoppedAt = state.agent_stopped_at ?? null;
  const pid = state.agent_pid === undefined ? null : Number(state.agent_pid);
  const stoppedAfterStart = stoppedAt !== null && (startedAt === null || stoppedAt >= startedAt);
  const running = pid !== null && !stoppedAfterStart && processExists(pid);
  const connectedAt = state.last_connected_at ?? null;
  const disconnectedAt = state.last_disconnected_at ?? null;
  // Connected in this run of the daemon and not disconnected since.
  const connected =
    running &&
    connectedAt !== null &&
    (startedAt === null || connectedAt >= startedAt) &&
    (disconnectedAt === null || connectedAt > disconnectedAt);
  return {
    toolVersion: readAgentVersion(),
    daemon: { running, pid, version: state.agent_version ?? null, startedAt, stoppedAt },
    central: {
      connected,
      since: connected ? connectedAt : latest(disconnectedAt, running ? startedAt : stoppedAt),
      lastContactAt: latest(connectedAt, state.last_delivery_at, record.lastAcknowledgedAt),
    },
    commands: { total: record.commands, last24h: record.receivedRecently },
    outbox: { waiting: record.outboxWaiting, oldestWaitingAt: record.oldestWaitingAt },
    lastCommand: record.lastCommand,
    database: { path: record.databasePath, bytes: record.databaseBytes, schemaVersion: record.schemaVersion },
  };
}

function when(time: string | null, now: Date): string {
  if (time === null) return "never";
  return `${formatTimestamp(new Date(time))} (${formatDuration(now.getTime() - Date.parse(time))} ago)`;
}

function counts(values: Record<string, number>): string {
  return Object.entries(values)
    .map(([status, n]) => `${status} ${n}`)
    .join(", ");
}

export function formatStatusReport(report: StatusReport, now: Date): string {
  const { daemon, central, outbox, lastCommand } = report;
  const daemonLine = daemon.running
    ? `running (pid ${daemon.pid}, version ${daemon.version ?? "?"}, started ${when(daemon.startedAt, now)})`
    : `not running (last stopped ${when(daemon.stoppedAt, now)}; see systemctl status neopro-sync-agent)`;
  const centralLine = central.connected
    ? `connected since ${when(central.since, now)}`
    : `not connected since ${when(central.since, now)}`;
  const lastLine =
    lastCommand === null
      ? "none received yet"
      : `${lastCommand.type} ${lastCommand.status} ${lastCommand.id} (received ${when(lastCommand.receivedAt, now)})`;
  return [
    `neopro-sync-agent ${report.toolVersion}`,
    `agent:         ${daemonLine}`,
    `central:       ${centralLine}; last contact ${when(central.lastContactAt, now)}`,
    `last 24 h:     ${counts(report.commands.last24h)}`,
    `all commands:  ${counts(report.commands.total)}`,
    `outbox:        ${outbox.waiting} result(s) waiting${outbox.oldestWaitingAt === null ? "" : `, oldest from ${when(outbox.oldestWaitingAt, now)}`}`,
    `last command:  ${lastLine}`,
    `database:      ${report.database.path} (${(report.database.bytes / 1024).toFixed(0)} KiB, schema ${report.database.schemaVersion})`,
  ].join("\n");
}

/** `neopro-sync-agent status [--json]`. */
export function runStatus(env: NodeJS.ProcessEnv, output: ToolOutput, json: boolean): number {
  const databasePath = join(dataDirOf(env), "agent.db");
  actAsDatabaseOwner(databasePath);
  const reader = openStoreReader(databasePath);
  try {
    const now = new Date();
    const report = buildStatusReport(reader.status(new Date(now.getTime() - RECENT_MS)));
    output.write(json ? JSON.stringify(report, null, 2) : formatStatusReport(report, now));
    return 0;
  } finally {
    reader.close();
  }
}
