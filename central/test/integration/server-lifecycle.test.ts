import type { DeliveredCommand } from "@neopro/protocol";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import type { CentralConfig } from "../../src/config.js";
import { enqueueCommand } from "../../src/store/queue.js";
import { connectAgent, type DeliveryAnswer, type ProtocolClient } from "../support/protocol-client.js";
import { eventually, startTestCentral, type TestCentral } from "../support/test-central.js";

const databases: TestDatabase[] = [];
const centrals: TestCentral[] = [];
const agents: ProtocolClient[] = [];

async function freshCentral(overrides: Partial<CentralConfig>) {
  const database = await createTestDatabase();
  databases.push(database);
  const server = await startTestCentral({ databaseUrl: database.url, ...overrides });
  centrals.push(server);
  return { server, database };
}

async function connect(server: TestCentral, site: { id: string; token: string }, onDeliver?: DeliveryAnswer) {
  const agent = await connectAgent(server.url, {
    siteId: site.id,
    token: site.token,
    ...(onDeliver ? { onDeliver } : {}),
  });
  agents.push(agent);
  return agent;
}

const config = (volume: number) => ({ command: "update_config", params: { configuration: { volume } } });

afterEach(() => {
  for (const agent of agents.splice(0)) agent.close();
});

afterAll(async () => {
  for (const server of centrals) await server.stop();
  for (const database of databases) await database.drop();
});

describe("expiry", () => {
  it("records expired commands as expired and removes them from the queue", async () => {
    const { server } = await freshCentral({ expiryIntervalMs: 150 });
    const site = await server.createSite("Expiry");
    const { body } = await server.api("POST", `/api/sites/${site.id}/command`, {
      body: { ...config(1), expiresAt: new Date(Date.now() + 200).toISOString() },
    });
    await eventually(
      async () =>
        (await server.api("GET", `/api/sites/${site.id}/commands/${body.commandId}`)).body.status ===
        "expired",
    );
    expect(await server.countRows("pending_commands", site.id)).toBe(0);
    await server.waitForLog("Expired pending commands removed from the queue");

    const agent = await connect(server, site);
    await server.waitForLog("Agent connected", (line) => line.siteId === site.id);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(agent.commands()).toEqual([]);
  });
});

describe("flow control", () => {
  it("keeps at most DELIVERY_WINDOW commands unacknowledged, in batches of DELIVERY_BATCH_SIZE", async () => {
    const { server } = await freshCentral({ deliveryWindow: 5, deliveryBatchSize: 2 });
    const site = await server.createSite("Window");
    for (let volume = 0; volume < 13; volume += 1) {
      await server.api("POST", `/api/sites/${site.id}/command`, { body: config(volume) });
    }
    let unacknowledged = 0;
    let peak = 0;
    const agent = await connect(server, site, async (batch: DeliveredCommand[]) => {
      unacknowledged += batch.length;
      peak = Math.max(peak, unacknowledged);
      await new Promise((resolve) => setTimeout(resolve, 30));
      unacknowledged -= batch.length;
      return { recorded: batch.map((command) => command.id) };
    });
    const delivered = await agent.waitForCommands(13);
    const processed = await server.waitForLog(
      "Pending commands processed",
      (line) => line.siteId === site.id,
    );
    expect(processed).toMatchObject({ delivered: 13, failed: 0, remaining: 0 });
    expect(new Set(delivered.map((command) => command.id)).size).toBe(13);
    expect(Math.max(...agent.batches.map((batch) => batch.length))).toBe(2);
    expect(peak).toBe(5);
    expect(
      delivered.map(
        (command) => (command.params as { configuration: { volume: number } }).configuration.volume,
      ),
    ).toEqual([...Array(13).keys()]);
  });
});

describe("missed notifications", () => {
  it("the periodic sweep delivers a command whose NOTIFY never came", async () => {
    const { server } = await freshCentral({ sweepIntervalMs: 200 });
    const site = await server.createSite("Sweep");
    const agent = await connect(server, site);
    await server.waitForLog("Agent connected", (line) => line.siteId === site.id);
    const db = server.central.db;
    await db.query("ALTER TABLE pending_commands DISABLE TRIGGER pending_commands_notify_insert");
    const { id } = await enqueueCommand(db, {
      siteId: site.id,
      type: "delete_video",
      params: { filename: "old.mp4" },
      priority: 5,
      queueable: true,
      expiresAt: null,
      maxAttempts: 3,
      description: null,
      createdBy: null,
    });
    const [delivered] = await agent.waitForCommands(1, 3000);
    expect(delivered?.id).toBe(id);
    const processing = await server.waitForLog(
      "Processing pending commands",
      (line) => line.siteId === site.id,
    );
    expect(processing.trigger).toBe("sweep");
  });
});

describe("shutdown and isolation", () => {
  it("two centrals run side by side in one process, each with its own sites", async () => {
    const one = await freshCentral({});
    const two = await freshCentral({});
    const siteOne = await one.server.createSite("One");
    expect((await two.server.api("GET", `/api/sites/${siteOne.id}`)).status).toBe(404);
    expect((await two.server.api("GET", "/api/sites", { token: one.server.adminToken })).status).toBe(401);
    const agent = await connect(one.server, siteOne);
    await one.server.api("POST", `/api/sites/${siteOne.id}/command`, { body: config(1) });
    await agent.waitForCommands(1);
  });

  it("stop() waits for an acknowledgement in flight and records it before closing", async () => {
    const { server, database } = await freshCentral({ deliveryAckTimeoutMs: 5000, shutdownGraceMs: 3000 });
    const site = await server.createSite("Shutdown");
    const { body } = await server.api("POST", `/api/sites/${site.id}/command`, { body: config(1) });
    let release: () => void = () => {};
    const acknowledged = new Promise<void>((resolve) => {
      release = resolve;
    });
    const agent = await connect(server, site, async (batch) => {
      await acknowledged;
      return { recorded: batch.map((command) => command.id) };
    });
    await agent.waitForCommands(1);
    const stopped = server.central.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    await stopped;

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT status FROM remote_commands WHERE id = $1", [
        body.commandId,
      ]);
      expect(rows[0]?.status).toBe("delivered");
      const pending = await client.query("SELECT 1 FROM pending_commands WHERE id = $1", [body.commandId]);
      expect(pending.rowCount).toBe(0);
      const siteRow = await client.query("SELECT status FROM sites WHERE id = $1", [site.id]);
      expect(siteRow.rows[0]?.status).toBe("offline");
    } finally {
      await client.end();
    }
    expect(server.logs.map((line) => line.msg)).toContain("Central stopped");
  });
});
