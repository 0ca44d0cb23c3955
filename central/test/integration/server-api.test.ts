import { COMMANDS, MESSAGES } from "@neopro/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import { startTestCentral, type TestCentral } from "../support/test-central.js";

let database: TestDatabase;
let server: TestCentral;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestCentral({ databaseUrl: database.url });
});

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

const configPush = { command: "update_config", params: { configuration: { volume: 7 } } };

describe("health probes", () => {
  it("answer without a token", async () => {
    expect(await server.api("GET", "/health/live", { token: null })).toEqual({
      status: 200,
      body: { status: "ok" },
    });
    expect(await server.api("GET", "/health/ready", { token: null })).toEqual({
      status: 200,
      body: { status: "ready" },
    });
  });
});

describe("operator authentication", () => {
  it("refuses a request without a bearer token", async () => {
    const answer = await server.api("GET", "/api/sites", { token: null });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ success: false, error: "UNAUTHORIZED" });
    expect(answer.body.message).toContain("Bearer");
  });

  it("refuses a token that belongs to no operator, and writes nothing", async () => {
    const site = await server.createSite("Auth");
    const answer = await server.api("POST", `/api/sites/${site.id}/command`, {
      body: configPush,
      token: "not-a-real-token",
    });
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe("UNAUTHORIZED");
    expect(await server.countRows("remote_commands", site.id)).toBe(0);
  });
});

describe("sites", () => {
  it("creates a site and shows its agent token only once", async () => {
    const created = await server.api("POST", "/api/sites", {
      body: { siteName: "Complexe Sportif X", clubName: "Club X" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      siteName: "Complexe Sportif X",
      clubName: "Club X",
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });

    const shown = await server.api("GET", `/api/sites/${created.body.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      id: created.body.id,
      site_name: "Complexe Sportif X",
      club_name: "Club X",
      status: "offline",
      online: false,
      pending_count: 0,
    });
    expect(JSON.stringify(shown.body)).not.toContain(created.body.token);
    expect(shown.body).not.toHaveProperty("token_hash");
  });

  it("lists sites with pagination, search and status filters", async () => {
    await server.createSite("Stade Alpha");
    await server.createSite("Stade Beta");
    const page = await server.api("GET", "/api/sites?search=stade&limit=1&offset=1&status=offline");
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect(page.body.sites).toHaveLength(1);
    expect(page.body.sites[0]).toMatchObject({ site_name: "Stade Beta", online: false });
  });

  it("refuses a bad site body, a bad query and unknown or malformed ids", async () => {
    const before = await server.countRows("sites");
    const missingClub = await server.api("POST", "/api/sites", { body: { siteName: "Only a name" } });
    expect(missingClub.status).toBe(400);
    expect(missingClub.body).toMatchObject({ success: false, error: "INVALID_BODY" });
    expect(missingClub.body.details.issues[0].path).toBe("clubName");
    expect(await server.countRows("sites")).toBe(before);

    expect((await server.api("GET", "/api/sites?limit=0")).body.error).toBe("INVALID_QUERY");
    expect((await server.api("GET", "/api/sites?status=sleeping")).body.error).toBe("INVALID_QUERY");

    const badId = await server.api("GET", "/api/sites/not-a-uuid");
    expect(badId.status).toBe(400);
    expect(badId.body.error).toBe("INVALID_ID");

    const unknown = await server.api("GET", "/api/sites/5b0b4c57-0000-4000-8000-000000000000");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe("SITE_NOT_FOUND");
  });
});

describe("POST /api/sites/:id/command to an offline site", () => {
  it("queues a queueable command with the reference's answer, defaults and pending row", async () => {
    const site = await server.createSite("Queue");
    const answer = await server.api("POST", `/api/sites/${site.id}/command`, { body: configPush });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      success: true,
      queued: true,
      commandId: expect.any(String),
      message: "Commande mise en file d'attente. Elle sera exécutée à la prochaine connexion du site.",
    });

    const pending = await server.api("GET", `/api/sites/${site.id}/pending-commands`);
    expect(pending.status).toBe(200);
    expect(pending.body).toMatchObject({
      siteId: site.id,
      siteName: "Queue",
      clubName: "Club Queue",
      pendingCount: 1,
    });
    expect(pending.body.commands[0]).toMatchObject({
      id: answer.body.commandId,
      site_id: site.id,
      command_type: "update_config",
      command_data: { configuration: { volume: 7 } },
      priority: 5,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      expires_at: null,
      attempts: 0,
      description: "Mise à jour configuration",
      max_attempts: 3,
      state: "EN ATTENTE",
    });
  });

  it("uses the catalogue's priority unless the body gives one, and keeps the body's options", async () => {
    const site = await server.createSite("Options");
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    await server.api("POST", `/api/sites/${site.id}/command`, {
      body: { command: "update_software", params: { version: "2.4.1" } },
    });
    await server.api("POST", `/api/sites/${site.id}/command`, {
      body: { ...configPush, priority: 9, expiresAt, maxAttempts: 5, description: "Réglage du son" },
    });
    const { body } = await server.api("GET", `/api/sites/${site.id}/pending-commands`);
    expect(body.commands.map((command: { priority: number }) => command.priority)).toEqual([
      COMMANDS.update_software.defaultPriority,
      9,
    ]);
    expect(body.commands[0].description).toBe("Mise à jour logicielle");
    expect(body.commands[1]).toMatchObject({ max_attempts: 5, description: "Réglage du son" });
    expect(new Date(body.commands[1].expires_at).toISOString()).toBe(expiresAt);
  });

  it("refuses a real-time command with the reference's message and writes nothing", async () => {
    const site = await server.createSite("Realtime");
    const answer = await server.api("POST", `/api/sites/${site.id}/command`, {
      body: { command: "get_logs" },
    });
    expect(answer.status).toBe(409);
    expect(answer.body).toEqual({
      success: false,
      error: "SITE_OFFLINE",
      message:
        "Le site n'est pas connecté. La commande \"get_logs\" ne peut pas être mise en file d'attente.",
    });
    expect(await server.countRows("remote_commands", site.id)).toBe(0);
  });

  it("refuses a queueable command when queueIfOffline is false, writing nothing", async () => {
    const site = await server.createSite("NoQueue");
    const answer = await server.api("POST", `/api/sites/${site.id}/command`, {
      body: { ...configPush, queueIfOffline: false },
    });
    expect(answer.status).toBe(409);
    expect(answer.body.error).toBe("SITE_OFFLINE");
    expect(await server.countRows("pending_commands", site.id)).toBe(0);
    expect(await server.countRows("remote_commands", site.id)).toBe(0);
  });
});

describe("bad command requests get a 4xx with an error code and write nothing", () => {
  const future = () => new Date(Date.now() + 60_000).toISOString();
  const cases: {
    name: string;
    status: number;
    error: string;
    body?: unknown;
    raw?: string;
    type?: string;
  }[] = [
    { name: "malformed JSON", status: 400, error: "INVALID_JSON", raw: '{"command": "update_config",' },
    { name: "empty JSON body", status: 400, error: "INVALID_JSON", raw: "" },
    {
      name: "text/plain body",
      status: 415,
      error: "UNSUPPORTED_MEDIA_TYPE",
      raw: "update_config",
      type: "text/plain",
    },
    {
      name: "body over 1 MiB",
      status: 413,
      error: "PAYLOAD_TOO_LARGE",
      raw: JSON.stringify({ pad: "x".repeat(1_100_000) }),
    },
    { name: "not an object", status: 400, error: "INVALID_BODY", body: ["update_config"] },
    { name: "unknown command", status: 400, error: "UNKNOWN_COMMAND", body: { command: "format_disk" } },
    { name: "missing params", status: 400, error: "INVALID_PARAMS", body: { command: "deploy_video" } },
    {
      name: "unknown key in params",
      status: 400,
      error: "INVALID_PARAMS",
      body: { command: "delete_video", params: { filename: "a.mp4", force: true } },
    },
    {
      name: "path in a file name",
      status: 400,
      error: "INVALID_PARAMS",
      body: { command: "delete_video", params: { filename: "../etc/passwd" } },
    },
    {
      name: "unknown key in body",
      status: 400,
      error: "INVALID_BODY",
      body: { ...configPush, urgent: true },
    },
    { name: "priority 0", status: 400, error: "INVALID_BODY", body: { ...configPush, priority: 0 } },
    { name: "priority 11", status: 400, error: "INVALID_BODY", body: { ...configPush, priority: 11 } },
    {
      name: "expiresAt not a date",
      status: 400,
      error: "INVALID_BODY",
      body: { ...configPush, expiresAt: "soon" },
    },
    {
      name: "expiresAt in the past",
      status: 400,
      error: "INVALID_BODY",
      body: { ...configPush, expiresAt: "2020-01-01T00:00:00Z" },
    },
    { name: "maxAttempts 0", status: 400, error: "INVALID_BODY", body: { ...configPush, maxAttempts: 0 } },
  ];

  it.each(cases)("$name → $status $error", async ({ status, error, body, raw, type }) => {
    const site = await server.createSite("BadInput");
    const answer = await server.api("POST", `/api/sites/${site.id}/command`, {
      ...(raw === undefined ? { body } : { rawBody: raw }),
      ...(type ? { contentType: type } : {}),
    });
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ success: false, error, message: expect.any(String) });
    expect(await server.countRows("remote_commands", site.id)).toBe(0);
    expect(await server.countRows("pending_commands", site.id)).toBe(0);
  });

  it("unknown site → 404 SITE_NOT_FOUND", async () => {
    const before = await server.countRows("remote_commands");
    const answer = await server.api("POST", "/api/sites/5b0b4c57-0000-4000-8000-000000000001/command", {
      body: { ...configPush, expiresAt: future() },
    });
    expect(answer.status).toBe(404);
    expect(answer.body.error).toBe("SITE_NOT_FOUND");
    expect(await server.countRows("remote_commands")).toBe(before);
  });

  it("malformed site id → 400 INVALID_ID; wait over the limit → 400 INVALID_QUERY", async () => {
    const badId = await server.api("POST", "/api/sites/123/command", { body: configPush });
    expect(badId.status).toBe(400);
    expect(badId.body.error).toBe("INVALID_ID");
    const site = await server.createSite("BadWait");
    const badWait = await server.api("POST", `/api/sites/${site.id}/command?wait=500`, { body: configPush });
    expect(badWait.status).toBe(400);
    expect(badWait.body.error).toBe("INVALID_QUERY");
    expect(await server.countRows("remote_commands", site.id)).toBe(0);
  });

  it("an unknown route → 404 NOT_FOUND", async () => {
    const answer = await server.api("GET", "/api/nowhere");
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ success: false, error: "NOT_FOUND" });
  });
});

describe("managing the queue", () => {
  it("cancels one pending command, then says it is no longer pending", async () => {
    const site = await server.createSite("CancelOne");
    const { body } = await server.api("POST", `/api/sites/${site.id}/command`, { body: configPush });
    const route = `/api/sites/${site.id}/pending-commands/${body.commandId}`;

    const cancelled = await server.api("DELETE", route);
    expect(cancelled).toEqual({
      status: 200,
      body: { success: true, message: "Commande annulée avec succès." },
    });
    expect((await server.api("GET", `/api/sites/${site.id}/pending-commands`)).body.pendingCount).toBe(0);
    const record = await server.api("GET", `/api/sites/${site.id}/commands/${body.commandId}`);
    expect(record.body).toMatchObject({ status: "cancelled", cancelled_at: expect.any(String) });

    const again = await server.api("DELETE", route);
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ error: "COMMAND_NOT_PENDING", details: { status: "cancelled" } });

    const unknown = await server.api(
      "DELETE",
      `/api/sites/${site.id}/pending-commands/5b0b4c57-0000-4000-8000-000000000002`,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe("COMMAND_NOT_FOUND");
  });

  it("cancels every pending command of a site with the count in the message", async () => {
    const site = await server.createSite("CancelAll");
    for (let index = 0; index < 3; index += 1) {
      await server.api("POST", `/api/sites/${site.id}/command`, { body: configPush });
    }
    const answer = await server.api("DELETE", `/api/sites/${site.id}/pending-commands`);
    expect(answer).toEqual({
      status: 200,
      body: { success: true, message: MESSAGES.cancelledAll(3), count: 3 },
    });
    expect(answer.body.message).toBe("3 commande(s) en attente annulée(s).");
    expect(await server.countRows("pending_commands", site.id)).toBe(0);
  });

  it("retries a command stuck at max attempts (§8's reset)", async () => {
    const site = await server.createSite("Retry");
    const { body } = await server.api("POST", `/api/sites/${site.id}/command`, { body: configPush });
    await server.central.db.query("UPDATE pending_commands SET attempts = max_attempts WHERE id = $1", [
      body.commandId,
    ]);
    const stuck = await server.api("GET", `/api/sites/${site.id}/pending-commands`);
    expect(stuck.body.commands[0].state).toBe("MAX TENTATIVES");

    const retried = await server.api(
      "POST",
      `/api/sites/${site.id}/pending-commands/${body.commandId}/retry`,
    );
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({
      success: true,
      commandId: body.commandId,
      message: MESSAGES.attemptsReset,
    });
    const after = await server.api("GET", `/api/sites/${site.id}/pending-commands`);
    expect(after.body.commands[0]).toMatchObject({ attempts: 0, state: "EN ATTENTE" });
  });

  it("summarises the queue in §4's shape", async () => {
    const site = await server.createSite("Summary");
    await server.api("POST", `/api/sites/${site.id}/command`, { body: configPush });
    await server.api("POST", `/api/sites/${site.id}/command`, {
      body: { command: "update_software", params: { version: "3.0.0" }, priority: 1 },
    });
    const answer = await server.api("GET", "/api/sites/queue/summary");
    expect(answer.status).toBe(200);
    expect(answer.body.totalPending).toBeGreaterThanOrEqual(2);
    expect(answer.body.sitesWithPendingCommands).toBeGreaterThanOrEqual(1);
    const row = answer.body.sites.find((entry: { site_id: string }) => entry.site_id === site.id);
    expect(row).toEqual({
      site_id: site.id,
      club_name: "Club Summary",
      site_status: "offline",
      pending_count: 2,
      highest_priority: 1,
      oldest_command: expect.any(String),
      newest_command: expect.any(String),
      command_types: expect.arrayContaining(["update_config", "update_software"]),
    });
  });

  it("shows the command history newest first, paginated, and one command by id", async () => {
    const site = await server.createSite("History");
    const ids: string[] = [];
    for (const volume of [1, 2, 3]) {
      const { body } = await server.api("POST", `/api/sites/${site.id}/command`, {
        body: { command: "update_config", params: { configuration: { volume } } },
      });
      ids.push(body.commandId);
    }
    const page = await server.api("GET", `/api/sites/${site.id}/commands?limit=2`);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect(page.body.commands.map((command: { id: string }) => command.id)).toEqual([ids[2], ids[1]]);

    const one = await server.api("GET", `/api/sites/${site.id}/commands/${ids[0]}`);
    expect(one.body).toMatchObject({
      id: ids[0],
      status: "queued",
      queueable: true,
      command_data: { configuration: { volume: 1 } },
    });
    const other = await server.createSite("Other");
    const foreign = await server.api("GET", `/api/sites/${other.id}/commands/${ids[0]}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error).toBe("COMMAND_NOT_FOUND");
  });
});

describe("unexpected failures", () => {
  it("answer 500 INTERNAL_ERROR without leaking details, and log the stack", async () => {
    await server.central.db.query("ALTER TABLE remote_commands RENAME TO remote_commands_away");
    try {
      const site = await server.createSite("Broken");
      const answer = await server.api("GET", `/api/sites/${site.id}/commands`);
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({
        success: false,
        error: "INTERNAL_ERROR",
        message: "Internal error; the server log has the details",
      });
      const logged = await server.waitForLog("Request failed unexpectedly");
      expect((logged.err as { stack: string }).stack).toContain("remote_commands");
    } finally {
      await server.central.db.query("ALTER TABLE remote_commands_away RENAME TO remote_commands");
    }
  });
});
