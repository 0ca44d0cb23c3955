import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { MESSAGES } from "@neopro/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, eventually } from "../../test/support/api-client.js";
import { makeTempDir, removeDir } from "../../test/support/fixtures.js";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.js";
import {
  type CentralProcess,
  type RunningProcess,
  startAgent,
  startCentral,
} from "../../test/support/processes.js";
import { runCq } from "./run-cq.js";

/** `cq send --wait` and results, with a real central and a real agent process. */
let database: TestDatabase;
let central: CentralProcess;
let agent: RunningProcess;
let workDir: string;
let env: Record<string, string>;
let siteId: string;
let offlineSiteId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  workDir = await makeTempDir("cq-cli-agent-");
  const token = randomBytes(24).toString("base64url");
  central = await startCentral({
    DATABASE_URL: database.url,
    ADMIN_TOKEN: token,
    DATA_DIR: join(workDir, "data"),
  });
  env = { HOME: join(workDir, "home"), CQ_URL: central.url, CQ_TOKEN: token };
  const api = apiClient(central.url, token);
  const site = await api.createSite("Salle Connectée", "Club Connecté");
  siteId = site.id;
  offlineSiteId = (await api.createSite("Salle Éteinte", "Club Éteint")).id;
  agent = startAgent({
    CENTRAL_URL: central.url,
    SITE_ID: site.id,
    SITE_TOKEN: site.token,
    DATA_DIR: join(workDir, "agent"),
    // Exits 1: an update that fails on the box.
    UPDATE_COMMAND: "/bin/false",
  });
  await eventually(
    async () => ((await api.get<{ online: boolean }>(`/api/sites/${siteId}`)).body.online ? true : undefined),
    { what: "the agent to connect" },
  );
});

afterAll(async () => {
  await agent?.stop();
  await central?.stop();
  await database?.drop();
  if (workDir) await removeDir(workDir);
});

describe("cq with a connected site", () => {
  it("shows the site online", async () => {
    const run = await runCq(["site", siteId], env);
    expect(run.stdout).toMatch(/State\s+online/);
  });

  it("sends to a connected site in the reference's words", async () => {
    const run = await runCq(["send", siteId, "update_config", "--param", "configuration.volume=42"], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(MESSAGES.sent);
    const commandId = /Command id: (\S+)/.exec(run.stdout)?.[1];
    // Later tests read this configuration back.
    await eventually(
      async () => {
        const shown = await runCq(["command", siteId, commandId ?? "", "--json"], env);
        return shown.json().status === "succeeded" ? true : undefined;
      },
      { what: "the configuration to be applied" },
    );
  });

  it("--wait prints the result of a real-time command and exits 0", async () => {
    const config = await runCq(["send", siteId, "get_config", "--wait", "15"], env);
    expect(config.code).toBe(0);
    expect(config.stdout).toMatch(/^Command [0-9a-f-]{36}: succeeded/);
    expect(config.stdout).toContain('"volume": 42');

    const info = await runCq(["send", "Salle Connectée", "get_system_info", "--wait", "15"], env);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/FIELD\s+VALUE/);

    const json = await runCq(["send", siteId, "get_config", "--wait", "15", "--json"], env);
    expect(json.json()).toMatchObject({
      success: true,
      status: "succeeded",
      result: { configuration: { volume: 42 } },
    });
  });

  it("--wait exits 5 when the command fails on the box, with its error", async () => {
    const run = await runCq(
      ["send", siteId, "update_software", "--param", "version=2.0.0", "--wait", "15"],
      env,
    );
    expect(run.code).toBe(5);
    expect(run.stdout).toContain(": failed");
    expect(run.stderr).toContain("UPDATE_FAILED");
  });

  it("the history shows results and errors", async () => {
    const run = await runCq(["history", siteId], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/update_software\s+failed .*UPDATE_FAILED/);
    expect(run.stdout).toMatch(/get_config\s+succeeded/);

    const { commands } = (await runCq(["history", siteId, "--json"], env)).json();
    const failed = commands.find(
      (command: { command_type: string }) => command.command_type === "update_software",
    );
    const one = await runCq(["command", siteId, failed.id], env);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain("Error: UPDATE_FAILED");
  });

  it("--wait exits 6 when time runs out (a command queued for an offline site)", async () => {
    const run = await runCq(
      ["send", offlineSiteId, "delete_video", "--param", "filename=a.mp4", "--wait", "0.5"],
      env,
    );
    expect(run.code).toBe(6);
    expect(run.stdout).toContain("still queued");
  });
});
