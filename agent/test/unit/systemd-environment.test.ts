import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BOX_PATHS, parseEnvFile, toolEnvironment } from "../../src/cli/environment.js";
import { loadConfig } from "../../src/config.js";
import { watchdogIntervalMs } from "../../src/systemd/index.js";
import { formatDuration, formatStatusLine } from "../../src/systemd/status-line.js";
import { createTempDir, SITE_ID, type TempDir } from "../support/helpers.js";

describe("what the unit gives the agent", () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await createTempDir();
  });
  afterEach(() => dir.remove());

  it("takes DATA_DIR from StateDirectory= and the token from LoadCredential=", async () => {
    await mkdir(join(dir.path, "credentials"));
    await writeFile(join(dir.path, "credentials/site-token"), "token-from-credential\n");
    const env = {
      SITE_ID,
      STATE_DIRECTORY: join(dir.path, "state"),
      CREDENTIALS_DIRECTORY: join(dir.path, "credentials"),
    };
    const config = loadConfig(env);
    expect(config.dataDir).toBe(join(dir.path, "state"));
    expect(config.databasePath).toBe(join(dir.path, "state/agent.db"));
    expect(config.siteToken).toBe("token-from-credential");
    // Explicit settings win.
    expect(loadConfig({ ...env, DATA_DIR: dir.path }).dataDir).toBe(dir.path);
    expect(loadConfig({ ...env, SITE_TOKEN: "explicit" }).siteToken).toBe("explicit");
  });

  it("pings the watchdog at half of WATCHDOG_USEC, only for this process", () => {
    expect(watchdogIntervalMs({})).toBeNull();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: "30000000" })).toBe(15_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: String(process.pid) })).toBe(15_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: "1" })).toBeNull();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: "zero" })).toBeNull();
  });

  it("writes a STATUS= line a technician can read", () => {
    const now = new Date("2026-12-03T14:08:12Z");
    const line = formatStatusLine(
      {
        connected: true,
        connectionChangedAt: new Date("2026-12-03T14:03:12Z"),
        outboxWaiting: 2,
        lastCommand: {
          id: "3f0c1a2b-0000-4000-8000-000000000000",
          type: "deploy_video",
          status: "succeeded",
          receivedAt: "2026-12-03T14:05:00Z",
          startedAt: "2026-12-03T14:05:00Z",
          finishedAt: "2026-12-03T14:05:09Z",
          durationMs: 9000,
          errorCode: null,
          errorMessage: null,
        },
      },
      now,
    );
    expect(line).toBe(
      "connected since 2026-12-03 14:03:12 UTC (5 min); outbox: 2 result(s) waiting; last command: deploy_video succeeded (3f0c1a2b, 2026-12-03 14:05:09 UTC)",
    );
    expect(formatDuration(42_000)).toBe("42 s");
    expect(formatDuration(2 * 3_600_000 + 5 * 60_000)).toBe("2 h 5 min");
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe("3 d 4 h");
  });
});

describe("the field tools' environment", () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await createTempDir();
  });
  afterEach(() => dir.remove());

  it("parses the environment file install-agent.sh writes", () => {
    expect(
      parseEnvFile(
        "# comment\n; other comment\nCENTRAL_URL=https://central.example.org\nSITE_ID=\"abc\"\n\nexport LOG_LEVEL='debug'\nnot a line\n",
      ),
    ).toEqual({ CENTRAL_URL: "https://central.example.org", SITE_ID: "abc", LOG_LEVEL: "debug" });
  });

  it("on a box, sees what the unit gives the daemon; elsewhere, the daemon's own defaults", async () => {
    const envFile = join(dir.path, "sync-agent.env");
    await writeFile(envFile, `CENTRAL_URL=https://central.example.org\nSITE_ID=${SITE_ID}\n`);
    const onBox = toolEnvironment({ envFile }, {});
    expect(onBox.envFile).toEqual({ path: envFile, found: true, error: null });
    expect(onBox.env).toMatchObject({
      CENTRAL_URL: "https://central.example.org",
      STATE_DIRECTORY: BOX_PATHS.stateDirectory,
      VIDEOS_DIR: BOX_PATHS.videosDir,
      CONFIG_PATH: BOX_PATHS.configPath,
      SITE_TOKEN_FILE: BOX_PATHS.tokenFile,
    });
    expect(loadConfig({ ...onBox.env, SITE_TOKEN: "t" }).dataDir).toBe(BOX_PATHS.stateDirectory);

    const overridden = toolEnvironment(
      { envFile, dataDir: dir.path, tokenFile: "/tmp/token" },
      { LOG_LEVEL: "warn" },
    );
    expect(overridden.env).toMatchObject({
      DATA_DIR: dir.path,
      SITE_TOKEN_FILE: "/tmp/token",
      LOG_LEVEL: "warn",
    });

    const elsewhere = toolEnvironment({ envFile: join(dir.path, "missing.env") }, {});
    expect(elsewhere.envFile.found).toBe(false);
    expect(elsewhere.env.STATE_DIRECTORY).toBeUndefined();
    expect(loadConfig({ ...elsewhere.env, SITE_ID, SITE_TOKEN: "t" }).dataDir).toBe(resolve("data/agent"));
  });
});
