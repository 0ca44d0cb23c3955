import type { DeliveredCommand, ResultReport } from "@neopro/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import {
  acknowledgeAll,
  connectAgent,
  type DeliveryAnswer,
  type ProtocolClient,
} from "../support/protocol-client.js";
import { eventually, startTestCentral, type TestCentral } from "../support/test-central.js";

let database: TestDatabase;
let server: TestCentral;
const agents: ProtocolClient[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestCentral({ databaseUrl: database.url, deliveryAckTimeoutMs: 500 });
});

afterEach(() => {
  for (const agent of agents.splice(0)) agent.close();
});

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

async function connectedSite(name: string, onDeliver: DeliveryAnswer = acknowledgeAll) {
  const site = await server.createSite(name);
  const agent = await connectAgent(server.url, { siteId: site.id, token: site.token, onDeliver });
  agents.push(agent);
  await eventually(async () => (await server.api("GET", `/api/sites/${site.id}`)).body.status === "online");
  return { site, agent };
}

function succeeded(commandId: string, result: unknown): ResultReport {
  const now = new Date().toISOString();
  return { commandId, status: "succeeded", result, startedAt: now, finishedAt: now };
}

const configResult = { path: "/data/config.json", bytes: 12, previousKept: true };

async function commandRow(siteId: string, commandId: string) {
  return (await server.api("GET", `/api/sites/${siteId}/commands/${commandId}`)).body;
}

describe("results:report", () => {
  it("records a result once; a resent report is acknowledged but changes nothing", async () => {
    const { site, agent } = await connectedSite("Results");
    const { body } = await server.api("POST", `/api/sites/${site.id}/command`, {
      body: { command: "update_config", params: { configuration: { a: 1 } } },
    });
    await agent.waitForCommands(1);

    expect(await agent.report([succeeded(body.commandId, configResult)])).toEqual({
      accepted: [body.commandId],
    });
    const recorded = await commandRow(site.id, body.commandId);
    expect(recorded).toMatchObject({
      status: "succeeded",
      result: configResult,
      finished_at: expect.any(String),
      reported_at: expect.any(String),
    });

    const resent = await agent.report([succeeded(body.commandId, { ...configResult, bytes: 99 })]);
    expect(resent).toEqual({ accepted: [body.commandId] });
    const after = await commandRow(site.id, body.commandId);
    expect(after.result).toEqual(configResult);
    expect(after.reported_at).toBe(recorded.reported_at);
  });

  it("records failures with their error, and the started notice as running", async () => {
    const { site, agent } = await connectedSite("Failure");
    const { body } = await server.api("POST", `/api/sites/${site.id}/command`, {
      body: { command: "update_software", params: { version: "9.9.9" } },
    });
    await agent.waitForCommands(1);
    await eventually(async () => (await commandRow(site.id, body.commandId)).status === "delivered");
    const startedAt = new Date().toISOString();
    agent.started([{ commandId: body.commandId, startedAt }]);
    await eventually(async () => (await commandRow(site.id, body.commandId)).status === "running");

    await agent.report([
      {
        commandId: body.commandId,
        status: "failed",
        error: { code: "EXIT_CODE", message: "update exited with 3" },
        startedAt,
        finishedAt: new Date().toISOString(),
      },
    ]);
    expect(await commandRow(site.id, body.commandId)).toMatchObject({
      status: "failed",
      error_code: "EXIT_CODE",
      error_message: "update exited with 3",
      started_at: new Date(startedAt).toISOString(),
    });
  });

  it("lets a site report only its own commands", async () => {
    const owner = await connectedSite("Owner");
    const intruder = await connectedSite("Intruder");
    const { body } = await server.api("POST", `/api/sites/${owner.site.id}/command`, {
      body: { command: "update_config", params: { configuration: { b: 2 } } },
    });
    await owner.agent.waitForCommands(1);
    await eventually(async () => (await commandRow(owner.site.id, body.commandId)).status === "delivered");

    // Acknowledged so the intruder stops resending, but nothing is recorded.
    expect(await intruder.agent.report([succeeded(body.commandId, configResult)])).toEqual({
      accepted: [body.commandId],
    });
    expect((await commandRow(owner.site.id, body.commandId)).status).toBe("delivered");
    const warning = await server.waitForLog("Agent reported commands that are not its site's; ignored them");
    expect(warning).toMatchObject({ siteId: intruder.site.id, commandIds: [body.commandId] });
  });

  it("does not acknowledge a malformed batch, so the agent keeps it", async () => {
    const { agent } = await connectedSite("Malformed");
    const bad = [
      { commandId: "not-a-uuid", status: "succeeded", finishedAt: "yesterday" },
    ] as unknown as ResultReport[];
    await expect(agent.report(bad, 300)).rejects.toThrow();
    await server.waitForLog("Agent sent malformed results; not acknowledged");
  });

  it("records a result whose shape differs from the catalogue, with a warning", async () => {
    const { site, agent } = await connectedSite("Shape");
    const { body } = await server.api("POST", `/api/sites/${site.id}/command`, {
      body: { command: "update_config", params: { configuration: {} } },
    });
    await agent.waitForCommands(1);
    await agent.report([succeeded(body.commandId, { unexpected: true })]);
    expect((await commandRow(site.id, body.commandId)).result).toEqual({ unexpected: true });
    const warning = await server.waitForLog(
      "Agent's result does not match the catalogue's result shape; recorded as sent",
    );
    expect(warning).toMatchObject({ commandId: body.commandId, type: "update_config" });
  });
});

describe("real-time commands", () => {
  /** An agent that answers get_config at once, like the real one. */
  function answeringAgent(client: { agent?: ProtocolClient }): DeliveryAnswer {
    return (batch: DeliveredCommand[]) => {
      setTimeout(() => {
        // The test may end (closing the socket) before central's acknowledgement comes back.
        client.agent
          ?.report(
            batch.map((command) =>
              succeeded(command.id, { path: "/data/config.json", configuration: { volume: 3 } }),
            ),
          )
          .catch(() => {});
      }, 20);
      return { recorded: batch.map((command) => command.id) };
    };
  }

  it("?wait returns the agent's result", async () => {
    const holder: { agent?: ProtocolClient } = {};
    const { site, agent } = await connectedSite("Wait", answeringAgent(holder));
    holder.agent = agent;
    const answer = await server.api("POST", `/api/sites/${site.id}/command?wait=5`, {
      body: { command: "get_config" },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      success: true,
      commandId: expect.any(String),
      status: "succeeded",
      result: { path: "/data/config.json", configuration: { volume: 3 } },
    });
  });

  it("?wait times out with the command's current state", async () => {
    const { site } = await connectedSite("Slow");
    const started = Date.now();
    const answer = await server.api("POST", `/api/sites/${site.id}/command?wait=1`, {
      body: { command: "get_system_info" },
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({
      success: true,
      commandId: expect.any(String),
      status: "delivered",
      timedOut: true,
      message: expect.stringContaining(`GET /api/sites/${site.id}/commands/${answer.body.commandId}`),
    });
    expect(answer.body.message).toContain("still delivered after 1 s");
  });

  it("without ?wait answers as soon as the agent has the command", async () => {
    const { site, agent } = await connectedSite("Direct");
    const answer = await server.api("POST", `/api/sites/${site.id}/command`, {
      body: { command: "get_logs", params: { lines: 50 } },
    });
    expect(answer.body).toEqual({
      success: true,
      commandId: expect.any(String),
      queued: false,
      message: "Commande envoyée au site.",
    });
    expect(agent.commands()[0]).toMatchObject({
      id: answer.body.commandId,
      type: "get_logs",
      params: { lines: 50 },
    });
    expect(await commandRow(site.id, answer.body.commandId)).toMatchObject({
      status: "delivered",
      queueable: false,
    });
    expect(await server.countRows("pending_commands", site.id)).toBe(0);
  });

  it("records NOT_DELIVERED when the agent does not acknowledge, and a late result still wins", async () => {
    const { site, agent } = await connectedSite("Deaf", () => "no-ack");
    const answer = await server.api("POST", `/api/sites/${site.id}/command`, {
      body: { command: "get_config" },
    });
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({
      success: false,
      error: "SITE_OFFLINE",
      details: { commandId: expect.any(String) },
    });
    const { commandId } = answer.body.details;
    expect(await commandRow(site.id, commandId)).toMatchObject({
      status: "failed",
      error_code: "NOT_DELIVERED",
    });

    await agent.report([succeeded(commandId, { path: "/data/config.json", configuration: null })]);
    expect(await commandRow(site.id, commandId)).toMatchObject({ status: "succeeded", error_code: null });
  });
});
