import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/index.js";
import { claimPendingBatch, enqueueCommand, resetPendingAttempts } from "../../src/store/index.js";
import {
  DATABASE_KINDS,
  newSite,
  openTestDatabase,
  queuedCommand,
  type TestDatabaseHandle,
} from "./databases.js";

const CHANNEL = "pending_commands";

async function eventually(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Lets any notification that is on its way arrive, before asserting that none came. */
const settle = () => sleep(150);

describe.each(DATABASE_KINDS)("pending_commands notifications on %s", (kind) => {
  let handle: TestDatabaseHandle;
  let db: Database;
  const received: string[] = [];
  let stopListening: () => Promise<void>;

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    db = handle.db;
    stopListening = await db.listen(CHANNEL, (payload) => received.push(payload));
  });
  afterAll(async () => {
    await stopListening?.();
    await handle?.destroy();
  });

  it("an enqueued command notifies its site id", async () => {
    const site = await newSite(db);
    await enqueueCommand(db, queuedCommand(site.id));
    await eventually(() => received.includes(site.id), "the insert notification");
  });

  it("a command enqueued in a transaction notifies at commit, and not at all on rollback", async () => {
    const committed = await newSite(db);
    const rolledBack = await newSite(db);

    await db.transaction(async (tx) => {
      await enqueueCommand(tx, queuedCommand(committed.id));
    });
    await expect(
      db.transaction(async (tx) => {
        await enqueueCommand(tx, queuedCommand(rolledBack.id));
        throw new Error("operator request failed");
      }),
    ).rejects.toThrow("operator request failed");

    await eventually(() => received.includes(committed.id), "the committed notification");
    await settle();
    expect(received).not.toContain(rolledBack.id);
  });

  it("a claim stays silent; resetting attempts wakes the dispatcher again", async () => {
    const site = await newSite(db);
    const { id } = await enqueueCommand(db, queuedCommand(site.id, { maxAttempts: 1 }));
    await eventually(() => received.includes(site.id), "the insert notification");
    received.length = 0;

    await claimPendingBatch(db, site.id, { limit: 10, excludeIds: [] });
    await settle();
    expect(received).not.toContain(site.id);

    await resetPendingAttempts(db, site.id, id);
    await eventually(() => received.includes(site.id), "the reset notification");
  });

  it("stops delivering once unlistened", async () => {
    const late: string[] = [];
    const stop = await db.listen(CHANNEL, (payload) => late.push(payload));
    await stop();
    const site = await newSite(db);
    await enqueueCommand(db, queuedCommand(site.id));
    await eventually(() => received.includes(site.id), "the other listener's notification");
    expect(late).toEqual([]);
  });
});

describe("PostgreSQL notification connection", () => {
  let handle: TestDatabaseHandle;
  let db: Database;

  beforeAll(async () => {
    handle = await openTestDatabase("postgres");
    db = handle.db;
  });
  afterAll(() => handle?.destroy());

  it("re-subscribes after its connection is killed, and says notifications may have been missed", async () => {
    const received: string[] = [];
    let reconnects = 0;
    const stop = await db.listen(CHANNEL, (payload) => received.push(payload), {
      onReconnect: () => reconnects++,
    });
    const listening = await db.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'`,
    );
    expect(listening.rows).toHaveLength(1);

    await db.query("SELECT pg_terminate_backend($1)", [listening.rows[0]?.pid]);
    await eventually(() => reconnects === 1, "onReconnect");

    const site = await newSite(db);
    await enqueueCommand(db, queuedCommand(site.id));
    await eventually(() => received.includes(site.id), "a notification after the reconnect");
    await stop();
  });

  it("a claim skips the commands another transaction is claiming", async () => {
    const site = await newSite(db);
    const first = await enqueueCommand(db, queuedCommand(site.id));
    const second = await enqueueCommand(db, queuedCommand(site.id));

    await db.transaction(async (tx) => {
      const held = await claimPendingBatch(tx, site.id, { limit: 1, excludeIds: [] });
      const meanwhile = await claimPendingBatch(db, site.id, { limit: 10, excludeIds: [] });
      expect(held.map((command) => command.id)).toEqual([first.id]);
      expect(meanwhile.map((command) => command.id)).toEqual([second.id]);
    });
  });
});
