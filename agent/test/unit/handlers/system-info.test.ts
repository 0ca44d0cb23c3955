import os from "node:os";
import { describe, expect, it } from "vitest";
import { createHandlers } from "../../../src/handlers/index.js";
import { contextIn, expectValidResult, useTempDirs } from "./handler-test-kit.js";

const tempDir = useTempDirs();

describe("get_system_info", () => {
  it("describes this machine quickly", async () => {
    const started = performance.now();
    const result = await createHandlers().get_system_info({}, contextIn(await tempDir()));
    expect(performance.now() - started).toBeLessThan(2000);
    expectValidResult("get_system_info", result);
    expect(result).toMatchObject({
      hostname: os.hostname(),
      nodeVersion: process.version,
      os: { platform: os.platform(), arch: os.arch() },
      cpu: { cores: expect.any(Number) },
      memory: { totalBytes: os.totalmem() },
      load: { avg1: expect.any(Number) },
      uptimeSeconds: expect.any(Number),
    });
    expect(result.temperatureCelsius === null || typeof result.temperatureCelsius === "number").toBe(true);
    expect(result.disks).toEqual(
      expect.arrayContaining([expect.objectContaining({ mount: "/", sizeBytes: expect.any(Number) })]),
    );
  });
});
