import { spawnSync } from "node:child_process";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, eventually } from "../../support/api-client.js";
import { makeTempDir, readAgentLedger, removeDir } from "../../support/fixtures.js";
import { createTestDatabase, type TestDatabase } from "../../support/postgres.js";
import {
  type CentralProcess,
  REPO_ROOT,
  type RunningProcess,
  startAgent,
  startCentral,
} from "../../support/processes.js";
import {
  extractRelease,
  installedServiceEnvironment,
  readTargets,
  releaseTarball,
  residentMemoryMiB,
  runUnderQemu,
  selectedTargets,
  startReleasedAgent,
} from "../support/release.js";

/**
 * The release tarballs, as a Pi would run them: installed by the tarball's own
 * install-agent.sh (into a scratch root), started as the unit starts it, the
 * bundled ARM Node under qemu-user, the cross-compiled better-sqlite3 opening
 * the ledger, connected to a real central (native, real PostgreSQL) that
 * delivers a command queued while the box was offline.
 */
const ADMIN_TOKEN = "arm-release-test-admin-token";
// Under qemu every instruction is translated: starting Node and the agent takes seconds, not milliseconds.
const QEMU_TIMEOUT_MS = 180_000;
const IDLE_SETTLE_MS = 5_000;
const FIGURES_FILE = join(REPO_ROOT, ".test-artifacts/release-figures.json");

const figures: Record<string, number> = {};

afterAll(async () => {
  await mkdir(join(REPO_ROOT, ".test-artifacts"), { recursive: true });
  await writeFile(FIGURES_FILE, `${JSON.stringify(figures, null, 2)}\n`);
  console.info("release figures", figures);
});

describe.each(selectedTargets())("release tarball for linux-%s", (targetName) => {
  const target = readTargets()[targetName];
  if (!target) throw new Error(`no target ${targetName} in targets.json`);
  let workDir: string;
  let releaseDir: string;
  let tarball: string;
  let database: TestDatabase;
  let central: CentralProcess;
  const processes: RunningProcess[] = [];

  beforeAll(async () => {
    workDir = await makeTempDir(`cq-arm-${targetName}-`);
    tarball = releaseTarball(targetName);
    figures[`tarball-${targetName}-MiB`] = Math.round(((await stat(tarball)).size / 2 ** 20) * 10) / 10;
    releaseDir = extractRelease(tarball, workDir);
    database = await createTestDatabase();
    central = await startCentral({ DATABASE_URL: database.url, ADMIN_TOKEN });
    processes.push(central);
  }, QEMU_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(processes.map((running) => running.stop(30_000)));
    await database?.drop();
    await removeDir(workDir);
  }, QEMU_TIMEOUT_MS);

  it(
    "ships the target's Node, stated in RELEASE.json",
    async () => {
      const release = JSON.parse(await readFile(join(releaseDir, "RELEASE.json"), "utf8"));
      expect(release).toMatchObject({ target: `linux-${targetName}`, node: { version: target.nodeVersion } });
      const reported = runUnderQemu(target, releaseDir, ["-p", 'process.arch + " " + process.version']);
      expect(reported).toBe(`${target.gypArch} v${target.nodeVersion}`);
    },
    QEMU_TIMEOUT_MS,
  );

  it(
    "runs the agent: opens SQLite, receives a queued command, records it and reports the result",
    async () => {
      const api = apiClient(central.url, ADMIN_TOKEN);
      const site = await api.createSite(`Pi ${targetName}`, "Club ARM");
      const queued = await api.post<{ commandId: string; queued: boolean }>(`/api/sites/${site.id}/command`, {
        command: "update_config",
        params: { configuration: { screen: targetName, volume: 70 } },
      });
      expect(queued.body.queued).toBe(true);

      // Installed as on a Pi, into a scratch root; then run as the unit would run it.
      const root = join(workDir, "root");
      const tokenFile = join(workDir, "token");
      await writeFile(tokenFile, `${site.token}\n`);
      const installed = spawnSync(
        "bash",
        [
          join(releaseDir, "install-agent.sh"),
          "--release",
          tarball,
          "--root",
          root,
          "--central-url",
          central.url,
        ].concat(["--site-id", site.id, "--token-file", tokenFile]),
        { encoding: "utf8" },
      );
      expect(installed.status, installed.stdout + installed.stderr).toBe(0);
      const { env, args } = installedServiceEnvironment(root);
      const dataDir = env.DATA_DIR ?? "";
      const agent = startReleasedAgent(
        target,
        join(root, "opt/neopro-sync-agent/current"),
        { ...env, RECONNECT_DELAY_MIN_MS: "200", RECONNECT_DELAY_MAX_MS: "2000" },
        args,
      );
      processes.push(agent);

      const finished = await eventually(
        async () => {
          const { body } = await api.get<{ status: string; result: unknown }>(
            `/api/sites/${site.id}/commands/${queued.body.commandId}`,
          );
          return body.status === "succeeded" ? body : undefined;
        },
        {
          timeoutMs: QEMU_TIMEOUT_MS,
          intervalMs: 500,
          what: `the ${targetName} agent to report the command`,
        },
      );
      expect(finished.result).toMatchObject({ previousKept: false });
      expect(JSON.parse(await readFile(env.CONFIG_PATH ?? join(dataDir, "config.json"), "utf8"))).toEqual({
        screen: targetName,
        volume: 70,
      });
      const ledger = readAgentLedger(dataDir);
      expect(ledger.find((row) => row.id === queued.body.commandId)).toMatchObject({ status: "succeeded" });

      await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
      figures[`idle-rss-qemu-${targetName}-MiB`] = residentMemoryMiB(agent.child.pid ?? 0);

      const exit = await agent.stop(60_000);
      expect(exit).toEqual({ code: 0, signal: null });
    },
    QEMU_TIMEOUT_MS * 2,
  );
});

describe("the same agent natively (x86-64), for comparison", () => {
  it("idles at a measured RSS once connected", async () => {
    const database = await createTestDatabase();
    const workDir = await makeTempDir("cq-arm-native-");
    const central = await startCentral({ DATABASE_URL: database.url, ADMIN_TOKEN });
    try {
      const site = await apiClient(central.url, ADMIN_TOKEN).createSite("Native", "Club x86");
      const agent = startAgent({
        CENTRAL_URL: central.url,
        SITE_ID: site.id,
        SITE_TOKEN: site.token,
        DATA_DIR: join(workDir, "agent"),
      });
      try {
        await central.waitForLog((line) => line.msg === "Agent connected" && line.siteId === site.id);
        await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
        figures["idle-rss-native-x64-MiB"] = residentMemoryMiB(agent.child.pid ?? 0);
        expect(figures["idle-rss-native-x64-MiB"]).toBeGreaterThan(0);
      } finally {
        await agent.stop();
      }
    } finally {
      await central.stop();
      await database.drop();
      await removeDir(workDir);
    }
  }, 60_000);
});
