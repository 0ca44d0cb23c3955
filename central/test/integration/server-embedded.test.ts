import { afterAll, beforeAll, expect, it } from "vitest";
import { enqueueCommand } from "../../src/store/queue.js";
import { connectAgent, type ProtocolClient } from "../support/protocol-client.js";
import { startTestCentral, type TestCentral } from "../support/test-central.js";

// DATABASE_URL unset: central runs on the embedded PGlite database under its data folder.
let server: TestCentral;
let agent: ProtocolClient | undefined;

beforeAll(async () => {
  server = await startTestCentral({ databaseUrl: undefined });
});

afterAll(async () => {
  agent?.close();
  await server?.stop();
});

it("queues, drains on connect and delivers live commands through PGlite's LISTEN/NOTIFY", async () => {
  expect(server.central.db.kind).toBe("pglite");
  const site = await server.createSite("Embedded");
  const queued = await server.api("POST", `/api/sites/${site.id}/command`, {
    body: {
      command: "deploy_video",
      params: { videoId: "v1", url: "https://cdn.example/v1.mp4", filename: "v1.mp4" },
    },
  });
  expect(queued.body.queued).toBe(true);

  agent = await connectAgent(server.url, { siteId: site.id, token: site.token });
  const [first] = await agent.waitForCommands(1);
  expect(first?.id).toBe(queued.body.commandId);
  await server.waitForLog("Pending commands processed", (line) => line.siteId === site.id);

  // Written straight to the queue (no HTTP kick): only the insert trigger's NOTIFY, from the same
  // PGlite instance, can wake the dispatcher (the sweep runs every 30 s, after the test's timeout).
  const { id } = await enqueueCommand(server.central.db, {
    siteId: site.id,
    type: "delete_video",
    params: { filename: "v0.mp4" },
    priority: 5,
    queueable: true,
    expiresAt: null,
    maxAttempts: 3,
    description: null,
    createdBy: null,
  });
  const startedAt = Date.now();
  const delivered = await agent.waitForCommands(2);
  expect(delivered[1]?.id).toBe(id);
  expect(Date.now() - startedAt).toBeLessThan(2000);
  const processing = await server.waitForLog(
    "Processing pending commands",
    (line) => line.siteId === site.id && line.trigger === "notify",
  );
  expect(processing.pendingCount).toBe(1);
});
