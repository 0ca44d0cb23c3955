import type { AgentStatus } from "../agent.js";

/** "2026-12-03 14:05:09 UTC": journalctl and systemctl show local time, but a box's zone is often unset. */
export function formatTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** "3 min", "2 h 5 min", "4 d 3 h": how long ago, for a person. */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return `${Math.floor(Math.max(0, ms) / 1000)} s`;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/**
 * The one line `systemctl status neopro-sync-agent` shows after "Status:", e.g.
 * `connected since 2026-12-03 14:03:12 UTC (5 min); outbox: 0 waiting; last command: deploy_video succeeded`.
 */
export function formatStatusLine(status: AgentStatus, now: Date): string {
  const since = `since ${formatTimestamp(status.connectionChangedAt)} (${formatDuration(now.getTime() - status.connectionChangedAt.getTime())})`;
  const connection = status.connected ? `connected ${since}` : `not connected to central ${since}`;
  const outbox = `outbox: ${status.outboxWaiting} result(s) waiting`;
  const last = status.lastCommand;
  const lastCommand =
    last === null
      ? "no command received yet"
      : `last command: ${last.type} ${last.status} (${last.id.slice(0, 8)}, ${formatTimestamp(new Date(last.finishedAt ?? last.startedAt ?? last.receivedAt))})`;
  return `${connection}; ${outbox}; ${lastCommand}`;
}
