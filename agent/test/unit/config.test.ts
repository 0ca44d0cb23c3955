import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { createTempDir, SITE_ID, type TempDir } from "../support/helpers.js";

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await createTempDir();
  });
  afterEach(() => dir.remove());

  it("applies the documented defaults and derives paths from DATA_DIR", () => {
    const config = loadConfig({ SITE_ID, SITE_TOKEN: "t", DATA_DIR: dir.path });
    expect(config).toMatchObject({
      centralUrl: "http://localhost:3000",
      dataDir: dir.path,
      databasePath: join(dir.path, "agent.db"),
      logLevel: "info",
      reconnectDelayMinMs: 1000,
      reconnectDelayMaxMs: 60_000,
      ackTimeoutMs: 10_000,
      shutdownGraceMs: 10_000,
      resultFlushDelayMs: 20,
      handlers: {
        paths: {
          configPath: join(dir.path, "config.json"),
          videosDir: join(dir.path, "videos"),
          hostapdConf: "/etc/hostapd/hostapd.conf",
          logFile: null,
        },
        updateCommand: "/usr/local/bin/neopro-update",
        updateTimeoutMs: 600_000,
        downloadTimeoutMs: 1_800_000,
        journalUnit: "neopro-sync-agent",
      },
    });
    expect(loadConfig({ SITE_ID, SITE_TOKEN: "t" }).dataDir).toBe(resolve("data/agent"));
  });

  it("reads the token from SITE_TOKEN_FILE (systemd credentials)", async () => {
    const tokenFile = join(dir.path, "token");
    await writeFile(tokenFile, "secret-token\n");
    expect(loadConfig({ SITE_ID, SITE_TOKEN_FILE: tokenFile }).siteToken).toBe("secret-token");
    expect(problemsOf({ SITE_ID, SITE_TOKEN_FILE: join(dir.path, "missing") })).toEqual([
      expect.stringMatching(/^SITE_TOKEN_FILE: cannot read/),
    ]);
  });

  it("lists every bad value at once, each naming its variable", () => {
    const problems = problemsOf({
      SITE_ID: "not-a-uuid",
      CENTRAL_URL: "ftp://central",
      LOG_LEVEL: "loud",
      ACK_TIMEOUT_MS: "soon",
    });
    expect(problems.map((problem) => problem.split(":")[0])).toEqual([
      "CENTRAL_URL",
      "SITE_ID",
      "LOG_LEVEL",
      "ACK_TIMEOUT_MS",
      "SITE_TOKEN",
    ]);
    expect(problemsOf({})).toEqual([
      expect.stringMatching(/^SITE_ID: required/),
      expect.stringMatching(/^SITE_TOKEN: required/),
    ]);
    expect(
      problemsOf({
        SITE_ID,
        SITE_TOKEN: "t",
        RECONNECT_DELAY_MIN_MS: "5000",
        RECONNECT_DELAY_MAX_MS: "1000",
      }),
    ).toEqual([expect.stringMatching(/RECONNECT_DELAY_MIN_MS \(5000\) must not exceed/)]);
  });
});
