import type { PostgresBaseline } from "./baseline.js";

export interface Report {
  sites: number;
  commandsPerSite: number;
  workers: number;
  enqueue: { commands: number; ms: number; concurrency: number };
  single: DrainReport;
  many: DrainReport;
  centralPeakRssMiB: number;
  baseline: PostgresBaseline;
}

export interface DrainReport {
  totalMs: number;
  firstDeliveryMs: number;
  commits: number;
  agentCounters: Record<string, number>;
  /** CPU time used during the drain, by who used it. */
  cpuMs: { central: number; agents: number; postgres: number; benchmark: number };
}

const perSecond = (count: number, ms: number) => Math.round((count * 1000) / Math.max(ms, 1));
const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");

/** The benchmark's printed figures; each rate also reads as a ratio of the PostgreSQL baseline. */
export function formatReport(report: Report): string {
  const { baseline, many, single } = report;
  const singleRate = perSecond(baseline.singleRowPerTransaction.rows, baseline.singleRowPerTransaction.ms);
  const batchedRate = perSecond(baseline.batched.rows, baseline.batched.ms);
  const enqueueRate = perSecond(report.enqueue.commands, report.enqueue.ms);
  const manyCommands = report.sites * report.commandsPerSite;
  const manyRate = perSecond(manyCommands, many.totalMs);
  const lines = [
    "NEOPRO command queue benchmark",
    `  ${report.sites} sites × ${report.commandsPerSite} commands, ${report.workers} agent processes, no-op handlers`,
    "",
    "PostgreSQL baseline (same database)",
    `  single-row INSERT per transaction  ${singleRate} rows/s`,
    `  ${baseline.batched.batchSize}-row batched INSERT           ${batchedRate} rows/s`,
    "",
    `Enqueue through REST (${report.enqueue.concurrency} concurrent requests)`,
    `  ${report.enqueue.commands} commands in ${report.enqueue.ms} ms = ${enqueueRate} commands/s (${fixed(enqueueRate / singleRate, 2)}× single-row baseline)`,
    "",
    `Drain, one site × ${report.commandsPerSite} commands`,
    `  first delivery ${fixed(single.firstDeliveryMs, 0)} ms, all results recorded ${single.totalMs} ms (reference design: ≥ ${((report.commandsPerSite - 1) * 0.5).toFixed(1)} s of pauses alone)`,
    "",
    `Drain, ${report.sites} sites × ${report.commandsPerSite} commands, all agents connecting at once`,
    `  first delivery ${fixed(many.firstDeliveryMs, 0)} ms, all results recorded ${many.totalMs} ms = ${manyRate} commands/s (${fixed(manyRate / batchedRate, 2)}× batched baseline)`,
    `  PostgreSQL commits during the drain: ${many.commits} (${fixed(many.commits / manyCommands, 3)} per command; at the single-row baseline they alone would take ${Math.round((many.commits / singleRate) * 1000)} ms)`,
    `  CPU time used during the drain (2 cores = ${2 * many.totalMs} ms available): central ${Math.round(many.cpuMs.central)} ms, agents ${Math.round(many.cpuMs.agents)} ms, PostgreSQL ${Math.round(many.cpuMs.postgres)} ms, benchmark ${Math.round(many.cpuMs.benchmark)} ms`,
    ...formatAgentCounters(many.agentCounters, manyCommands),
    "",
    `Central peak RSS ${fixed(report.centralPeakRssMiB)} MiB`,
    "",
  ];
  return lines.join("\n");
}

function formatAgentCounters(counters: Record<string, number>, commands: number): string[] {
  const keys = Object.keys(counters).sort();
  if (keys.length === 0) return [];
  return [
    "  Agents (summed over all agents):",
    ...keys.map(
      (key) =>
        `    ${key.padEnd(28)} ${counters[key]} (${fixed((counters[key] ?? 0) / commands, 3)} per command)`,
    ),
  ];
}
