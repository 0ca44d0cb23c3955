import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeDir } from "../../../test/support/fixtures.js";
import { CliError, EXIT_CODES } from "../../src/errors.js";
import { parseDuration } from "../../src/params/duration.js";
import { buildParams, describeParams, paramTypes } from "../../src/params/index.js";

let dir: string;

beforeAll(async () => {
  dir = await makeTempDir("cq-params-");
});

afterAll(async () => {
  await removeDir(dir);
});

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(EXIT_CODES.usage);
    return (error as CliError).message;
  }
  throw new Error("expected a usage error");
}

describe("--param key=value", () => {
  it("takes each param's type from the catalogue's schema", () => {
    expect(paramTypes("deploy_video")).toEqual({
      videoId: "string",
      url: "string",
      filename: "string",
      sha256: "string",
      size: "integer",
    });
    expect(paramTypes("update_config")).toEqual({ configuration: "object" });
    expect(describeParams("get_logs")).toBe("lines?, since?");
  });

  it("converts numbers, keeps text, and reads JSON for object params", () => {
    expect(buildParams("get_logs", { pairs: ["lines=200"] })).toEqual({ lines: 200 });
    expect(buildParams("delete_video", { pairs: ["filename=2024.mp4", "videoId=007"] })).toEqual({
      filename: "2024.mp4",
      videoId: "007",
    });
    expect(buildParams("update_config", { pairs: ['configuration={"volume":80,"mute":false}'] })).toEqual({
      configuration: { volume: 80, mute: false },
    });
  });

  it("sets fields inside an object param with dotted keys, over a params file", async () => {
    const file = join(dir, "params.json");
    await writeFile(file, JSON.stringify({ configuration: { theme: "dark", screen: { brightness: 3 } } }));
    expect(
      buildParams("update_config", {
        file,
        pairs: [
          "configuration.screen.brightness=9",
          "configuration.title=Match du soir",
          "configuration.on=true",
        ],
      }),
    ).toEqual({
      configuration: { theme: "dark", screen: { brightness: 9 }, title: "Match du soir", on: true },
    });
  });

  it("refuses what the catalogue refuses, before anything is sent", () => {
    expect(usageMessage(() => buildParams("get_logs", { pairs: ["lines=lots"] }))).toContain("lines");
    expect(usageMessage(() => buildParams("get_logs", { pairs: ["lines=0"] }))).toContain("lines");
    expect(usageMessage(() => buildParams("get_config", { pairs: ["x=1"] }))).toContain("x");
    expect(usageMessage(() => buildParams("delete_video", { pairs: ["filename=-rf"] }))).toContain(
      "filename",
    );
    expect(usageMessage(() => buildParams("reboot", { pairs: [] }))).toContain("Known types");
    expect(usageMessage(() => buildParams("get_logs", { pairs: ["=5"] }))).toContain("key=value");
    expect(usageMessage(() => buildParams("get_logs", { pairs: ["lines.x=5"] }))).toContain(
      "not an object param",
    );
    expect(usageMessage(() => buildParams("update_config", { pairs: ["configuration={"] }))).toContain(
      "JSON",
    );
  });

  it("refuses a params file that is not a JSON object", async () => {
    const file = join(dir, "list.json");
    await writeFile(file, "[1, 2]");
    expect(usageMessage(() => buildParams("get_config", { pairs: [], file }))).toContain("JSON object");
    expect(
      usageMessage(() => buildParams("get_config", { pairs: [], file: join(dir, "missing.json") })),
    ).toContain("Cannot read");
  });
});

describe("--expires-in durations", () => {
  it("reads seconds, minutes, hours, days and weeks, alone or combined", () => {
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("15m")).toBe(900_000);
    expect(parseDuration("2h")).toBe(7_200_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("7d")).toBe(604_800_000);
    expect(parseDuration("1w")).toBe(604_800_000);
  });

  it("refuses anything else", () => {
    for (const text of ["", "2", "2x", "h", "1h 30", "tomorrow", "0s", "-1h"]) {
      expect(() => parseDuration(text), text).toThrow(CliError);
    }
  });
});
