import { join } from "node:path";
import { PROTOCOL_VERSION } from "@neopro/protocol";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Agent, createAgent, readAgentVersion } from "../../src/agent.js";
import type { AgentFaults } from "../../src/faults.js";
import { type FakeCentral, startFakeCentral } from "../support/fake-central.js";
import {
  createCapturingLogger,
  createTempDir,
  deliveredCommand,
  eventually,
  PINO_LEVELS,
  SITE_ID,
  SITE_TOKEN,
  type TempDir,
  testConfig,
} from "../support/helpers.js";
import { createRecordingHandlers } from "../support/test-handlers.js";

describe("agent ⇄ central link", () => {
  let central: FakeCentral;
  let dir: TempDir;
  let agent: Agent | null;
  let log: ReturnType<typeof createCapturingLogger>;
  let recording: ReturnType<typeof createRecordingHandlers>;

  beforeEach(async () => {
    central = await startFakeCentral();
    dir = await createTempDir();
    log = createCapturingLogger();
    recording = createRecordingHandlers();
    agent = null;
  });

  afterEach(async () => {
    await agent?.stop();
    await central.close();
    await dir.remove();
  });

  async function startAgent(faults?: AgentFaults) {
    agent = createAgent(testConfig(dir.path, { CENTRAL_URL: central.url }), {
      logger: log.logger,
      handlers: recording.handlers,
      faults,
    });
    await agent.start();
    return agent;
  }

  function logged(pattern: RegExp) {
    return log.lines.filter((line) => pattern.test(line.msg));
  }

  function ledgerIds(): string[] {
    const db = new Database(join(dir.path, "agent.db"), { readonly: true });
    try {
      return (db.prepare("SELECT id FROM commands").all() as { id: string }[]).map((row) => row.id);
    } finally {
      db.close();
    }
  }

  it("connects with the protocol handshake and logs the connection once", async () => {
    await startAgent();
    await eventually(() => agent?.stats().connected);
    expect(central.handshakes).toEqual([
      {
        siteId: SITE_ID,
        token: SITE_TOKEN,
        protocolVersion: PROTOCOL_VERSION,
        agentVersion: readAgentVersion(),
      },
    ]);
    expect(logged(/^connected to central$/)).toHaveLength(1);
  });

  it("acknowledges a delivered batch only once it is committed to the ledger, then runs it and reports", async () => {
    await startAgent();
    await eventually(() => agent?.stats().connected);
    const batch = [
      deliveredCommand("update_config", { configuration: { volume: 2 } }, { priority: 1 }),
      deliveredCommand("delete_video", { filename: "old.mp4" }),
    ];
    let idsInLedgerAtAck: string[] = [];
    const ack = await central.deliver(batch, () => {
      idsInLedgerAtAck = ledgerIds();
    });

    expect(ack.recorded).toEqual(batch.map((command) => command.id));
    expect(idsInLedgerAtAck.sort()).toEqual(batch.map((command) => command.id).sort());
    await eventually(() => central.reports.length === 2);
    expect(central.reports.map((report) => [report.commandId, report.status])).toEqual(
      batch.map((command) => [command.id, "succeeded"]),
    );
    await eventually(() => agent?.stats().unreportedResults === 0);
  });

  it("acknowledges a redelivery without running it again and sends the stored result again", async () => {
    await startAgent();
    await eventually(() => agent?.stats().connected);
    const command = deliveredCommand("delete_video", { filename: "a.mp4" });
    await central.deliver([command]);
    await eventually(() => central.reports.length === 1);
    await eventually(() => agent?.stats().unreportedResults === 0);

    const again = await central.deliver([command]);
    expect(again.recorded).toEqual([command.id]);
    await eventually(() => central.reports.length === 2);
    expect(central.reports[1]).toEqual(central.reports[0]);
    expect(recording.calls).toHaveLength(1);
  });

  it("does not acknowledge an invalid batch and says so in the log", async () => {
    await startAgent();
    await eventually(() => agent?.stats().connected);
    const bad = [{ ...deliveredCommand("delete_video", { filename: "a.mp4" }), id: "not-a-uuid" }];
    await expect(central.deliver(bad, undefined, 300)).rejects.toThrow(/timed out/);
    expect(logged(/invalid batch/)).toHaveLength(1);
    expect(ledgerIds()).toEqual([]);
  });

  it("keeps sending a result across a disconnect until central acknowledges it", async () => {
    central.acknowledgeResults(false);
    await startAgent();
    await eventually(() => agent?.stats().connected);
    const command = deliveredCommand("delete_video", { filename: "a.mp4" });
    await central.deliver([command]);
    await eventually(() => central.reports.length >= 1);
    expect(agent?.stats().unreportedResults).toBe(1);

    central.dropConnection();
    await eventually(() => logged(/^disconnected from central/).length === 1);
    central.acknowledgeResults(true);
    await eventually(() => agent?.stats().unreportedResults === 0);
    expect(new Set(central.reports.map((report) => report.commandId))).toEqual(new Set([command.id]));
    expect(logged(/^connected to central$/)).toHaveLength(2);
    expect(recording.calls).toHaveLength(1);
  });

  it("reconnects after central closes the connection on purpose (socket.io does not retry that by itself)", async () => {
    await startAgent();
    await eventually(() => agent?.stats().connected);
    central.disconnectAgent();
    await eventually(() => logged(/^central closed the connection/).length === 1);
    await eventually(() => logged(/^connected to central$/).length === 2);
    expect(central.handshakes).toHaveLength(2);
  });

  it("logs a refused handshake once, keeps retrying, and connects once central accepts it", async () => {
    central.refuseWith({ code: "INVALID_SITE_TOKEN", message: "token does not match" });
    await startAgent();
    await eventually(() => central.refusals >= 3);
    const refusals = logged(/central refused this agent/);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ level: PINO_LEVELS.error, code: "INVALID_SITE_TOKEN" });
    expect(refusals[0]?.msg).toMatch(/INVALID_SITE_TOKEN — check SITE_TOKEN/);

    central.refuseWith(null);
    await eventually(() => agent?.stats().connected);
    expect(logged(/^connected to central$/)).toHaveLength(1);
  });

  it("test fault drop-connection: records, cuts the link instead of acking, then runs the command once after redelivery", async () => {
    await startAgent({ delivery: { when: "after-record", action: "drop-connection" } });
    await eventually(() => agent?.stats().connected);
    const command = deliveredCommand("delete_video", { filename: "a.mp4" });
    await expect(central.deliver([command], undefined, 500)).rejects.toThrow();
    expect(ledgerIds()).toEqual([command.id]);

    await eventually(() => agent?.stats().connected);
    const redelivered = await central.deliver([command]);
    expect(redelivered.recorded).toEqual([command.id]);
    await eventually(() => agent?.stats().unreportedResults === 0 && central.reports.length >= 1);
    expect(recording.calls).toHaveLength(1);
  });

  it("sends results left in the outbox by a stopped agent from the next agent on the same DATA_DIR", async () => {
    await startAgent();
    await eventually(() => agent?.stats().connected);
    const command = deliveredCommand("delete_video", { filename: "a.mp4" });
    central.acknowledgeResults(false);
    await central.deliver([command]);
    await eventually(() => central.reports.length === 1);
    await agent?.stop();

    central.acknowledgeResults(true);
    await startAgent();
    await eventually(() => agent?.stats().unreportedResults === 0);
    expect(central.reports.map((report) => report.commandId)).toEqual([command.id, command.id]);
    expect(recording.calls).toHaveLength(1);
  });

  it("starts while central is unreachable, says so once, and connects when central comes up", async () => {
    const port = Number(new URL(central.url).port);
    await central.close();
    await startAgent();
    await eventually(() => logged(/connection attempt to central failed/).length >= 3);
    expect(logged(/^central is unreachable/)).toHaveLength(1);

    central = await startFakeCentral(port);
    await eventually(() => agent?.stats().connected);
    expect(logged(/^connected to central$/)).toHaveLength(1);
  });
});
