import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { createLogger, formatJournalLine } from "../../src/logger.js";
import { SITE_ID, SITE_TOKEN } from "../support/helpers.js";

function capture(format: "json" | "journal") {
  const lines: string[] = [];
  const logger = createLogger({
    level: "debug",
    format,
    destination: { write: (line: string) => lines.push(line) },
  });
  return { logger, lines };
}

describe("journald log lines", () => {
  it("puts the sd-daemon priority first, then the message, then the fields", () => {
    const { logger, lines } = capture("journal");
    logger.error({ code: "INVALID_SITE_TOKEN" }, "central refused this agent");
    logger.warn(
      { reason: "transport close" },
      "disconnected from central (transport close); reconnecting with backoff",
    );
    logger.info({ url: "http://central:3000/agent", siteId: SITE_ID }, "connected to central");
    logger.debug({ commandId: "c1", type: "get_config", durationMs: 12 }, "command get_config succeeded");
    logger.fatal("the sync-agent could not start");
    expect(lines).toEqual([
      "<3>central refused this agent code=INVALID_SITE_TOKEN\n",
      '<4>disconnected from central (transport close); reconnecting with backoff reason="transport close"\n',
      `<6>connected to central url=http://central:3000/agent siteId=${SITE_ID}\n`,
      "<7>command get_config succeeded commandId=c1 type=get_config durationMs=12\n",
      "<2>the sync-agent could not start\n",
    ]);
  });

  it("keeps every entry on one line, nested values and error stacks as JSON", () => {
    const { logger, lines } = capture("journal");
    logger.error(
      { err: new Error("disk full\nsecond line"), counts: { fresh: 2 } },
      "cannot record\ncommands",
    );
    expect(lines).toHaveLength(1);
    const line = lines[0] as string;
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toContain("\n");
    expect(line).toMatch(
      /^<3>cannot record commands err=\{"type":"Error","message":"disk full\\nsecond line","stack":/,
    );
    expect(line).toContain('counts={"fresh":2}');
  });

  it("writes plain pino JSON outside systemd", () => {
    const { logger, lines } = capture("json");
    logger.info({ url: "http://x" }, "connected to central");
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      level: 30,
      msg: "connected to central",
      url: "http://x",
    });
  });

  it("passes through a line that is not JSON, as info", () => {
    expect(formatJournalLine("plain text\n")).toBe("<6>plain text\n");
  });

  it("chooses the journal format under systemd (JOURNAL_STREAM or INVOCATION_ID) unless LOG_FORMAT says otherwise", () => {
    const base = { SITE_ID, SITE_TOKEN };
    expect(loadConfig(base).logFormat).toBe("json");
    expect(loadConfig({ ...base, JOURNAL_STREAM: "8:12345" }).logFormat).toBe("journal");
    expect(loadConfig({ ...base, INVOCATION_ID: "0123abcd" }).logFormat).toBe("journal");
    expect(loadConfig({ ...base, INVOCATION_ID: "0123abcd", LOG_FORMAT: "json" }).logFormat).toBe("json");
    expect(loadConfig({ ...base, LOG_FORMAT: "journal" }).logFormat).toBe("journal");
  });
});
