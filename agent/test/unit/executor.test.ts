import { join } from "node:path";
import type { StartedNotice } from "@neopro/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createExecutor, type Executor, INTERRUPTED_BY_RESTART } from "../../src/executor/index.js";
import { CommandFailure } from "../../src/handlers/types.js";
import { type AgentStore, openStore } from "../../src/store/index.js";
import {
  createCapturingLogger,
  createTempDir,
  deliveredCommand,
  eventually,
  type TempDir,
  testConfig,
} from "../support/helpers.js";
import { createGate, createRecordingHandlers } from "../support/test-handlers.js";

describe("executor", () => {
  let dir: TempDir;
  let store: AgentStore;
  let executor: Executor | null;
  const log = createCapturingLogger();

  beforeEach(async () => {
    dir = await createTempDir();
    store = openStore({ path: join(dir.path, "agent.db") });
    executor = null;
    log.lines.length = 0;
  });

  afterEach(async () => {
    await executor?.stop(1000);
    store.close();
    await dir.remove();
  });

  function startExecutor(
    handlers: ReturnType<typeof createRecordingHandlers>["handlers"],
    options: {
      resultFlushDelayMs?: number;
      onStarted?: (notice: StartedNotice) => void;
      commits?: number[];
    } = {},
  ) {
    executor = createExecutor({
      store,
      handlers,
      settings: testConfig(dir.path).handlers,
      logger: log.logger,
      resultFlushDelayMs: options.resultFlushDelayMs ?? 20,
      startedNoticeDelayMs: 50,
      onStarted: options.onStarted ?? (() => {}),
      onResultsCommitted: () => options.commits?.push(store.counts().unreportedResults),
    });
    executor.start();
    return executor;
  }

  function outboxById() {
    return new Map(store.unreportedResults(1000, 10_000_000).map((report) => [report.commandId, report]));
  }

  it("runs commands one at a time, in delivery order", async () => {
    let active = 0;
    let maxActive = 0;
    const { handlers, calls } = createRecordingHandlers({
      delete_video: async ({ filename }) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active -= 1;
        return { filename, deleted: true };
      },
    });
    const batch = ["c.mp4", "a.mp4", "b.mp4"].map((filename) =>
      deliveredCommand("delete_video", { filename }),
    );
    store.recordDeliveries(batch);
    startExecutor(handlers);
    const later = deliveredCommand("delete_video", { filename: "z.mp4" });
    store.recordDeliveries([later]);
    executor?.wake();

    await eventually(() => store.counts().commands.succeeded === 4);
    expect(calls.map((call) => (call.params as { filename: string }).filename)).toEqual([
      "c.mp4",
      "a.mp4",
      "b.mp4",
      "z.mp4",
    ]);
    expect(maxActive).toBe(1);
  });

  it("records an unknown type or bad params as failed with a machine-readable code, without calling a handler", async () => {
    const { handlers, calls } = createRecordingHandlers();
    const unknown = deliveredCommand("reboot_everything", {});
    const badParams = deliveredCommand("delete_video", { filename: "../etc/passwd" });
    const extraKey = deliveredCommand("get_config", { sneaky: true });
    store.recordDeliveries([unknown, badParams, extraKey]);
    startExecutor(handlers);

    await eventually(() => store.counts().commands.failed === 3);
    const outbox = outboxById();
    expect(outbox.get(unknown.id)?.error?.code).toBe("UNKNOWN_COMMAND");
    expect(outbox.get(badParams.id)?.error?.code).toBe("INVALID_PARAMS");
    expect(outbox.get(extraKey.id)?.error?.code).toBe("INVALID_PARAMS");
    expect(calls).toEqual([]);
  });

  it("keeps a handler's CommandFailure code and reports anything else as HANDLER_ERROR", async () => {
    const { handlers } = createRecordingHandlers({
      delete_video: async () => {
        throw new CommandFailure("UNSAFE_PATH", "no");
      },
      get_config: async () => {
        throw new TypeError("boom");
      },
      get_logs: async () => ({ wrong: "shape" }) as never,
    });
    const failure = deliveredCommand("delete_video", { filename: "a.mp4" });
    const crash = deliveredCommand("get_config", {});
    const badResult = deliveredCommand("get_logs", {});
    store.recordDeliveries([failure, crash, badResult]);
    startExecutor(handlers);

    await eventually(() => store.counts().commands.failed === 3);
    const outbox = outboxById();
    expect(outbox.get(failure.id)?.error).toEqual({ code: "UNSAFE_PATH", message: "no" });
    expect(outbox.get(crash.id)?.error).toMatchObject({
      code: "HANDLER_ERROR",
      message: expect.stringMatching(/boom/),
    });
    expect(outbox.get(badResult.id)?.error?.code).toBe("INVALID_RESULT");
  });

  it("on restart reports a running update_software as interrupted without running it, and re-runs the rest", async () => {
    const update = deliveredCommand("update_software", { version: "2.0.0" });
    const config = deliveredCommand("update_config", { configuration: { volume: 3 } });
    store.recordDeliveries([update, config]);
    store.markRunningDurably(update.id, "2025-01-01T00:00:00.000Z");
    const { handlers, calls } = createRecordingHandlers();
    startExecutor(handlers);

    await eventually(() => store.counts().commands.succeeded === 1);
    const outbox = outboxById();
    expect(outbox.get(update.id)).toMatchObject({
      status: "interrupted",
      startedAt: "2025-01-01T00:00:00.000Z",
      error: { code: INTERRUPTED_BY_RESTART, message: expect.stringMatching(/not safe to repeat/) },
    });
    expect(outbox.get(config.id)?.status).toBe("succeeded");
    expect(calls.map((call) => call.type)).toEqual(["update_config"]);
    expect(
      log.lines.filter((line) => /re-running 1 command\(s\) left unfinished/.test(line.msg)),
    ).toHaveLength(1);
  });

  it("marks update_software running durably, after committing earlier results, before it starts", async () => {
    const seenWhileRunning: unknown[] = [];
    const { handlers } = createRecordingHandlers({
      update_software: async ({ version }) => {
        seenWhileRunning.push(store.counts());
        return { version, exitCode: 0, stdout: "", stderr: "", durationMs: 1 };
      },
    });
    const config = deliveredCommand("update_config", { configuration: {} });
    const update = deliveredCommand("update_software", { version: "2.0.0" });
    store.recordDeliveries([config, update]);
    startExecutor(handlers, { resultFlushDelayMs: 60_000 });

    await eventually(() => store.counts().commands.succeeded === 2);
    expect(seenWhileRunning).toEqual([
      {
        commands: { received: 0, running: 1, succeeded: 1, failed: 0, interrupted: 0 },
        unreportedResults: 1,
      },
    ]);
  });

  it("group commit: many quick results in one commit, and a long command does not hold an earlier result back", async () => {
    const gate = createGate();
    const { handlers } = createRecordingHandlers({
      get_config: async () => {
        await gate.opened;
        return { path: "x", configuration: null };
      },
    });
    const quick = Array.from({ length: 30 }, (_, n) =>
      deliveredCommand("delete_video", { filename: `${n}.mp4` }),
    );
    const commits: number[] = [];
    store.recordDeliveries(quick);
    startExecutor(handlers, { commits });
    await eventually(() => store.counts().commands.succeeded === 30);
    expect(commits).toEqual([30]);

    const before = deliveredCommand("delete_video", { filename: "before.mp4" });
    const slow = deliveredCommand("get_config", {});
    store.recordDeliveries([before, slow]);
    executor?.wake();
    // `before` is committed by the flush timer while `slow` is still blocked.
    await eventually(() => outboxById().has(before.id));
    expect(store.counts().commands.received).toBe(1);
    gate.open();
    await eventually(() => outboxById().has(slow.id));
  });

  it("announces a command still running after the notice delay, and not a quick one", async () => {
    const gate = createGate();
    const notices: StartedNotice[] = [];
    const { handlers } = createRecordingHandlers({
      get_config: async () => {
        await gate.opened;
        return { path: "x", configuration: null };
      },
    });
    const quick = deliveredCommand("delete_video", { filename: "a.mp4" });
    const slow = deliveredCommand("get_config", {});
    store.recordDeliveries([quick, slow]);
    startExecutor(handlers, { onStarted: (notice) => notices.push(notice) });
    await eventually(() => notices.length === 1);
    expect(notices[0]?.commandId).toBe(slow.id);
    gate.open();
    await eventually(() => store.counts().commands.succeeded === 2);
    expect(notices).toHaveLength(1);
  });

  it("stop() aborts a command that outlives the grace period and records nothing for it", async () => {
    const { handlers } = createRecordingHandlers({
      get_config: (_params, context) =>
        new Promise((_resolve, reject) => {
          context.signal.addEventListener("abort", () => reject(new Error("aborted")));
        }),
    });
    const slow = deliveredCommand("get_config", {});
    store.recordDeliveries([slow]);
    const running = startExecutor(handlers);
    await eventually(() => log.lines.some((line) => /starting command get_config/.test(line.msg)));
    executor = null;
    await running.stop(50);
    expect(store.counts().commands.received).toBe(1);
    expect(store.counts().unreportedResults).toBe(0);
  });
});
