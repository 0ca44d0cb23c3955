import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import { connectAgent } from "../support/protocol-client.js";
import { startTestCentral, type TestCentral } from "../support/test-central.js";

/**
 * An operator must not be told "cancelled" for a command the agent is about
 * to run: while a command is on its way (claimed, acknowledgement awaited),
 * cancelling it is refused. A long acknowledgement timeout keeps that window
 * open for the whole test.
 */
describe("cancelling a command that is being delivered", () => {
  let database: TestDatabase;
  let server: TestCentral;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestCentral({ databaseUrl: database.url, deliveryAckTimeoutMs: 60_000 });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("answers 409 COMMAND_BEING_DELIVERED and leaves it queued; cancel-all skips it", async () => {
    const site = await server.createSite("InFlight");
    const sent = await server.api("POST", `/api/sites/${site.id}/command`, {
      body: { command: "delete_video", params: { filename: "spot.mp4" } },
    });
    const commandId = sent.body.commandId;
    const silent = await connectAgent(server.url, {
      siteId: site.id,
      token: site.token,
      onDeliver: () => "no-ack",
    });
    await silent.waitForCommands(1);

    const cancel = await server.api("DELETE", `/api/sites/${site.id}/pending-commands/${commandId}`);
    expect(cancel.status).toBe(409);
    expect(cancel.body).toMatchObject({ success: false, error: "COMMAND_BEING_DELIVERED" });
    const all = await server.api("DELETE", `/api/sites/${site.id}/pending-commands`);
    expect(all.body).toMatchObject({ success: true, count: 0 });
    const row = await server.api("GET", `/api/sites/${site.id}/commands/${commandId}`);
    expect(row.body.status).toBe("queued");
    silent.close();
  });
});
