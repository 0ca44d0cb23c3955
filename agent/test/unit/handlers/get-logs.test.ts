import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createHandlers } from "../../../src/handlers/index.js";
import { contextIn, expectValidResult, useTempDirs, writeScript } from "./handler-test-kit.js";

const tempDir = useTempDirs();

/** What journalctl prints on a machine without a journal (this one, containers): exit 0, nothing useful. */
const JOURNALCTL_WITHOUT_JOURNAL = `echo "No journal files were found." >&2
echo "-- No entries --"
exit 0`;

async function logFileWith(root: string, lines: string[]): Promise<string> {
  const logFile = path.join(root, "agent.log");
  await writeFile(logFile, `${lines.join("\n")}\n`);
  return logFile;
}

describe("get_logs", () => {
  it("reads journald with the unit, line count, since and short-iso format, without the header lines", async () => {
    const root = await tempDir();
    const journalctl = await writeScript(
      path.join(root, "journalctl"),
      `printf '%s\\n' "$@" > "${root}/arguments"
echo "-- Logs begin at Mon 2025-01-06 10:00:00 UTC, end at Mon 2025-01-06 11:00:00 UTC. --"
echo "2025-01-06T10:59:58+0000 pi neopro-sync-agent[42]: Connected to central"
echo "2025-01-06T10:59:59+0000 pi neopro-sync-agent[42]: Command applied"`,
    );
    const result = await createHandlers({ journalctl }).get_logs(
      { lines: 2, since: "2025-01-06T11:30:00+01:00" },
      contextIn(root, { journalUnit: "neopro-sync-agent" }),
    );
    expect(result).toEqual({
      source: "journald",
      lines: [
        "2025-01-06T10:59:58+0000 pi neopro-sync-agent[42]: Connected to central",
        "2025-01-06T10:59:59+0000 pi neopro-sync-agent[42]: Command applied",
      ],
    });
    expectValidResult("get_logs", result);
    expect((await readFile(path.join(root, "arguments"), "utf8")).trim().split("\n")).toEqual([
      "-u",
      "neopro-sync-agent",
      "-n",
      "2",
      "--since",
      "2025-01-06 10:30:00 UTC",
      "-o",
      "short-iso",
      "--no-pager",
    ]);
  });

  it("falls back to the log file when journalctl finds no journal", async () => {
    const root = await tempDir();
    const journalctl = await writeScript(path.join(root, "journalctl"), JOURNALCTL_WITHOUT_JOURNAL);
    const logFile = await logFileWith(root, ["one", "two", "three", "four"]);
    const result = await createHandlers({ journalctl }).get_logs(
      { lines: 3 },
      contextIn(root, { paths: { logFile } }),
    );
    expect(result).toEqual({ source: "file", lines: ["two", "three", "four"] });
    expectValidResult("get_logs", result);
  });

  it("falls back to the log file when journalctl is missing or fails", async () => {
    const root = await tempDir();
    const logFile = await logFileWith(root, ["only line"]);
    const failing = await writeScript(
      path.join(root, "journalctl-failing"),
      `echo "Access denied" >&2\nexit 1`,
    );
    for (const journalctl of [path.join(root, "no-journalctl"), failing]) {
      const result = await createHandlers({ journalctl }).get_logs(
        {},
        contextIn(root, { paths: { logFile } }),
      );
      expect(result).toEqual({ source: "file", lines: ["only line"] });
    }
  });

  it("returns the last lines of a large log file, 200 by default", async () => {
    const root = await tempDir();
    const lines = Array.from({ length: 50_000 }, (_, index) => `line ${index} ${"x".repeat(40)}`);
    const logFile = await logFileWith(root, lines);
    const handlers = createHandlers({ journalctl: path.join(root, "no-journalctl") });
    const context = contextIn(root, { paths: { logFile } });

    const byDefault = await handlers.get_logs({}, context);
    expect(byDefault.lines).toEqual(lines.slice(-200));
    const three = await handlers.get_logs({ lines: 3 }, context);
    expect(three.lines).toEqual(lines.slice(-3));
  });

  it("keeps only pino lines logged since the given time when reading the file", async () => {
    const root = await tempDir();
    const at = (iso: string) => JSON.stringify({ level: 30, time: Date.parse(iso), msg: iso });
    const logFile = await logFileWith(root, [
      at("2025-01-06T09:00:00Z"),
      at("2025-01-06T10:00:00Z"),
      "    at a stack trace line",
      at("2025-01-06T11:00:00Z"),
    ]);
    const result = await createHandlers({ journalctl: path.join(root, "no-journalctl") }).get_logs(
      { since: "2025-01-06T10:00:00Z" },
      contextIn(root, { paths: { logFile } }),
    );
    expect(result.lines).toEqual([
      at("2025-01-06T10:00:00Z"),
      "    at a stack trace line",
      at("2025-01-06T11:00:00Z"),
    ]);
  });

  it("reports LOGS_UNAVAILABLE when neither journald nor a log file is there", async () => {
    const root = await tempDir();
    const handlers = createHandlers({ journalctl: path.join(root, "no-journalctl") });
    await expect(handlers.get_logs({}, contextIn(root))).rejects.toMatchObject({ code: "LOGS_UNAVAILABLE" });
    await expect(
      handlers.get_logs({}, contextIn(root, { paths: { logFile: path.join(root, "missing.log") } })),
    ).rejects.toMatchObject({ code: "LOGS_UNAVAILABLE", message: expect.stringContaining("does not exist") });
  });
});
