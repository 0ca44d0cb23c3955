import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createHandlers } from "../../../src/handlers/index.js";
import { contextIn, expectValidResult, useTempDirs } from "./handler-test-kit.js";

const handlers = createHandlers();
const tempDir = useTempDirs();

describe("update_config", () => {
  it("creates the folder and writes the configuration as JSON", async () => {
    const root = await tempDir();
    const context = contextIn(root);
    const configuration = { club: "FC Exemple", screens: [1, 2], volume: 0.8 };
    const result = await handlers.update_config({ configuration }, context);
    const configPath = context.settings.paths.configPath;
    const written = await readFile(configPath, "utf8");
    expect(result).toEqual({ path: configPath, bytes: Buffer.byteLength(written), previousKept: false });
    expectValidResult("update_config", result);
    expect(JSON.parse(written)).toEqual(configuration);
  });

  it("keeps the previous configuration as <name>.previous and leaves no temporary file", async () => {
    const root = await tempDir();
    const context = contextIn(root);
    await handlers.update_config({ configuration: { version: 1 } }, context);
    const result = await handlers.update_config({ configuration: { version: 2 } }, context);
    const configPath = context.settings.paths.configPath;
    expect(result.previousKept).toBe(true);
    expect(JSON.parse(await readFile(configPath, "utf8"))).toEqual({ version: 2 });
    expect(JSON.parse(await readFile(`${configPath}.previous`, "utf8"))).toEqual({ version: 1 });
    expect((await readdir(path.dirname(configPath))).sort()).toEqual(["config.json", "config.json.previous"]);
  });
});

describe("get_config", () => {
  it("returns null when no configuration was written yet", async () => {
    const root = await tempDir();
    const context = contextIn(root);
    const result = await handlers.get_config({}, context);
    expect(result).toEqual({ path: context.settings.paths.configPath, configuration: null });
    expectValidResult("get_config", result);
  });

  it("returns what update_config wrote", async () => {
    const root = await tempDir();
    const context = contextIn(root);
    await handlers.update_config({ configuration: { club: "FC Exemple" } }, context);
    const result = await handlers.get_config({}, context);
    expect(result.configuration).toEqual({ club: "FC Exemple" });
    expectValidResult("get_config", result);
  });

  it.each([
    ["invalid JSON", "{ not json"],
    ["a JSON array", "[1, 2]"],
  ])("reports %s as CONFIG_UNREADABLE", async (_label, content) => {
    const root = await tempDir();
    const context = contextIn(root);
    await mkdir(path.dirname(context.settings.paths.configPath), { recursive: true });
    await writeFile(context.settings.paths.configPath, content);
    await expect(handlers.get_config({}, context)).rejects.toMatchObject({ code: "CONFIG_UNREADABLE" });
  });
});
