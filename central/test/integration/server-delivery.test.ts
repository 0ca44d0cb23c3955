import { MESSAGES, PROTOCOL_VERSION } from "@neopro/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import {
  connectAgent,
  connectionRefusal,
  type ProtocolClient,
  type ProtocolClientOptions,
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

async function connect(options: ProtocolClientOptions): Promise<ProtocolClient> {
  const agent = await connectAgent(server.url, options);
  agents.push(agent);
  return agent;
}

async function queue(siteId: string, body: Record<string, unknown>): Promise<string> {
  const answer = await server.api("POST", `/api/sites/${siteId}/command`, { body });
  if (answer.status !== 200) throw new Error(`enqueue failed: ${JSON.stringify(answer.body)}`);
  return answer.body.commandId;
}

const config = (volume: number, priority?: number) => ({
  command: "update_config",
  params: { configuration: { volume } },
  ...(priority === undefined ? {} : { priority }),
});

async function commandRow(siteId: string, commandId: string) {
  return (await server.api("GET", `/api/sites/${siteId}/commands/${commandId}`)).body;
}

describe("reconnect drain", () => {
  it("delivers commands queued while offline on connect, by priority then age, and logs both lines", async () => {
    const site = await server.createSite("Drain");
    const low = await queue(site.id, config(1, 7));
    const urgent = await queue(site.id, config(2, 1));
    const normalFirst = await queue(site.id, config(3));
    const normalSecond = await queue(site.id, config(4));

    const agent = await connect({ siteId: site.id, token: site.token });
    const delivered = await agent.waitForCommands(4);
    expect(delivered.map((command) => command.id)).toEqual([urgent, normalFirst, normalSecond, low]);
    expect(delivered[0]).toEqual({
      id: urgent,
      type: "update_config",
      params: { configuration: { volume: 2 } },
      priority: 1,
      createdAt: expect.any(String),
      expiresAt: null,
    });

    const processing = await server.waitForLog(
      "Processing pending commands",
      (line) => line.siteId === site.id,
    );
    expect(processing).toMatchObject({ pendingCount: 4, trigger: "connect" });
    const processed = await server.waitForLog(
      "Pending commands processed",
      (line) => line.siteId === site.id,
    );
    expect(processed).toMatchObject({
      delivered: 4,
      failed: 0,
      remaining: 0,
      durationMs: expect.any(Number),
    });

    expect(await server.countRows("pending_commands", site.id)).toBe(0);
    expect(await commandRow(site.id, low)).toMatchObject({
      status: "delivered",
      attempts: 1,
      delivered_at: expect.any(String),
    });
    const shown = await server.api("GET", `/api/sites/${site.id}`);
    expect(shown.body).toMatchObject({ status: "online", online: true, agent_version: "test-agent" });
  });

  it("delivers a command queued while the agent is connected, without a reconnect", async () => {
    const site = await server.createSite("Live");
    const agent = await connect({ siteId: site.id, token: site.token });
    await server.waitForLog("Agent connected", (line) => line.siteId === site.id);
    const answer = await server.api("POST", `/api/sites/${site.id}/command`, { body: config(5) });
    expect(answer.body).toEqual({
      success: true,
      commandId: expect.any(String),
      queued: false,
      message: MESSAGES.sent,
    });
    const [delivered] = await agent.waitForCommands(1);
    expect(delivered?.id).toBe(answer.body.commandId);
    await eventually(async () => (await commandRow(site.id, answer.body.commandId)).status === "delivered");
  });

  it("keeps an unacknowledged command pending with its attempt counted, and delivers it next time", async () => {
    const site = await server.createSite("NoAck");
    const commandId = await queue(site.id, config(6));
    const silent = await connect({ siteId: site.id, token: site.token, onDeliver: () => "no-ack" });
    await silent.waitForCommands(1);
    const processed = await server.waitForLog(
      "Pending commands processed",
      (line) => line.siteId === site.id,
    );
    expect(processed).toMatchObject({ delivered: 0, failed: 1, remaining: 1 });
    const pending = await server.api("GET", `/api/sites/${site.id}/pending-commands`);
    expect(pending.body.commands[0]).toMatchObject({ id: commandId, attempts: 1 });
    expect((await commandRow(site.id, commandId)).status).toBe("queued");
    silent.close();
    await eventually(
      async () => (await server.api("GET", `/api/sites/${site.id}`)).body.status === "offline",
    );

    const healthy = await connect({ siteId: site.id, token: site.token });
    await healthy.waitForCommands(1);
    await eventually(async () => (await commandRow(site.id, commandId)).status === "delivered");
    expect((await commandRow(site.id, commandId)).attempts).toBe(2);
  });

  it("removes from the queue only the commands the agent says it recorded", async () => {
    const site = await server.createSite("Partial");
    const first = await queue(site.id, config(1));
    const second = await queue(site.id, config(2));
    const agent = await connect({
      siteId: site.id,
      token: site.token,
      onDeliver: () => ({ recorded: [first] }),
    });
    await agent.waitForCommands(2);
    await server.waitForLog("Pending commands processed", (line) => line.siteId === site.id);
    expect((await commandRow(site.id, first)).status).toBe("delivered");
    const pending = await server.api("GET", `/api/sites/${site.id}/pending-commands`);
    expect(pending.body.commands.map((command: { id: string }) => command.id)).toEqual([second]);
  });

  it("never delivers a command at max attempts, nor an expired one, even before the cleanup runs", async () => {
    const site = await server.createSite("Skip");
    const exhausted = await queue(site.id, { ...config(1), maxAttempts: 1 });
    await server.central.db.query("UPDATE pending_commands SET attempts = 1 WHERE id = $1", [exhausted]);
    const expiring = await queue(site.id, {
      ...config(2),
      expiresAt: new Date(Date.now() + 300).toISOString(),
    });
    const fresh = await queue(site.id, config(3));
    await new Promise((resolve) => setTimeout(resolve, 400));

    const agent = await connect({ siteId: site.id, token: site.token });
    await agent.waitForCommands(1);
    await server.waitForLog("Pending commands processed", (line) => line.siteId === site.id);
    expect(agent.commands().map((command) => command.id)).toEqual([fresh]);
    const states = (await server.api("GET", `/api/sites/${site.id}/pending-commands`)).body.commands.map(
      (command: { id: string; state: string }) => [command.id, command.state],
    );
    expect(states).toEqual(
      expect.arrayContaining([
        [exhausted, "MAX TENTATIVES"],
        [expiring, "EXPIRÉ"],
      ]),
    );
  });

  it("never delivers a cancelled command", async () => {
    const site = await server.createSite("Cancelled");
    const cancelled = await queue(site.id, config(1, 1));
    const kept = await queue(site.id, config(2));
    await server.api("DELETE", `/api/sites/${site.id}/pending-commands/${cancelled}`);
    const agent = await connect({ siteId: site.id, token: site.token });
    await agent.waitForCommands(1);
    await server.waitForLog("Pending commands processed", (line) => line.siteId === site.id);
    expect(agent.commands().map((command) => command.id)).toEqual([kept]);
    expect((await commandRow(site.id, cancelled)).status).toBe("cancelled");
  });
});

describe("connections", () => {
  it("lets the newest connection win; the old socket's disconnect leaves the site online", async () => {
    const site = await server.createSite("Twice");
    const first = await connect({ siteId: site.id, token: site.token });
    const firstClosed = first.disconnected();
    await server.waitForLog("Agent connected", (line) => line.siteId === site.id);
    const second = await connect({ siteId: site.id, token: site.token, agentVersion: "second" });
    expect(await firstClosed).toBe("io server disconnect");
    await server.waitForLog(
      "Agent disconnected",
      (line) => line.siteId === site.id && line.replaced === true,
    );

    const shown = await server.api("GET", `/api/sites/${site.id}`);
    expect(shown.body).toMatchObject({ status: "online", online: true, agent_version: "second" });
    const commandId = await queue(site.id, config(9));
    const [delivered] = await second.waitForCommands(1);
    expect(delivered?.id).toBe(commandId);
    expect(first.commands()).toEqual([]);
  });

  it("marks the site offline when its agent disconnects", async () => {
    const site = await server.createSite("Leaves");
    const agent = await connect({ siteId: site.id, token: site.token });
    await eventually(async () => (await server.api("GET", `/api/sites/${site.id}`)).body.status === "online");
    agent.close();
    await eventually(
      async () => (await server.api("GET", `/api/sites/${site.id}`)).body.status === "offline",
    );
    expect((await server.api("GET", `/api/sites/${site.id}`)).body).toMatchObject({
      online: false,
      last_seen_at: expect.any(String),
    });
  });

  it("refuses bad handshakes with a code and a reason, and logs each refusal", async () => {
    const site = await server.createSite("Refused");
    const wrongToken = await connectionRefusal(server.url, { siteId: site.id, token: "wrong" });
    expect(wrongToken.code).toBe("INVALID_SITE_TOKEN");

    const unknownSite = await connectionRefusal(server.url, {
      siteId: "5b0b4c57-0000-4000-8000-000000000003",
      token: site.token,
    });
    expect(unknownSite.code).toBe("UNKNOWN_SITE");

    const future = await connectionRefusal(server.url, {
      siteId: site.id,
      token: site.token,
      protocolVersion: PROTOCOL_VERSION + 1,
    });
    expect(future.code).toBe("PROTOCOL_INCOMPATIBLE");
    expect(future.message).toContain(`version ${PROTOCOL_VERSION + 1}`);
    expect(future.message).toContain(`to ${PROTOCOL_VERSION}`);
    expect(future.message).toMatch(/Upgrade central/);

    const malformed = await connectionRefusal(server.url, { siteId: "not-a-uuid", token: site.token });
    expect(malformed.code).toBe("INVALID_HANDSHAKE");

    const refusals = server.logs.filter((line) => String(line.msg).startsWith("Agent refused"));
    expect(refusals.map((line) => line.code)).toEqual(
      expect.arrayContaining([
        "INVALID_SITE_TOKEN",
        "UNKNOWN_SITE",
        "PROTOCOL_INCOMPATIBLE",
        "INVALID_HANDSHAKE",
      ]),
    );
    expect(refusals.find((line) => line.code === "INVALID_SITE_TOKEN")?.siteId).toBe(site.id);
    expect((await server.api("GET", `/api/sites/${site.id}`)).body.status).toBe("offline");
  });
});
