import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, apiClient, eventually } from "../support/api-client.js";
import { makeTempDir, readAgentLedger, removeDir, writeCountingUpdateScript } from "../support/fixtures.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { type CentralProcess, type RunningProcess, startAgent, startCentral } from "../support/processes.js";

/**
 * The scenarios of §4 and §5 of the reference, with real processes: central
 * on the real PostgreSQL, the sync-agent with its real SQLite and handlers.
 */
const ADMIN_TOKEN = "e2e-operator-token-0123456789";

interface CommandView {
  id: string;
  status: string;
  result: unknown;
  command_type: string;
}

describe("command queue end to end", () => {
  let database: TestDatabase;
  let workDir: string;
  let central: CentralProcess;
  let api: ApiClient;
  const agents: RunningProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    workDir = await makeTempDir();
    central = await startCentral({
      DATABASE_URL: database.url,
      DATA_DIR: join(workDir, "central"),
      ADMIN_TOKEN,
      EXPIRY_INTERVAL_MS: "300",
    });
    api = apiClient(central.url, ADMIN_TOKEN);
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await central?.stop();
    await database?.drop();
    await removeDir(workDir);
  });

  async function agentFor(
    site: { id: string; token: string },
    name: string,
    extraEnv: Record<string, string> = {},
  ) {
    const dataDir = join(workDir, name);
    const agent = startAgent({
      CENTRAL_URL: central.url,
      SITE_ID: site.id,
      SITE_TOKEN: site.token,
      DATA_DIR: dataDir,
      HOSTAPD_CONF: join(workDir, "no-hostapd.conf"),
      ...extraEnv,
    });
    agents.push(agent);
    return { agent, dataDir };
  }

  function command(siteId: string, commandId: string) {
    return api.get<CommandView>(`/api/sites/${siteId}/commands/${commandId}`);
  }

  async function waitForStatus(siteId: string, commandId: string, status: string) {
    return eventually(
      async () => {
        const { body } = await command(siteId, commandId);
        return body.status === status ? body : undefined;
      },
      { what: `command ${commandId} to be ${status}` },
    );
  }

  it("queues commands for an offline site, refuses real-time ones, and drains by priority on connect", async () => {
    const site = await api.createSite("Complexe Sportif X", "Club X");
    const updates = await writeCountingUpdateScript(join(workDir, "drain-updates"));

    const refused = await api.post(`/api/sites/${site.id}/command`, { command: "get_logs", params: {} });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    expect(refused.body).toMatchObject({
      success: false,
      error: "SITE_OFFLINE",
      message:
        "Le site n'est pas connecté. La commande \"get_logs\" ne peut pas être mise en file d'attente.",
    });

    const send = (body: Record<string, unknown>) => api.post(`/api/sites/${site.id}/command`, body);
    const normal = await send({ command: "update_config", params: { configuration: { volume: 70 } } });
    expect(normal.status).toBe(200);
    expect(normal.body).toMatchObject({
      success: true,
      queued: true,
      message: "Commande mise en file d'attente. Elle sera exécutée à la prochaine connexion du site.",
    });
    const urgent = await send({ command: "update_software", params: { version: "2.0.1" }, priority: 1 });
    const low = await send({ command: "delete_video", params: { filename: "old.mp4" }, priority: 10 });
    const later = await send({ command: "update_config", params: { configuration: { volume: 90 } } });
    const ids = [normal, urgent, low, later].map((response) => String(response.body.commandId));

    const pending = await api.get<{ pendingCount: number; commands: { id: string }[] }>(
      `/api/sites/${site.id}/pending-commands`,
    );
    expect(pending.body.pendingCount).toBe(4);
    expect(pending.body.commands.map((row) => row.id)).toEqual([ids[1], ids[0], ids[3], ids[2]]);

    const { dataDir } = await agentFor(site, "agent-drain", { UPDATE_COMMAND: updates.path });
    for (const id of ids) await waitForStatus(site.id, id, "succeeded");

    expect(readAgentLedger(dataDir).map((row) => row.id)).toEqual([ids[1], ids[0], ids[3], ids[2]]);
    expect(await updates.runs()).toEqual(["2.0.1"]);
    const emptied = await api.get<{ pendingCount: number }>(`/api/sites/${site.id}/pending-commands`);
    expect(emptied.body.pendingCount).toBe(0);

    const processing = await central.waitForMessage("Processing pending commands");
    expect(processing).toMatchObject({ siteId: site.id });
    const processed = await central.waitForMessage("Pending commands processed");
    expect(processed).toMatchObject({ siteId: site.id });

    const config = await command(site.id, ids[3] as string);
    expect(config.body.result).toMatchObject({ bytes: expect.any(Number) });
  });

  it("sends a command to a connected site at once and awaits a real-time result", async () => {
    const site = await api.createSite("Stade Municipal", "Club Y");
    await agentFor(site, "agent-live");
    await eventually(async () => {
      const { body } = await api.get<{ online?: boolean; status?: string }>(`/api/sites/${site.id}`);
      return body.online === true || body.status === "online" ? true : undefined;
    });

    const sent = await api.post(`/api/sites/${site.id}/command`, {
      command: "update_config",
      params: { configuration: { screen: "hall" } },
    });
    expect(sent.body).toMatchObject({ success: true, message: "Commande envoyée au site." });
    await waitForStatus(site.id, String(sent.body.commandId), "succeeded");

    const awaited = await api.post(`/api/sites/${site.id}/command?wait=10`, { command: "get_config" });
    expect(awaited.status).toBe(200);
    expect(awaited.body).toMatchObject({
      success: true,
      status: "succeeded",
      result: { configuration: { screen: "hall" } },
    });
  });

  it("never delivers a cancelled or an expired command", async () => {
    const site = await api.createSite("Gymnase Sud", "Club Z");
    const send = (body: Record<string, unknown>) => api.post(`/api/sites/${site.id}/command`, body);
    const cancelledByAll = [
      await send({ command: "delete_video", params: { filename: "a.mp4" } }),
      await send({ command: "delete_video", params: { filename: "b.mp4" } }),
    ];
    const all = await api.delete(`/api/sites/${site.id}/pending-commands`);
    expect(all.body).toEqual({ success: true, message: "2 commande(s) en attente annulée(s).", count: 2 });

    const cancelled = await send({ command: "delete_video", params: { filename: "c.mp4" } });
    const expiring = await send({
      command: "delete_video",
      params: { filename: "d.mp4" },
      expiresAt: new Date(Date.now() + 1_000).toISOString(),
    });
    const kept = await send({ command: "delete_video", params: { filename: "e.mp4" } });
    const one = await api.delete(`/api/sites/${site.id}/pending-commands/${cancelled.body.commandId}`);
    expect(one.body).toEqual({ success: true, message: "Commande annulée avec succès." });
    await new Promise((resolve) => setTimeout(resolve, 1_200));

    const { dataDir } = await agentFor(site, "agent-expiry");
    await waitForStatus(site.id, String(kept.body.commandId), "succeeded");
    await waitForStatus(site.id, String(expiring.body.commandId), "expired");
    for (const response of [cancelled, ...cancelledByAll]) {
      expect((await command(site.id, String(response.body.commandId))).body.status).toBe("cancelled");
    }
    expect(readAgentLedger(dataDir).map((row) => row.id)).toEqual([kept.body.commandId]);
  });
});
