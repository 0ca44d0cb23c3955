import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MESSAGES } from "@neopro/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, apiClient } from "../../test/support/api-client.js";
import { makeTempDir, removeDir } from "../../test/support/fixtures.js";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.js";
import { type CentralProcess, startCentral } from "../../test/support/processes.js";
import { closedPort, runCq } from "./run-cq.js";

/** The real `cq` binary against a real central process on the test PostgreSQL. */
let database: TestDatabase;
let central: CentralProcess;
let api: ApiClient;
let workDir: string;
const token = randomBytes(24).toString("base64url");
/** What a person's shell would have: HOME without a config file, and CQ_URL / CQ_TOKEN. */
let env: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  workDir = await makeTempDir("cq-cli-");
  central = await startCentral({
    DATABASE_URL: database.url,
    ADMIN_TOKEN: token,
    DATA_DIR: join(workDir, "data"),
  });
  api = apiClient(central.url, token);
  env = { HOME: join(workDir, "home"), CQ_URL: central.url, CQ_TOKEN: token };
});

afterAll(async () => {
  await central?.stop();
  await database?.drop();
  if (workDir) await removeDir(workDir);
});

async function historyCount(siteId: string): Promise<number> {
  const { body } = await api.get<{ total: number }>(`/api/sites/${siteId}/commands`);
  return body.total;
}

describe("usage errors exit 2 and send nothing", () => {
  let siteId: string;

  beforeAll(async () => {
    siteId = (await api.createSite("Usage", "Club Usage")).id;
  });

  it("no command, an unknown command or option, a missing argument", async () => {
    for (const args of [
      [],
      ["launch"],
      ["sites", "--colour"],
      ["pending"],
      ["sites", "create", "--name", "X"],
    ]) {
      const run = await runCq(args, env);
      expect(run.code, args.join(" ")).toBe(2);
    }
  });

  it("an unknown command type or params that do not match the catalogue", async () => {
    const unknown = await runCq(["send", siteId, "reboot_now"], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command type "reboot_now"');

    const missing = await runCq(["send", siteId, "deploy_video", "--param", "videoId=v1"], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/url/);
    expect(missing.stderr).toMatch(/filename/);

    const badType = await runCq(["send", siteId, "get_logs", "--param", "lines=many"], env);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toContain("lines");

    const extra = await runCq(["send", siteId, "get_config", "--param", "verbose=true"], env);
    expect(extra.code).toBe(2);

    const unsafeName = await runCq(
      ["send", siteId, "delete_video", "--param", "filename=../etc/passwd"],
      env,
    );
    expect(unsafeName.code).toBe(2);
    expect(await historyCount(siteId)).toBe(0);
  });

  it("a bad priority, expiry, wait, or a cancel without a target", async () => {
    const configPush = ["send", siteId, "update_config", "--param", 'configuration={"volume":1}'];
    for (const extra of [
      ["--priority", "11"],
      ["--priority", "high"],
      ["--expires-in", "tomorrow"],
      ["--expires-in", "0m"],
      ["--wait", "-1"],
      ["--max-attempts", "0"],
    ]) {
      const run = await runCq([...configPush, ...extra], env);
      expect(run.code, extra.join(" ")).toBe(2);
    }
    expect((await runCq(["cancel", siteId], env)).code).toBe(2);
    expect((await runCq(["cancel", siteId, "x", "--all"], env)).code).toBe(2);
    expect(await historyCount(siteId)).toBe(0);
  });

  it("no token anywhere, or a broken config file", async () => {
    const noToken = await runCq(["sites"], { HOME: env.HOME, CQ_URL: central.url });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("CQ_TOKEN");

    const brokenConfig = join(workDir, "broken.json");
    await writeFile(brokenConfig, "{ not json");
    const broken = await runCq(["sites", "--config", brokenConfig], env);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(brokenConfig);
  });

  it("--help exits 0 and lists the command types from the catalogue", async () => {
    const help = await runCq(["send", "--help"], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("deploy_video");
    expect(help.stdout).toContain("videoId, url, filename, sha256?, size?");
  });
});

describe("sites", () => {
  it("creates a site and shows its agent token once", async () => {
    const human = await runCq(["sites", "create", "--name", "Complexe Sportif X", "--club", "Club X"], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/SITE_ID=[0-9a-f-]{36}/);
    expect(human.stdout).toMatch(/SITE_TOKEN=\S{43}/);

    const json = await runCq(
      ["sites", "create", "--name", "Stade Nord", "--club", "Club Nord", "--json"],
      env,
    );
    expect(json.code).toBe(0);
    expect(json.json()).toEqual({
      id: expect.any(String),
      siteName: "Stade Nord",
      clubName: "Club Nord",
      token: expect.any(String),
    });
  });

  it("lists sites as a table or JSON, filtered", async () => {
    const table = await runCq(["sites"], env);
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(
      /^ID\s+SITE\s+CLUB\s+STATE\s+LAST SEEN\s+PENDING\s+OLDEST PENDING$/,
    );
    expect(table.stdout).toContain("Complexe Sportif X");

    const filtered = await runCq(["sites", "--search", "nord", "--status", "offline", "--json"], env);
    expect(filtered.code).toBe(0);
    expect(filtered.json()).toMatchObject({ total: 1, sites: [{ site_name: "Stade Nord", online: false }] });

    const page = await runCq(["sites", "list", "--limit", "1", "--json"], env);
    expect(page.json().sites).toHaveLength(1);
  });

  it("shows one site by id or by its name", async () => {
    const { sites } = (await runCq(["sites", "--search", "Complexe", "--json"], env)).json();
    const byId = await runCq(["site", sites[0].id], env);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toMatch(/Site\s+Complexe Sportif X/);
    expect(byId.stdout).toMatch(/State\s+offline/);

    const byName = await runCq(["site", "Complexe Sportif X", "--json"], env);
    expect(byName.json()).toMatchObject({ id: sites[0].id, pending_count: 0 });
  });
});

describe("commands and the queue", () => {
  let siteId: string;

  beforeAll(async () => {
    siteId = (await api.createSite("File d'attente", "Club Queue")).id;
  });

  it("queues a deploy_video for an offline site with params, priority and expiry", async () => {
    const before = Date.now();
    const run = await runCq(
      [
        "send",
        siteId,
        "deploy_video",
        "--param",
        "videoId=sponsor-42",
        "--param",
        "url=https://cdn.example.test/sponsor.mp4",
        "--param",
        "filename=sponsor.mp4",
        "--param",
        "size=1048576",
        "--priority",
        "2",
        "--expires-in",
        "2h",
      ],
      env,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(MESSAGES.queued);

    const { body } = await api.get<{ commands: Record<string, unknown>[] }>(
      `/api/sites/${siteId}/pending-commands`,
    );
    expect(body.commands).toHaveLength(1);
    const queued = body.commands[0] as { command_data: unknown; priority: number; expires_at: string };
    expect(queued.command_data).toEqual({
      videoId: "sponsor-42",
      url: "https://cdn.example.test/sponsor.mp4",
      filename: "sponsor.mp4",
      size: 1048576,
    });
    expect(queued.priority).toBe(2);
    const expiresIn = new Date(queued.expires_at).getTime() - before;
    expect(expiresIn).toBeGreaterThan(2 * 3600_000 - 60_000);
    expect(expiresIn).toBeLessThan(2 * 3600_000 + 60_000);
  });

  it("takes params from a file and nested --param fields, and answers JSON", async () => {
    const file = join(workDir, "config.json");
    await writeFile(file, JSON.stringify({ configuration: { theme: "dark", volume: 10 } }));
    const run = await runCq(
      [
        "send",
        siteId,
        "update_config",
        "--params-file",
        file,
        "--param",
        "configuration.volume=80",
        "--json",
      ],
      env,
    );
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ success: true, queued: true, message: MESSAGES.queued });
    const { body } = await api.get<Record<string, unknown>>(
      `/api/sites/${siteId}/commands/${run.json().commandId}`,
    );
    expect(body.command_data).toEqual({ configuration: { theme: "dark", volume: 80 } });
  });

  it("lists the pending commands with the reference's priority labels and states", async () => {
    const table = await runCq(["pending", siteId], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain("File d'attente (Club Queue): 2 pending command(s)");
    expect(table.stdout).toMatch(/deploy_video\s+Déploiement vidéo\s+2 Haute/);
    expect(table.stdout).toMatch(/update_config\s+Mise à jour configuration\s+5 Normal/);
    expect(table.stdout).toContain("EN ATTENTE");
    expect(table.stdout).toContain("0/3");

    const json = await runCq(["pending", "File d'attente", "--json"], env);
    expect(json.json()).toMatchObject({ siteId, pendingCount: 2 });
    expect(json.json().commands.map((command: { command_type: string }) => command.command_type)).toEqual([
      "deploy_video",
      "update_config",
    ]);
  });

  it("summarises the global queue", async () => {
    const human = await runCq(["summary"], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^\d+ pending command\(s\) on \d+ site\(s\)/);
    expect(human.stdout).toContain(siteId);

    const json = await runCq(["summary", "--json"], env);
    const row = json.json().sites.find((site: { site_id: string }) => site.site_id === siteId);
    expect(row).toMatchObject({ pending_count: 2, highest_priority: 2, club_name: "Club Queue" });
  });

  it("cancels one command, then all, with the server's French messages", async () => {
    const { commands } = (await runCq(["pending", siteId, "--json"], env)).json();
    const one = await runCq(["cancel", siteId, commands[0].id], env);
    expect(one.code).toBe(0);
    expect(one.stdout.trim()).toBe(MESSAGES.cancelledOne);

    await runCq(["send", siteId, "delete_video", "--param", "filename=old.mp4"], env);
    const all = await runCq(["cancel", siteId, "--all", "--json"], env);
    expect(all.code).toBe(0);
    expect(all.json()).toEqual({ success: true, message: MESSAGES.cancelledAll(2), count: 2 });
    expect((await runCq(["pending", siteId, "--json"], env)).json().pendingCount).toBe(0);
  });

  it("shows the history, newest first", async () => {
    const table = await runCq(["history", siteId], env);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ID\s+TYPE\s+STATUS\s+CREATED\s+ENDED\s+ATTEMPTS\s+RESULT$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[1])).toEqual([
      "delete_video",
      "update_config",
      "deploy_video",
    ]);
    expect(lines.slice(1).every((line) => line.includes("cancelled"))).toBe(true);

    const page = await runCq(["history", siteId, "--limit", "1", "--offset", "1", "--json"], env);
    expect(page.json()).toMatchObject({
      total: 3,
      limit: 1,
      offset: 1,
      commands: [{ command_type: "update_config" }],
    });
  });
});

describe("refusals exit 3 with central's message", () => {
  let siteId: string;

  beforeAll(async () => {
    siteId = (await api.createSite("Refus", "Club Refus")).id;
  });

  it("a real-time command to an offline site, in the reference's words", async () => {
    const run = await runCq(["send", siteId, "get_logs", "--param", "lines=50"], env);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(MESSAGES.refusedOffline("get_logs"));
    expect(run.stderr).toContain("SITE_OFFLINE");

    const json = await runCq(["send", siteId, "get_system_info", "--json"], env);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stderr)).toMatchObject({
      success: false,
      error: "SITE_OFFLINE",
      message: MESSAGES.refusedOffline("get_system_info"),
      exitCode: 3,
    });
  });

  it("--no-queue to an offline site, an unknown site, a command that is not pending, a wrong token", async () => {
    const noQueue = await runCq(
      ["send", siteId, "update_config", "--param", 'configuration={"a":1}', "--no-queue"],
      env,
    );
    expect(noQueue.code).toBe(3);
    expect(noQueue.stderr).toContain(MESSAGES.refusedOffline("update_config"));

    const unknownSite = await runCq(["pending", "0b7c5a1e-2f3d-4c5b-8a9e-1f2a3b4c5d6e"], env);
    expect(unknownSite.code).toBe(3);
    expect(unknownSite.stderr).toContain("SITE_NOT_FOUND");

    const unknownCommand = await runCq(["cancel", siteId, "0b7c5a1e-2f3d-4c5b-8a9e-1f2a3b4c5d6e"], env);
    expect(unknownCommand.code).toBe(3);
    expect(unknownCommand.stderr).toContain("COMMAND_NOT_FOUND");

    const wrongToken = await runCq(["sites", "--token", "not-a-token"], env);
    expect(wrongToken.code).toBe(3);
    expect(wrongToken.stderr).toContain("UNAUTHORIZED");
  });
});

describe("where the URL and token come from", () => {
  it("exits 4 when central cannot be reached", async () => {
    const port = await closedPort();
    const run = await runCq(["sites"], { ...env, CQ_URL: `http://127.0.0.1:${port}` });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`Cannot reach central at http://127.0.0.1:${port}`);
    expect(run.stderr).toContain("ECONNREFUSED");
  });

  it("reads the config file under XDG_CONFIG_HOME, or the one named by --config / CQ_CONFIG", async () => {
    const configHome = join(workDir, "xdg");
    await mkdir(join(configHome, "neopro"), { recursive: true });
    await writeFile(join(configHome, "neopro", "cq.json"), JSON.stringify({ url: central.url, token }));
    const fromXdg = await runCq(["summary", "--json"], {
      HOME: env.HOME as string,
      XDG_CONFIG_HOME: configHome,
    });
    expect(fromXdg.code).toBe(0);

    const named = join(workDir, "elsewhere.json");
    await writeFile(named, JSON.stringify({ url: central.url, token }));
    expect((await runCq(["summary", "--config", named], { HOME: env.HOME as string })).code).toBe(0);
    expect((await runCq(["summary"], { HOME: env.HOME as string, CQ_CONFIG: named })).code).toBe(0);
  });

  it("flags win over the environment, which wins over the file", async () => {
    const port = await closedPort();
    const unreachable = `http://127.0.0.1:${port}`;
    const fileWithBadUrl = join(workDir, "bad-url.json");
    await writeFile(fileWithBadUrl, JSON.stringify({ url: unreachable, token: "wrong" }));
    const base = { HOME: env.HOME as string, CQ_CONFIG: fileWithBadUrl };
    expect((await runCq(["summary"], base)).code).toBe(4);
    expect((await runCq(["summary"], { ...base, CQ_URL: central.url, CQ_TOKEN: token })).code).toBe(0);
    expect(
      (await runCq(["summary", "--url", central.url, "--token", token], { ...base, CQ_URL: unreachable }))
        .code,
    ).toBe(0);
  });
});
