import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/index.js";
import {
  cancelAllPendingCommands,
  cancelPendingCommand,
  claimPendingBatch,
  claimPendingBatches,
  confirmDelivered,
  confirmDeliveries,
  createDirectCommand,
  enqueueCommand,
  expireCommands,
  getCommand,
  listPendingCommands,
  queueSummary,
  resetPendingAttempts,
  sitesWithDeliverableCommands,
} from "../../src/store/index.js";
import {
  DATABASE_KINDS,
  newSite,
  openTestDatabase,
  queuedCommand,
  type TestDatabaseHandle,
} from "./databases.js";

const everything = { limit: 100, excludeIds: [] };

const cancelling = { deliveryTimeoutMs: 15_000 };
const anHourAgo = () => new Date(Date.now() - 3_600_000);
const inAnHour = () => new Date(Date.now() + 3_600_000);

describe.each(DATABASE_KINDS)("command queue on %s", (kind) => {
  let handle: TestDatabaseHandle;
  let db: Database;

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    db = handle.db;
  });
  afterAll(() => handle?.destroy());

  it("enqueue writes the command to remote_commands and pending_commands with one id", async () => {
    const site = await newSite(db);
    const { id } = await enqueueCommand(db, queuedCommand(site.id, { priority: 2 }));

    const [pending] = await listPendingCommands(db, site.id);
    expect(pending).toMatchObject({
      id,
      site_id: site.id,
      command_type: "update_config",
      command_data: { configuration: { volume: 7 } },
      priority: 2,
      attempts: 0,
      max_attempts: 3,
      expires_at: null,
      description: "Mise à jour configuration",
      state: "EN ATTENTE",
    });
    expect(pending?.created_at).toBeInstanceOf(Date);
    expect(await getCommand(db, site.id, id)).toMatchObject({
      status: "queued",
      queueable: true,
      priority: 2,
    });
  });

  it("enqueue writes both tables or neither", async () => {
    const site = await newSite(db);
    // Make only the pending_commands insert fail, after the remote_commands insert ran.
    await db.query(
      "ALTER TABLE pending_commands ADD CONSTRAINT refuse_for_test CHECK (description IS DISTINCT FROM 'refuse')",
    );
    try {
      await expect(enqueueCommand(db, queuedCommand(site.id, { description: "refuse" }))).rejects.toThrow(
        /refuse_for_test/,
      );
    } finally {
      await db.query("ALTER TABLE pending_commands DROP CONSTRAINT refuse_for_test");
    }
    const { rows } = await db.query("SELECT id FROM remote_commands WHERE site_id = $1", [site.id]);
    expect(rows).toEqual([]);
  });

  it("enqueue stores a JSON array param as an array, not a PostgreSQL array", async () => {
    const site = await newSite(db);
    const configuration = { playlist: ["a.mp4", "b.mp4"], nested: { list: [1, 2] } };
    await enqueueCommand(db, queuedCommand(site.id, { params: { configuration } }));
    const [claimed] = await claimPendingBatch(db, site.id, everything);
    expect(claimed?.command_data).toEqual({ configuration });
  });

  it("claims by priority, then oldest first, and counts the attempt", async () => {
    const site = await newSite(db);
    const normalOld = await enqueueCommand(db, queuedCommand(site.id, { priority: 5 }));
    const urgent = await enqueueCommand(db, queuedCommand(site.id, { priority: 1 }));
    const normalNew = await enqueueCommand(db, queuedCommand(site.id, { priority: 5 }));
    const veryLow = await enqueueCommand(db, queuedCommand(site.id, { priority: 10 }));
    const high = await enqueueCommand(db, queuedCommand(site.id, { priority: 3 }));

    const claimed = await claimPendingBatch(db, site.id, everything);

    expect(claimed.map((command) => command.id)).toEqual([
      urgent.id,
      high.id,
      normalOld.id,
      normalNew.id,
      veryLow.id,
    ]);
    expect(claimed.every((command) => command.attempts === 1)).toBe(true);
    const pending = await listPendingCommands(db, site.id);
    expect(pending.every((row) => row.last_attempt_at instanceof Date)).toBe(true);
  });

  it("claims at most `limit` commands and skips the ids in flight", async () => {
    const site = await newSite(db);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await enqueueCommand(db, queuedCommand(site.id))).id);

    const first = await claimPendingBatch(db, site.id, { limit: 2, excludeIds: [] });
    const second = await claimPendingBatch(db, site.id, {
      limit: 2,
      excludeIds: first.map((command) => command.id),
    });

    expect(first.map((command) => command.id)).toEqual(ids.slice(0, 2));
    expect(second.map((command) => command.id)).toEqual(ids.slice(2, 4));
  });

  it("never claims an expired command, even before the cleanup runs, nor one at max_attempts", async () => {
    const site = await newSite(db);
    await enqueueCommand(db, queuedCommand(site.id, { expiresAt: anHourAgo() }));
    const once = await enqueueCommand(db, queuedCommand(site.id, { maxAttempts: 1 }));
    const later = await enqueueCommand(db, queuedCommand(site.id, { expiresAt: inAnHour() }));

    const first = await claimPendingBatch(db, site.id, everything);
    const second = await claimPendingBatch(db, site.id, everything);

    expect(first.map((command) => command.id)).toEqual([once.id, later.id]);
    expect(second.map((command) => command.id)).toEqual([later.id]);
    const states = (await listPendingCommands(db, site.id)).map((row) => row.state);
    expect(states.sort()).toEqual(["EN ATTENTE", "EXPIRÉ", "MAX TENTATIVES"]);
  });

  it("claims only the site's own commands", async () => {
    const mine = await newSite(db);
    const theirs = await newSite(db);
    await enqueueCommand(db, queuedCommand(theirs.id));
    expect(await claimPendingBatch(db, mine.id, everything)).toEqual([]);
  });

  it("confirmDelivered removes the site's pending rows and marks them delivered", async () => {
    const site = await newSite(db);
    const other = await newSite(db);
    const { id } = await enqueueCommand(db, queuedCommand(site.id));
    const foreign = await enqueueCommand(db, queuedCommand(other.id));
    await claimPendingBatch(db, site.id, everything);

    expect(await confirmDelivered(db, site.id, [id, foreign.id])).toBe(1);

    expect(await listPendingCommands(db, site.id)).toEqual([]);
    expect(await getCommand(db, site.id, id)).toMatchObject({ status: "delivered", attempts: 1 });
    expect((await getCommand(db, site.id, id))?.delivered_at).toBeInstanceOf(Date);
    // The other site's command is untouched.
    expect(await listPendingCommands(db, other.id)).toHaveLength(1);
    expect(await getCommand(db, other.id, foreign.id)).toMatchObject({ status: "queued" });
    // A repeated acknowledgement changes nothing.
    expect(await confirmDelivered(db, site.id, [id])).toBe(0);
  });

  it("confirmDelivered accepts real-time commands, which have no pending row", async () => {
    const site = await newSite(db);
    const { id } = await createDirectCommand(
      db,
      queuedCommand(site.id, { type: "get_logs", params: {}, queueable: false, maxAttempts: 1 }),
    );
    expect(await listPendingCommands(db, site.id)).toEqual([]);

    expect(await confirmDelivered(db, site.id, [id])).toBe(1);
    expect(await getCommand(db, site.id, id)).toMatchObject({ status: "delivered", attempts: 1 });
  });

  it("cancels one pending command: marked cancelled and never claimable", async () => {
    const site = await newSite(db);
    const other = await newSite(db);
    const cancelled = await enqueueCommand(db, queuedCommand(site.id));
    const kept = await enqueueCommand(db, queuedCommand(site.id));

    expect(await cancelPendingCommand(db, other.id, cancelled.id, cancelling)).toBe(false);
    expect(await cancelPendingCommand(db, site.id, cancelled.id, cancelling)).toBe(true);
    expect(await cancelPendingCommand(db, site.id, cancelled.id, cancelling)).toBe(false);

    const row = await getCommand(db, site.id, cancelled.id);
    expect(row?.status).toBe("cancelled");
    expect(row?.cancelled_at).toBeInstanceOf(Date);
    expect((await claimPendingBatch(db, site.id, everything)).map((command) => command.id)).toEqual([
      kept.id,
    ]);
  });

  it("claims for several sites in one statement, each within its own limit and queue", async () => {
    const first = await newSite(db);
    const second = await newSite(db);
    const firstIds = [];
    for (let index = 0; index < 3; index++)
      firstIds.push((await enqueueCommand(db, queuedCommand(first.id))).id);
    const secondUrgent = await enqueueCommand(db, queuedCommand(second.id, { priority: 1 }));
    const secondNormal = await enqueueCommand(db, queuedCommand(second.id));

    const claimed = await claimPendingBatches(db, [
      { siteId: first.id, limit: 2, excludeIds: [] },
      { siteId: second.id, limit: 10, excludeIds: [secondNormal.id] },
    ]);

    expect(claimed.map((row) => [row.site_id, row.id, row.site_pending])).toEqual(
      [
        [first.id, firstIds[0], 3],
        [first.id, firstIds[1], 3],
        [second.id, secondUrgent.id, 2],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  });

  it("confirms deliveries of several sites in one statement, each only for its own site", async () => {
    const first = await newSite(db);
    const second = await newSite(db);
    const mine = await enqueueCommand(db, queuedCommand(first.id));
    const theirs = await enqueueCommand(db, queuedCommand(second.id));

    // The second pair claims the first site's command for the second site: ignored.
    const confirmed = await confirmDeliveries(db, [
      { siteId: first.id, commandId: mine.id },
      { siteId: second.id, commandId: mine.id },
    ]);

    expect(confirmed).toBe(1);
    expect((await getCommand(db, first.id, mine.id))?.status).toBe("delivered");
    expect((await getCommand(db, second.id, theirs.id))?.status).toBe("queued");
    expect((await listPendingCommands(db, second.id)).map((row) => row.id)).toEqual([theirs.id]);
  });

  it("does not cancel a command claimed for delivery until its acknowledgement has timed out", async () => {
    const site = await newSite(db);
    const claimed = await enqueueCommand(db, queuedCommand(site.id));
    await claimPendingBatch(db, site.id, everything);
    const waiting = await enqueueCommand(db, queuedCommand(site.id));

    expect(await cancelPendingCommand(db, site.id, claimed.id, cancelling)).toBe(false);
    expect(await cancelAllPendingCommands(db, site.id, cancelling)).toBe(1);
    expect((await getCommand(db, site.id, waiting.id))?.status).toBe("cancelled");
    expect((await getCommand(db, site.id, claimed.id))?.status).toBe("queued");

    // Once the delivery timeout has passed without an acknowledgement, it can be cancelled.
    expect(await cancelPendingCommand(db, site.id, claimed.id, { deliveryTimeoutMs: 0 })).toBe(true);
    expect((await getCommand(db, site.id, claimed.id))?.status).toBe("cancelled");
  });

  it("cancels all pending commands of a site and leaves delivered ones alone", async () => {
    const site = await newSite(db);
    const delivered = await enqueueCommand(db, queuedCommand(site.id));
    await confirmDelivered(db, site.id, [delivered.id]);
    const pendingIds = [
      (await enqueueCommand(db, queuedCommand(site.id))).id,
      (await enqueueCommand(db, queuedCommand(site.id, { expiresAt: anHourAgo() }))).id,
    ];

    expect(await cancelAllPendingCommands(db, site.id, cancelling)).toBe(2);

    for (const id of pendingIds) expect((await getCommand(db, site.id, id))?.status).toBe("cancelled");
    expect((await getCommand(db, site.id, delivered.id))?.status).toBe("delivered");
    expect(await claimPendingBatch(db, site.id, everything)).toEqual([]);
    expect(await cancelAllPendingCommands(db, site.id, cancelling)).toBe(0);
  });

  it("expireCommands removes expired rows and records them as expired", async () => {
    const site = await newSite(db);
    const expired = await enqueueCommand(db, queuedCommand(site.id, { expiresAt: anHourAgo() }));
    const valid = await enqueueCommand(db, queuedCommand(site.id, { expiresAt: inAnHour() }));
    const forever = await enqueueCommand(db, queuedCommand(site.id));

    const removed = await expireCommands(db);

    expect(removed).toContainEqual({ id: expired.id, site_id: site.id });
    expect(removed.map((row) => row.id)).not.toContain(valid.id);
    const row = await getCommand(db, site.id, expired.id);
    expect(row?.status).toBe("expired");
    expect(row?.expired_at).toBeInstanceOf(Date);
    const pendingIds = (await listPendingCommands(db, site.id)).map((pending) => pending.id);
    expect(pendingIds.sort()).toEqual([valid.id, forever.id].sort());
  });

  it("reset of attempts makes an exhausted command deliverable again", async () => {
    const site = await newSite(db);
    const { id } = await enqueueCommand(db, queuedCommand(site.id, { maxAttempts: 1 }));
    await claimPendingBatch(db, site.id, everything);
    expect(await claimPendingBatch(db, site.id, everything)).toEqual([]);

    expect(await resetPendingAttempts(db, site.id, id)).toBe(true);

    expect((await claimPendingBatch(db, site.id, everything)).map((command) => command.id)).toEqual([id]);
  });

  it("sitesWithDeliverableCommands names only sites with something to deliver now", async () => {
    const ready = await newSite(db);
    const onlyExpired = await newSite(db);
    const empty = await newSite(db);
    await enqueueCommand(db, queuedCommand(ready.id));
    await enqueueCommand(db, queuedCommand(onlyExpired.id, { expiresAt: anHourAgo() }));

    expect(await sitesWithDeliverableCommands(db, [ready.id, onlyExpired.id, empty.id])).toEqual([ready.id]);
    expect(await sitesWithDeliverableCommands(db, [])).toEqual([]);
  });

  it("the summary counts deliverable commands per site (the §6 WHERE as meant)", async () => {
    await db.query("DELETE FROM pending_commands");
    const clubA = await newSite(db, "Club A");
    const clubB = await newSite(db, "Club B");
    await enqueueCommand(db, queuedCommand(clubA.id, { priority: 4 }));
    await enqueueCommand(db, queuedCommand(clubA.id, { type: "deploy_video", priority: 2, params: {} }));
    const valid = await enqueueCommand(db, queuedCommand(clubB.id, { expiresAt: inAnHour() }));
    // Neither of these is deliverable, so neither counts. The reference's
    // unparenthesised WHERE would count the first one.
    const exhausted = await enqueueCommand(db, queuedCommand(clubB.id, { maxAttempts: 1 }));
    await claimPendingBatch(db, clubB.id, { limit: 1, excludeIds: [valid.id] });
    expect((await getCommand(db, clubB.id, exhausted.id))?.status).toBe("queued");
    await enqueueCommand(db, queuedCommand(clubB.id, { expiresAt: anHourAgo() }));

    const summary = await queueSummary(db);

    expect(summary.totalPending).toBe(3);
    expect(summary.sitesWithPendingCommands).toBe(2);
    const siteA = summary.sites.find((row) => row.site_id === clubA.id);
    expect(siteA).toMatchObject({
      club_name: "Club A",
      site_status: "offline",
      pending_count: 2,
      highest_priority: 2,
    });
    expect(siteA?.command_types.sort()).toEqual(["deploy_video", "update_config"]);
    expect(siteA?.oldest_command).toBeInstanceOf(Date);
    expect(summary.sites.find((row) => row.site_id === clubB.id)?.pending_count).toBe(1);
  });
});
