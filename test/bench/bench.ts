import { type ChildProcess, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { apiClient } from "../support/api-client.js";
import { createTestDatabase } from "../support/postgres.js";
import { type CentralProcess, startCentral } from "../support/processes.js";
import { measurePostgresBaseline } from "./baseline.js";
import { cpuSince, postgresCpuByPid, processCpuMs } from "./cpu.js";
import { type DrainReport, formatReport, type Report } from "./report.js";

/**
 * `npm run bench`: queue K commands for each of N offline sites through the
 * REST API, then connect N agents at once (spread over a few processes) and
 * time the drain until every result is recorded in PostgreSQL. Figures, not
 * assertions: see README "Benchmark".
 */
const { values: flags } = parseArgs({
  options: {
    sites: { type: "string", default: "1000" },
    commands: { type: "string", default: "20" },
    workers: { type: "string", default: "4" },
    concurrency: { type: "string", default: "64" },
    "timeout-s": { type: "string", default: "180" },
  },
});
const SITES = Number(flags.sites);
const COMMANDS_PER_SITE = Number(flags.commands);
const WORKERS = Math.max(1, Math.min(Number(flags.workers), SITES));
const CONCURRENCY = Number(flags.concurrency);
const TIMEOUT_MS = Number(flags["timeout-s"]) * 1000;
const ADMIN_TOKEN = "bench-operator-token";
const WORKER_SCRIPT = fileURLToPath(new URL("./agent-worker.js", import.meta.url));

async function inParallel<T>(
  count: number,
  limit: number,
  work: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  async function lane() {
    while (next < count) {
      const index = next++;
      results[index] = await work(index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
  return results;
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kib / 1024;
}

interface Worker {
  child: ChildProcess;
  message<T>(): Promise<T>;
}

function startWorker(): Worker {
  const child = fork(WORKER_SCRIPT, [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    // e.g. AGENT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the agents.
    execArgv: process.env.AGENT_NODE_ARGS?.split(" ").filter(Boolean) ?? [],
  });
  return {
    child,
    message: <T>() => new Promise<T>((resolve) => child.once("message", (message) => resolve(message as T))),
  };
}

/** Connects one agent per site (over `workers` processes) and waits for every result in PostgreSQL. */
async function drain(
  central: CentralProcess,
  db: pg.Client,
  databaseName: string,
  sites: { id: string; token: string }[],
  workerCount: number,
): Promise<DrainReport> {
  const dataRoot = await mkdtemp(join(tmpdir(), "cq-bench-agents-"));
  const expected = sites.length * COMMANDS_PER_SITE;
  const workers = Array.from({ length: workerCount }, startWorker);
  try {
    await Promise.all(
      workers.map((worker, index) => {
        const ready = worker.message<string>();
        worker.child.send({
          centralUrl: central.url,
          dataRoot,
          sites: sites.filter((_, siteIndex) => siteIndex % workerCount === index),
        });
        return ready;
      }),
    );
    const siteIds = sites.map((site) => site.id);
    const commitsBefore = await transactionCount(db, databaseName);
    const cpu = () => ({
      central: central.child.pid ? processCpuMs(central.child.pid) : 0,
      agents: workers.reduce(
        (sum, worker) => sum + (worker.child.pid ? processCpuMs(worker.child.pid) : 0),
        0,
      ),
      postgres: postgresCpuByPid(),
      benchmark: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
    });
    const cpuBefore = cpu();
    // Times come from PostgreSQL's clock (delivered_at, reported_at), so polling
    // slowly to see the end (every 100 ms, to leave the CPU to the system under
    // test) costs no precision.
    const { rows: clock } = await db.query<{ now: Date }>("SELECT clock_timestamp() AS now");
    const started = (clock[0] as { now: Date }).now.getTime();
    for (const worker of workers) worker.child.send("go");

    let totals: { done: number; first: Date | null; last: Date | null } | undefined;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const { rows } = await db.query<{ done: number; first: Date | null; last: Date | null }>(
        `SELECT count(reported_at)::int AS done, min(delivered_at) AS first, max(reported_at) AS last
           FROM remote_commands WHERE site_id = ANY($1::uuid[])`,
        [siteIds],
      );
      totals = rows[0];
      if (totals && totals.done >= expected) break;
      if (Date.now() - started > TIMEOUT_MS)
        throw new Error(`drain incomplete: ${totals?.done}/${expected} results`);
    }
    const totalMs = (totals.last?.getTime() ?? Number.NaN) - started;
    const firstDeliveryMs = (totals.first?.getTime() ?? Number.NaN) - started;
    const cpuAfter = cpu();
    const cpuMs = {
      central: cpuAfter.central - cpuBefore.central,
      agents: cpuAfter.agents - cpuBefore.agents,
      postgres: cpuSince(cpuBefore.postgres, cpuAfter.postgres),
      benchmark: cpuAfter.benchmark - cpuBefore.benchmark,
    };
    const commits = (await transactionCount(db, databaseName)) - commitsBefore;

    const agentCounters: Record<string, number> = {};
    await Promise.all(
      workers.map(async (worker) => {
        const answer = worker.message<{ counters: Record<string, unknown>[] }>();
        worker.child.send("stop");
        for (const counters of (await answer).counters) {
          for (const [key, value] of Object.entries(counters)) {
            if (typeof value === "number") agentCounters[key] = (agentCounters[key] ?? 0) + value;
          }
        }
      }),
    );
    return { totalMs, firstDeliveryMs, commits, agentCounters, cpuMs };
  } finally {
    for (const worker of workers) worker.child.kill();
    await rm(dataRoot, { recursive: true, force: true });
  }
}

async function transactionCount(db: pg.Client, databaseName: string): Promise<number> {
  await db.query("SELECT pg_stat_clear_snapshot()");
  const { rows } = await db.query<{ commits: string }>(
    "SELECT xact_commit AS commits FROM pg_stat_database WHERE datname = $1",
    [databaseName],
  );
  return Number(rows[0]?.commits ?? 0);
}

async function main() {
  const database = await createTestDatabase();
  const databaseName = new URL(database.url).pathname.slice(1);
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  let central: CentralProcess | undefined;
  try {
    const baseline = await measurePostgresBaseline(db);
    central = await startCentral(
      {
        DATABASE_URL: database.url,
        ADMIN_TOKEN,
        LOG_LEVEL: "info",
        // Central's own settings can be tried from the environment, e.g. DB_POOL_SIZE=20 npm run bench.
        DB_POOL_SIZE: process.env.DB_POOL_SIZE,
        DELIVERY_BATCH_SIZE: process.env.DELIVERY_BATCH_SIZE,
        DATA_DIR: await mkdtemp(join(tmpdir(), "cq-bench-central-")),
      },
      // e.g. CENTRAL_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench, to profile central.
      process.env.CENTRAL_NODE_ARGS?.split(" ").filter(Boolean),
    );
    const api = apiClient(central.url, ADMIN_TOKEN);

    const sites = await inParallel(SITES + 1, CONCURRENCY, (index) =>
      api.createSite(`Bench site ${index}`, `Bench club ${index % 50}`),
    );
    const [oneSite, ...manySites] = sites as [(typeof sites)[0], ...typeof sites];

    const enqueueStarted = Date.now();
    await inParallel(sites.length * COMMANDS_PER_SITE, CONCURRENCY, async (index) => {
      const site = sites[index % sites.length] as (typeof sites)[0];
      const response = await api.post(`/api/sites/${site.id}/command`, {
        command: "update_config",
        params: { configuration: { sequence: index, volume: index % 100 } },
        priority: 1 + (index % 10),
      });
      if (response.status !== 200)
        throw new Error(`enqueue failed: ${response.status} ${JSON.stringify(response.body)}`);
    });
    const enqueueMs = Date.now() - enqueueStarted;

    const single = await drain(central, db, databaseName, [oneSite], 1);
    const many = await drain(central, db, databaseName, manySites, WORKERS);

    const report: Report = {
      sites: manySites.length,
      commandsPerSite: COMMANDS_PER_SITE,
      workers: WORKERS,
      enqueue: { commands: sites.length * COMMANDS_PER_SITE, ms: enqueueMs, concurrency: CONCURRENCY },
      single,
      many,
      centralPeakRssMiB: central.child.pid ? peakRssMiB(central.child.pid) : Number.NaN,
      baseline,
    };
    process.stdout.write(formatReport(report));
    const problems = new Map<string, number>();
    for (const line of central.logs) {
      if ((line.level ?? 0) >= 40) problems.set(String(line.msg), (problems.get(String(line.msg)) ?? 0) + 1);
    }
    for (const [message, count] of problems) process.stdout.write(`central warning ×${count}: ${message}\n`);
  } finally {
    await central?.stop();
    await db.end();
    await database.drop();
  }
}

await main();
