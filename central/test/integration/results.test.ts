import type { ResultReport } from "@neopro/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/index.js";
import {
  cancelPendingCommand,
  claimPendingBatch,
  confirmDelivered,
  createDirectCommand,
  enqueueCommand,
  getCommand,
  listCommandHistory,
  listPendingCommands,
  markDirectDeliveryFailed,
  markStarted,
  recordResults,
  recordSiteResults,
} from "../../src/store/index.js";
import {
  DATABASE_KINDS,
  newSite,
  openTestDatabase,
  queuedCommand,
  type TestDatabaseHandle,
} from "./databases.js";

function succeeded(commandId: string, result: unknown = { path: "/data/config.json" }): ResultReport {
  return {
    commandId,
    status: "succeeded",
    result,
    startedAt: "2025-12-16T10:00:00.000Z",
    finishedAt: "2025-12-16T10:00:01.000Z",
  };
}

describe.each(DATABASE_KINDS)("command results on %s", (kind) => {
  let handle: TestDatabaseHandle;
  let db: Database;

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    db = handle.db;
  });
  afterAll(() => handle?.destroy());

  async function deliveredCommand(siteId: string): Promise<string> {
    const { id } = await enqueueCommand(db, queuedCommand(siteId));
    await claimPendingBatch(db, siteId, { limit: 10, excludeIds: [] });
    await confirmDelivered(db, siteId, [id]);
    return id;
  }

  it("records results of several sites in one statement, each site only its own commands", async () => {
    const first = await newSite(db);
    const second = await newSite(db);
    const firstCommand = await deliveredCommand(first.id);
    const secondCommand = await deliveredCommand(second.id);

    const recorded = await recordSiteResults(db, [
      { siteId: first.id, report: succeeded(firstCommand) },
      { siteId: first.id, report: succeeded(secondCommand) },
    ]);

    expect(recorded).toEqual([{ id: firstCommand, site_id: first.id, command_type: "update_config" }]);
    expect((await getCommand(db, second.id, secondCommand))?.status).toBe("delivered");
  });

  it("records a result once; the same report sent again is ignored", async () => {
    const site = await newSite(db);
    const id = await deliveredCommand(site.id);

    const first = await recordResults(db, site.id, [succeeded(id, { path: "/first" })]);
    const again = await recordResults(db, site.id, [succeeded(id, { path: "/second" })]);

    expect(first).toEqual({ recorded: [id], ignored: [] });
    expect(again).toEqual({ recorded: [], ignored: [id] });
    const row = await getCommand(db, site.id, id);
    expect(row).toMatchObject({ status: "succeeded", result: { path: "/first" }, attempts: 1 });
    expect(row?.started_at?.toISOString()).toBe("2025-12-16T10:00:00.000Z");
    expect(row?.finished_at?.toISOString()).toBe("2025-12-16T10:00:01.000Z");
    expect(row?.reported_at).toBeInstanceOf(Date);
  });

  it("records a whole batch, errors included, and ignores another site's commands", async () => {
    const site = await newSite(db);
    const intruder = await newSite(db);
    const ok = await deliveredCommand(site.id);
    const broken = await deliveredCommand(site.id);
    const foreign = await deliveredCommand(intruder.id);

    const outcome = await recordResults(db, site.id, [
      succeeded(ok),
      {
        commandId: broken,
        status: "failed",
        error: { code: "DOWNLOAD_FAILED", message: "HTTP 404" },
        startedAt: null,
        finishedAt: "2025-12-16T10:00:02.000Z",
      },
      succeeded(foreign),
    ]);

    expect(outcome.recorded.sort()).toEqual([ok, broken].sort());
    expect(outcome.ignored).toEqual([foreign]);
    expect(await getCommand(db, site.id, broken)).toMatchObject({
      status: "failed",
      error_code: "DOWNLOAD_FAILED",
      error_message: "HTTP 404",
      result: null,
    });
    expect((await getCommand(db, intruder.id, foreign))?.status).toBe("delivered");
  });

  it("a result that overtakes its delivery acknowledgement removes the pending row", async () => {
    const site = await newSite(db);
    const { id } = await enqueueCommand(db, queuedCommand(site.id));
    await claimPendingBatch(db, site.id, { limit: 10, excludeIds: [] });

    await recordResults(db, site.id, [succeeded(id)]);

    expect(await listPendingCommands(db, site.id)).toEqual([]);
    expect(await getCommand(db, site.id, id)).toMatchObject({ status: "succeeded", attempts: 1 });
    // The late acknowledgement does not move it back.
    await confirmDelivered(db, site.id, [id]);
    expect((await getCommand(db, site.id, id))?.status).toBe("succeeded");
  });

  it("a started notice marks the command running, never after its result", async () => {
    const site = await newSite(db);
    const running = await deliveredCommand(site.id);
    const finished = await deliveredCommand(site.id);
    await recordResults(db, site.id, [succeeded(finished)]);

    await markStarted(db, site.id, [
      { commandId: running, startedAt: "2025-12-16T10:00:00.000Z" },
      { commandId: finished, startedAt: "2025-12-16T10:00:00.000Z" },
    ]);

    const row = await getCommand(db, site.id, running);
    expect(row?.status).toBe("running");
    expect(row?.started_at?.toISOString()).toBe("2025-12-16T10:00:00.000Z");
    expect((await getCommand(db, site.id, finished))?.status).toBe("succeeded");
  });

  it("a real-time command never acknowledged is failed, yet its late real result still wins", async () => {
    const site = await newSite(db);
    const { id } = await createDirectCommand(
      db,
      queuedCommand(site.id, { type: "get_system_info", params: {}, queueable: false, maxAttempts: 1 }),
    );

    expect(await markDirectDeliveryFailed(db, site.id, id, "No acknowledgement within 10 s")).toBe(true);
    expect(await getCommand(db, site.id, id)).toMatchObject({
      status: "failed",
      error_code: "NOT_DELIVERED",
      reported_at: null,
    });

    expect((await recordResults(db, site.id, [succeeded(id, { cpu: 4 })])).recorded).toEqual([id]);
    expect(await getCommand(db, site.id, id)).toMatchObject({ status: "succeeded", result: { cpu: 4 } });
  });

  it("the agent's result replaces a cancellation that came too late to stop it", async () => {
    const site = await newSite(db);
    const { id } = await enqueueCommand(db, queuedCommand(site.id));
    await claimPendingBatch(db, site.id, { limit: 10, excludeIds: [] });
    // The acknowledgement timed out (deliveryTimeoutMs 0), so the operator could cancel; the agent had it anyway.
    await cancelPendingCommand(db, site.id, id, { deliveryTimeoutMs: 0 });

    await recordResults(db, site.id, [succeeded(id)]);

    expect((await getCommand(db, site.id, id))?.status).toBe("succeeded");
  });

  it("lists a site's history newest first, page by page, and hides other sites' commands", async () => {
    const site = await newSite(db);
    const other = await newSite(db);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await enqueueCommand(db, queuedCommand(site.id))).id);
    const foreign = await enqueueCommand(db, queuedCommand(other.id));

    const firstPage = await listCommandHistory(db, site.id, { limit: 2, offset: 0 });
    const lastPage = await listCommandHistory(db, site.id, { limit: 2, offset: 4 });

    expect(firstPage.total).toBe(5);
    expect(firstPage.commands.map((command) => command.id)).toEqual([ids[4], ids[3]]);
    expect(lastPage.commands.map((command) => command.id)).toEqual([ids[0]]);
    expect(await getCommand(db, site.id, foreign.id)).toBeNull();
  });
});
