import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:https";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import { type CentralProcess, REPO_ROOT, startAgent, startCentral } from "../../../test/support/processes.js";
import { openStore } from "../../src/store/index.js";
import { startFakeCentral } from "../support/fake-central.js";
import { createTempDir, deliveredCommand, SITE_ID, SITE_TOKEN, type TempDir } from "../support/helpers.js";

const run = promisify(execFile);
const AGENT_MAIN = join(REPO_ROOT, "agent/dist/main.js");

/** A local TCP port with nothing listening. */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The installed binary as a technician runs it; never reads this machine's /etc/neopro. */
async function tool(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [AGENT_MAIN, ...args], {
      env: { PATH: process.env.PATH ?? "", NEOPRO_AGENT_ENV_FILE: "/nonexistent/sync-agent.env", ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

/** A ledger as a day of work leaves it: one success, one failure, one waiting; results not yet reported. */
function fillLedger(dataDir: string) {
  const store = openStore({ path: join(dataDir, "agent.db") });
  const config = deliveredCommand("update_config", { configuration: { volume: 80 } });
  const video = deliveredCommand("deploy_video", { videoId: "v1", url: "http://x/v.mp4", filename: "v.mp4" });
  const waiting = deliveredCommand("delete_video", { filename: "old.mp4" });
  store.recordDeliveries([config, video, waiting]);
  store.writeState("last_connected_at", "2026-12-03T14:00:00.000Z");
  store.writeState("last_disconnected_at", "2026-12-03T14:10:00.000Z");
  store.completeCommands([
    {
      commandId: config.id,
      status: "succeeded",
      result: { path: "/srv/neopro/config.json", bytes: 14, previousKept: false },
      startedAt: "2026-12-03T14:01:00.000Z",
      finishedAt: "2026-12-03T14:01:00.250Z",
    },
    {
      commandId: video.id,
      status: "failed",
      error: { code: "DOWNLOAD_FAILED", message: "HTTP 404 from http://x/v.mp4" },
      startedAt: "2026-12-03T14:02:00.000Z",
      finishedAt: "2026-12-03T14:02:03.500Z",
    },
  ]);
  store.close();
  return { config, video, waiting };
}

describe("field tools on a ledger filled through the store", () => {
  let dir: TempDir;
  let ids: ReturnType<typeof fillLedger>;

  beforeAll(async () => {
    dir = await createTempDir("agent-tools-");
    ids = fillLedger(dir.path);
  });
  afterAll(() => dir.remove());

  it("status prints connection, recent commands, outbox, database", async () => {
    const { code, stdout } = await tool(["status", "--data-dir", dir.path]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^neopro-sync-agent \d+\.\d+\.\d+$/);
    expect(lines[1]).toMatch(/^agent: +not running/);
    expect(lines[2]).toMatch(
      /^central: +not connected since 2026-12-03 14:10:00 UTC \(.* ago\); last contact \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d+ s ago\)$/,
    );
    expect(lines[3]).toBe("last 24 h:     received 1, running 0, succeeded 1, failed 1, interrupted 0");
    expect(lines[5]).toMatch(/^outbox: +2 result\(s\) waiting, oldest from 2026-12-03 14:01:00 UTC/);
    expect(lines[6]).toMatch(new RegExp(`^last command: +delete_video received ${ids.waiting.id}`));
    expect(lines[7]).toMatch(new RegExp(`^database: +${dir.path}/agent.db \\(\\d+ KiB, schema 1\\)$`));
  });

  it("status --json gives the same figures to a program", async () => {
    const { code, stdout } = await tool(["status", "--json", "--data-dir", dir.path]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      daemon: { running: false },
      central: { connected: false, since: "2026-12-03T14:10:00.000Z" },
      commands: {
        total: { received: 1, succeeded: 1, failed: 1 },
        last24h: { received: 1, succeeded: 1, failed: 1 },
      },
      outbox: { waiting: 2, oldestWaitingAt: "2026-12-03T14:01:00.250Z" },
      lastCommand: { id: ids.waiting.id, type: "delete_video", status: "received" },
      database: { path: join(dir.path, "agent.db"), schemaVersion: 1 },
    });
  });

  it("history lists newest first, --failed keeps failures, --limit and --json work", async () => {
    const all = await tool(["history", "--data-dir", dir.path]);
    expect(all.code).toBe(0);
    const lines = all.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^received +type +status +duration +id +error$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/)[1])).toEqual([
      "delete_video",
      "deploy_video",
      "update_config",
    ]);
    expect(lines[2]).toMatch(
      /deploy_video +failed +3\.5 s +\S+ +DOWNLOAD_FAILED: HTTP 404 from http:\/\/x\/v\.mp4$/,
    );
    expect(lines[3]).toMatch(/update_config +succeeded +250 ms/);

    const failed = await tool(["history", "--failed", "--data-dir", dir.path]);
    expect(failed.stdout.trimEnd().split("\n")).toHaveLength(2);
    expect(failed.stdout).toContain(ids.video.id);

    const limited = await tool(["history", "--limit", "1", "--json", "--data-dir", dir.path]);
    expect(JSON.parse(limited.stdout)).toEqual([
      expect.objectContaining({ id: ids.waiting.id, status: "received", durationMs: null }),
    ]);
  });

  it("refuses bad usage with exit 64 and a missing database with a clear message", async () => {
    const badLimit = await tool(["history", "--limit", "0", "--data-dir", dir.path]);
    expect(badLimit.code).toBe(64);
    expect(badLimit.stderr).toMatch(/--limit must be a whole number from 1 to 10000/);
    expect((await tool(["stats"])).code).toBe(64);
    const missing = await tool(["status", "--data-dir", join(dir.path, "nowhere")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /cannot open the agent database .*nowhere\/agent\.db read-only: check DATA_DIR/,
    );
  });
});

describe("status while the daemon runs", () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await createTempDir("agent-live-");
  });
  afterEach(() => dir.remove());

  it("reads the live database without disturbing the daemon", async () => {
    const central = await startFakeCentral();
    const agent = startAgent({
      CENTRAL_URL: central.url,
      SITE_ID,
      SITE_TOKEN,
      DATA_DIR: dir.path,
      CONFIG_PATH: join(dir.path, "box-config.json"),
    });
    try {
      await agent.waitForMessage("connected to central");
      const command = deliveredCommand("update_config", { configuration: { volume: 50 } });
      await central.deliver([command]);
      await agent.waitForMessage("outbox flushed: central has every result");

      const live = await tool(["status", "--json", "--data-dir", dir.path]);
      expect(live.code).toBe(0);
      const report = JSON.parse(live.stdout);
      expect(report).toMatchObject({
        daemon: { running: true, pid: agent.child.pid },
        central: { connected: true },
        outbox: { waiting: 0 },
        lastCommand: { id: command.id, type: "update_config", status: "succeeded" },
      });
      expect(Date.parse(report.central.lastContactAt)).toBeGreaterThan(Date.now() - 60_000);
      const text = await tool(["status", "--data-dir", dir.path]);
      expect(text.stdout).toMatch(new RegExp(`agent: +running \\(pid ${agent.child.pid}, version `));
      expect(text.stdout).toMatch(/central: +connected since /);

      // The daemon still works after the tool read its database.
      const next = deliveredCommand("get_config", {});
      await central.deliver([next]);
      await agent.waitForLog((line) => line.msg === "command get_config succeeded");

      expect(await agent.stop()).toEqual({ code: 0, signal: null });
      const after = JSON.parse((await tool(["status", "--json", "--data-dir", dir.path])).stdout);
      expect(after.daemon).toMatchObject({ running: false });
      expect(after.central.connected).toBe(false);
    } finally {
      await agent.stop();
      await central.close();
    }
  });
});

describe("doctor", () => {
  let dir: TempDir;
  let database: TestDatabase;
  let central: CentralProcess;

  beforeAll(async () => {
    dir = await createTempDir("agent-doctor-");
    fillLedger(dir.path);
    database = await createTestDatabase();
    central = await startCentral({ DATABASE_URL: database.url, ADMIN_TOKEN: "admin-token-for-doctor-tests" });
  });
  afterAll(async () => {
    await central.stop();
    await database.drop();
    await dir.remove();
  });

  async function writeEnvFile(lines: string[]): Promise<string> {
    const path = join(dir.path, "sync-agent.env");
    await writeFile(path, `${lines.join("\n")}\n`);
    return path;
  }

  it("finds nothing wrong on a well-configured box", async () => {
    await writeFile(join(dir.path, "site-token"), "a-site-token\n", { mode: 0o600 });
    const envFile = await writeEnvFile([
      `CENTRAL_URL=${central.url}`,
      `SITE_ID=${SITE_ID}`,
      `DATA_DIR=${dir.path}`,
    ]);
    const { code, stdout } = await tool([
      "doctor",
      "--config-file",
      envFile,
      "--token-file",
      join(dir.path, "site-token"),
    ]);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(new RegExp(`^\\[ ok \\] config +CENTRAL_URL=${central.url} SITE_ID=${SITE_ID}`));
    expect(lines[1]).toMatch(/^\[ ok \] token +present \(file .*site-token\)$/);
    expect(lines[2]).toMatch(
      /^\[ ok \] central +http:\/\/127\.0\.0\.1:\d+\/health\/live answered HTTP 200 in \d+ ms$/,
    );
    expect(lines[3]).toMatch(/^\[ ok \] clock +-?\d+ s from central's clock$/);
    expect(lines[4]).toMatch(/^\[( ok |warn)\] disk +\d+\.\d GiB free for videos in /);
    expect(lines[5]).toMatch(/^\[ ok \] database +.*agent\.db: integrity check ok$/);
    expect(lines[6]).toBe("no problem found");
    expect(code).toBe(0);
  });

  it("names each problem and exits 1", async () => {
    const envFile = await writeEnvFile([
      `CENTRAL_URL=http://127.0.0.1:${await closedPort()}`,
      `SITE_ID=not-a-uuid`,
      `DATA_DIR=${dir.path}`,
    ]);
    const { code, stdout } = await tool([
      "doctor",
      "--json",
      "--config-file",
      envFile,
      "--token-file",
      join(dir.path, "absent"),
    ]);
    expect(code).toBe(1);
    const { checks } = JSON.parse(stdout) as { checks: { check: string; verdict: string; detail: string }[] };
    expect(checks.map((check) => [check.check, check.verdict])).toEqual([
      ["config", "fail"],
      ["token", "fail"],
      ["central", "fail"],
      ["clock", "warn"],
      ["disk", expect.stringMatching(/ok|warn/)],
      ["database", "ok"],
    ]);
    expect(checks[0]?.detail).toMatch(/SITE_ID: must be the site's UUID/);
    expect(checks[1]?.detail).toMatch(/SITE_TOKEN_FILE: cannot read .*absent/);
    expect(checks[2]?.detail).toMatch(/unreachable \(ECONNREFUSED\): check CENTRAL_URL/);
  });

  it("refuses a certificate central's clients would not trust", async () => {
    const certificateDir = join(dir.path, "tls");
    await run("mkdir", ["-p", certificateDir]);
    await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "30",
      "-subj",
      "/CN=127.0.0.1",
      "-keyout",
      join(certificateDir, "key.pem"),
      "-out",
      join(certificateDir, "cert.pem"),
    ]);
    const server = createServer(
      {
        key: await readFile(join(certificateDir, "key.pem")),
        cert: await readFile(join(certificateDir, "cert.pem")),
      },
      (_request, response) => response.end("ok"),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const envFile = await writeEnvFile([
        `CENTRAL_URL=${url}`,
        `SITE_ID=${SITE_ID}`,
        `DATA_DIR=${dir.path}`,
      ]);
      const { code, stdout } = await tool([
        "doctor",
        "--json",
        "--config-file",
        envFile,
        "--token-file",
        join(dir.path, "site-token"),
      ]);
      expect(code).toBe(1);
      const { checks } = JSON.parse(stdout) as {
        checks: { check: string; verdict: string; detail: string }[];
      };
      expect(checks.find((check) => check.check === "certificate")).toMatchObject({
        verdict: "fail",
        detail: expect.stringMatching(/^central's certificate is not valid: DEPTH_ZERO_SELF_SIGNED_CERT/),
      });
      expect(checks.find((check) => check.check === "central")).toMatchObject({ verdict: "fail" });
    } finally {
      server.close();
    }
  });
});
