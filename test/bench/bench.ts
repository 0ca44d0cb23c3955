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
import { formatReport, type Report } from "./report.js";

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
  const child = fork(WORKER_SCRIPT, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return {
    child,
    message: <T>() => new Promise<T>((resolve) => child.once("message", (message) => resolve(message as T))),
  };
}

interface DrainFigures {
  totalMs: number;
  firstDeliveryMs: number;
  commits: number;
  agentCounters: Record<string, number>;
}

/** Connects one agent per site (over `workers` processes) and waits for every result in PostgreSQL. */
async function drain(
  central: CentralProcess,
  db: pg.Client,
  databaseName: string,
  sites: { id: string; token: string }[],
  workerCount: number,
): Promise<DrainFigures> {
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
    const started = Date.now();
    for (const worker of workers) worker.child.send("go");

    let firstDeliveryMs = Number.NaN;
    for (;;) {
      const { rows } = await db.query<{ done: number; first: Date | null }>(
        `SELECT count(*) FILTER (WHERE reported_at IS NOT NULL)::int AS done, min(delivered_at) AS first
           FROM remote_commands WHERE site_id = ANY($1::uuid[])`,
        [siteIds],
      );
      const row = rows[0];
      if (row?.first && Number.isNaN(firstDeliveryMs)) firstDeliveryMs = row.first.getTime() - started;
      if (row && row.done >= expected) break;
      if (Date.now() - started > TIMEOUT_MS)
        throw new Error(`drain incomplete: ${row?.done}/${expected} results`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const totalMs = Date.now() - started;
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
    return { totalMs, firstDeliveryMs, commits, agentCounters };
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
    central = await startCentral({
      DATABASE_URL: database.url,
      ADMIN_TOKEN,
      LOG_LEVEL: "info",
      DATA_DIR: await mkdtemp(join(tmpdir(), "cq-bench-central-")),
    });
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
  } finally {
    await central?.stop();
    await db.end();
    await database.drop();
  }
}

await main();
