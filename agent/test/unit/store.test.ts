import { join } from "node:path";
import type { ResultReport } from "@neopro/protocol";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AgentStore, openStore, SYNCHRONOUS_FULL } from "../../src/store/index.js";
import { createTempDir, deliveredCommand, type TempDir } from "../support/helpers.js";

function succeeded(commandId: string): ResultReport {
  const now = new Date().toISOString();
  return { commandId, status: "succeeded", result: { ok: true }, startedAt: now, finishedAt: now };
}

describe("agent store", () => {
  let dir: TempDir;
  let path: string;
  let store: AgentStore;

  beforeEach(async () => {
    dir = await createTempDir();
    path = join(dir.path, "nested", "agent.db");
    store = openStore({ path });
  });

  afterEach(async () => {
    store.close();
    await dir.remove();
  });

  it("opens the database in WAL mode with synchronous=FULL so a commit survives a power cut", () => {
    expect(store.durability()).toEqual({ journalMode: "wal", synchronous: SYNCHRONOUS_FULL });
  });

  it("records a whole batch in one transaction and keeps delivery order", () => {
    const batch = [
      deliveredCommand("update_config", { configuration: { a: 1 } }, { priority: 1 }),
      deliveredCommand("delete_video", { filename: "a.mp4" }),
      deliveredCommand("deploy_video", { videoId: "v", url: "http://x/v.mp4", filename: "v.mp4" }),
    ];
    const recorded = store.recordDeliveries(batch);
    expect(recorded).toEqual({ fresh: batch.map((c) => c.id), known: [], requeuedReports: 0 });
    const waiting = store.receivedAfter(0, 10);
    expect(waiting.map((c) => c.id)).toEqual(batch.map((c) => c.id));
    expect(waiting[0]?.params).toEqual({ configuration: { a: 1 } });
  });

  it("rolls the whole batch back when one row cannot be written", () => {
    const good = deliveredCommand("delete_video", { filename: "a.mp4" });
    const bad = { ...deliveredCommand("delete_video", { filename: "b.mp4" }), priority: Number.NaN };
    expect(() => store.recordDeliveries([good, bad])).toThrow();
    expect(store.receivedAfter(0, 10)).toEqual([]);
  });

  it("recognises a redelivery: known ids are not recorded twice", () => {
    const first = deliveredCommand("delete_video", { filename: "a.mp4" });
    store.recordDeliveries([first]);
    const second = deliveredCommand("delete_video", { filename: "b.mp4" });
    const recorded = store.recordDeliveries([first, second, first]);
    expect(recorded.fresh).toEqual([second.id]);
    expect(recorded.known).toEqual([first.id]);
    expect(store.counts().commands.received).toBe(2);
  });

  it("requeues the stored result of a redelivered command that already finished", () => {
    const command = deliveredCommand("delete_video", { filename: "a.mp4" });
    store.recordDeliveries([command]);
    store.completeCommands([succeeded(command.id)]);
    expect(store.markReported([command.id])).toBe(1);
    expect(store.unreportedResults(10, 1_000_000)).toEqual([]);

    const recorded = store.recordDeliveries([command]);
    expect(recorded).toMatchObject({ fresh: [], known: [command.id], requeuedReports: 1 });
    expect(store.unreportedResults(10, 1_000_000).map((r) => r.commandId)).toEqual([command.id]);
  });

  it("completes several commands and their outbox rows in one transaction, each only once", () => {
    const batch = [
      deliveredCommand("delete_video", { filename: "a.mp4" }),
      deliveredCommand("delete_video", { filename: "b.mp4" }),
    ];
    store.recordDeliveries(batch);
    const reports = batch.map((c) => succeeded(c.id));
    expect(store.completeCommands(reports)).toBe(2);
    expect(store.completeCommands(reports)).toBe(0);
    expect(store.counts()).toEqual({
      commands: { received: 0, running: 0, succeeded: 2, failed: 0, interrupted: 0 },
      unreportedResults: 2,
    });
  });

  it("rolls back every result of a group commit when one of them cannot be written", () => {
    const batch = [
      deliveredCommand("delete_video", { filename: "a.mp4" }),
      deliveredCommand("delete_video", { filename: "b.mp4" }),
    ];
    store.recordDeliveries(batch);
    // The second outbox row violates NOT NULL (created_at comes from finishedAt).
    const unstorable = { ...succeeded(batch[1]?.id as string), finishedAt: null as unknown as string };
    expect(() => store.completeCommands([succeeded(batch[0]?.id as string), unstorable])).toThrow();
    expect(store.counts()).toMatchObject({ commands: { received: 2, succeeded: 0 }, unreportedResults: 0 });
  });

  it("keeps unreported results across a close and reopen of the database file", () => {
    const command = deliveredCommand("delete_video", { filename: "a.mp4" });
    store.recordDeliveries([command]);
    const report = succeeded(command.id);
    store.completeCommands([report]);
    store.close();

    store = openStore({ path });
    expect(store.unreportedResults(10, 1_000_000)).toEqual([report]);
    expect(store.markReported([command.id])).toBe(1);
    store.close();

    store = openStore({ path });
    expect(store.unreportedResults(10, 1_000_000)).toEqual([]);
  });

  it("cuts a result batch by size so one message stays small", () => {
    const batch = [1, 2, 3].map((n) => deliveredCommand("delete_video", { filename: `${n}.mp4` }));
    store.recordDeliveries(batch);
    store.completeCommands(batch.map((c) => ({ ...succeeded(c.id), result: { blob: "x".repeat(1000) } })));
    expect(store.unreportedResults(10, 2500)).toHaveLength(2);
    expect(store.unreportedResults(10, 10)).toHaveLength(1);
  });

  it("finds commands left unfinished, in delivery order, and marks running durably", () => {
    const batch = [
      deliveredCommand("update_software", { version: "2.0.0" }),
      deliveredCommand("update_config", { configuration: {} }),
    ];
    store.recordDeliveries(batch);
    store.markRunningDurably(batch[0]?.id as string, "2025-01-01T00:00:00.000Z");

    // Another connection (as after a crash) sees the committed `running` mark.
    const other = new Database(path, { readonly: true });
    const row = other.prepare("SELECT status, started_at FROM commands WHERE id = ?").get(batch[0]?.id);
    other.close();
    expect(row).toEqual({ status: "running", started_at: "2025-01-01T00:00:00.000Z" });
    expect(store.findUnfinished().map((c) => [c.type, c.status])).toEqual([
      ["update_software", "running"],
      ["update_config", "received"],
    ]);
  });

  it("refuses a database written by a newer agent with a message saying what to do", () => {
    store.close();
    const raw = new Database(path);
    raw.pragma("user_version = 99");
    raw.close();
    expect(() => openStore({ path })).toThrow(/cannot open the agent database/);
    try {
      openStore({ path });
    } catch (error) {
      expect(String((error as Error).cause)).toMatch(/newer than this agent supports/);
    }
    store = openStore({ path: join(dir.path, "other.db") });
  });
});
