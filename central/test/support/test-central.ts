import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { type Central, type CentralConfig, createCentral } from "../../src/index.js";
import { generateToken } from "../../src/tokens.js";

/** One parsed pino line. */
export type LogLine = Record<string, unknown> & { msg: string; level: number };

export interface TestCentral {
  central: Central;
  url: string;
  adminToken: string;
  logs: LogLine[];
  /** Calls the REST API as the admin operator (or with `token`, or with none when `token` is null). */
  api(method: string, route: string, options?: ApiCallOptions): Promise<ApiAnswer>;
  /** Creates a site through the API; returns its id and agent token. */
  createSite(name?: string): Promise<{ id: string; token: string }>;
  /** Counts rows of a table, optionally for one site. */
  countRows(table: "pending_commands" | "remote_commands" | "sites", siteId?: string): Promise<number>;
  waitForLog(message: string, match?: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  stop(): Promise<void>;
}

export interface ApiCallOptions {
  body?: unknown;
  /** Raw body text, sent as is (for malformed JSON). */
  rawBody?: string;
  contentType?: string;
  token?: string | null;
}

export interface ApiAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers.
  body: any;
}

export async function startTestCentral(
  overrides: Partial<CentralConfig> & { databaseUrl: string | undefined },
): Promise<TestCentral> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "central-test-"));
  const adminToken = generateToken();
  const logs: LogLine[] = [];
  const logListeners = new Set<() => void>();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString("utf8").split("\n")) {
        if (text.trim() === "") continue;
        logs.push(JSON.parse(text) as LogLine);
      }
      for (const listener of logListeners) listener();
      done();
    },
  });
  const logger = pino({ level: "debug" }, sink);
  const config: CentralConfig = {
    port: 0,
    host: "127.0.0.1",
    dataDir,
    adminToken,
    logLevel: "debug",
    expiryIntervalMs: 60_000,
    deliveryWindow: 200,
    deliveryBatchSize: 100,
    deliveryAckTimeoutMs: 1_000,
    sweepIntervalMs: 30_000,
    maxWaitSeconds: 120,
    shutdownGraceMs: 2_000,
    dbPoolSize: 5,
    ...overrides,
  };
  const central = createCentral(config, { logger });
  const { url } = await central.start();

  async function api(method: string, route: string, options: ApiCallOptions = {}): Promise<ApiAnswer> {
    const headers: Record<string, string> = {};
    const token = options.token === undefined ? adminToken : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers["content-type"] = options.contentType ?? "application/json";
    const response = await fetch(`${url}${route}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
  }

  return {
    central,
    url,
    adminToken,
    logs,
    api,
    async createSite(name = "Complexe Sportif X") {
      const answer = await api("POST", "/api/sites", { body: { siteName: name, clubName: `Club ${name}` } });
      if (answer.status !== 201) throw new Error(`site creation failed: ${JSON.stringify(answer.body)}`);
      return { id: answer.body.id, token: answer.body.token };
    },
    async countRows(table, siteId) {
      const column = table === "sites" ? "id" : "site_id";
      const where = siteId ? ` WHERE ${column} = $1` : "";
      const { rows } = await central.db.query<{ count: number }>(
        `SELECT COUNT(*)::int AS count FROM ${table}${where}`,
        siteId ? [siteId] : [],
      );
      return rows[0]?.count ?? 0;
    },
    waitForLog(message, match = () => true, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = logs.find((candidate) => candidate.msg === message && match(candidate));
          if (!line) return;
          logListeners.delete(check);
          clearTimeout(timer);
          resolve(line);
        };
        const timer = setTimeout(() => {
          logListeners.delete(check);
          reject(new Error(`no log line "${message}" within ${timeoutMs} ms`));
        }, timeoutMs);
        logListeners.add(check);
        check();
      });
    },
    async stop() {
      await central.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns true (for state that settles asynchronously). */
export async function eventually(probe: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
