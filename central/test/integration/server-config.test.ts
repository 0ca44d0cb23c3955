import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { resolveAdminToken } from "../../src/admin-token.js";
import { ConfigError, loadConfig } from "../../src/config.js";
import { generateToken, hashesMatch, hashToken } from "../../src/tokens.js";

describe("loadConfig", () => {
  it("gives the documented defaults for an empty environment", () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: "0.0.0.0",
      databaseUrl: undefined,
      dataDir: "./data",
      adminToken: undefined,
      logLevel: "info",
      expiryIntervalMs: 60_000,
      deliveryWindow: 200,
      deliveryBatchSize: 100,
      deliveryAckTimeoutMs: 15_000,
      sweepIntervalMs: 30_000,
      maxWaitSeconds: 120,
      shutdownGraceMs: 10_000,
      dbPoolSize: 10,
    });
  });

  it("reads every variable", () => {
    const config = loadConfig({
      PORT: "8080",
      DATABASE_URL: "postgres://user@db:5432/neopro",
      ADMIN_TOKEN: "a-long-enough-operator-token",
      DELIVERY_BATCH_SIZE: "50",
      LOG_LEVEL: "debug",
    });
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: "postgres://user@db:5432/neopro",
      adminToken: "a-long-enough-operator-token",
      deliveryBatchSize: 50,
      logLevel: "debug",
    });
  });

  it("names each bad variable with its value and what is expected", () => {
    let thrown: unknown;
    try {
      loadConfig({
        PORT: "eighty",
        DELIVERY_BATCH_SIZE: "1000",
        DATABASE_URL: "mysql://x",
        LOG_LEVEL: "loud",
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const problems = (thrown as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.find((line) => line.startsWith("PORT="))).toContain('"eighty"');
    expect(problems.find((line) => line.startsWith("DELIVERY_BATCH_SIZE="))).toContain("500");
    expect(problems.find((line) => line.startsWith("DATABASE_URL="))).toContain("postgres://");
    expect(problems.some((line) => line.startsWith("LOG_LEVEL="))).toBe(true);
  });
});

describe("admin token", () => {
  const folders: string[] = [];
  afterEach(async () => {
    for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
  });

  function capturingLogger() {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString("utf8")));
        done();
      },
    });
    return { logger: pino(sink), lines };
  }

  it("uses ADMIN_TOKEN when set", async () => {
    const { logger } = capturingLogger();
    expect(
      await resolveAdminToken({ adminToken: "from-the-environment", dataDir: "/nonexistent" }, logger),
    ).toBe("from-the-environment");
  });

  it("generates one token, stores it 0600, announces it once and reuses it", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "admin-token-"));
    folders.push(dataDir);
    const { logger, lines } = capturingLogger();
    const first = await resolveAdminToken({ adminToken: undefined, dataDir }, logger);
    const second = await resolveAdminToken({ adminToken: undefined, dataDir }, logger);
    expect(second).toBe(first);
    const file = path.join(dataDir, "admin-token");
    expect((await readFile(file, "utf8")).trim()).toBe(first);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const announcements = lines.filter((line) => line.token === first);
    expect(announcements).toHaveLength(1);
    expect(String(announcements[0]?.msg)).toContain("Authorization: Bearer");
  });
});

describe("tokens", () => {
  it("are 256-bit random, hashed with SHA-256 and compared exactly", () => {
    const token = generateToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(token);
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashesMatch(hashToken(token), hashToken(token))).toBe(true);
    expect(hashesMatch(hashToken(token), hashToken(`${token}x`))).toBe(false);
    expect(hashesMatch(hashToken(token), "")).toBe(false);
  });
});
