import { COMMAND_TYPES, COMMANDS, checkCommand } from "@neopro/protocol";
import { describe, expect, it } from "vitest";
import type { HandlerContext } from "../../src/handlers/types.js";
import { createNoopHandlers } from "../../src/handlers-noop.js";
import { createCapturingLogger, testConfig } from "../support/helpers.js";

const EXAMPLE_PARAMS: Record<string, unknown> = {
  update_config: { configuration: { volume: 3 } },
  deploy_video: { videoId: "v1", url: "https://cdn.example/v1.mp4", filename: "v1.mp4", size: 10 },
  delete_video: { filename: "v1.mp4" },
  update_software: { version: "2.1.0" },
};

describe("no-op handlers (benchmark)", () => {
  it("return a result the catalogue accepts for every command type", async () => {
    const handlers = createNoopHandlers();
    const context: HandlerContext = {
      signal: new AbortController().signal,
      logger: createCapturingLogger().logger,
      settings: testConfig("/nonexistent").handlers,
    };
    for (const type of COMMAND_TYPES) {
      const check = checkCommand(type, EXAMPLE_PARAMS[type] ?? {});
      if (!check.ok) throw new Error(check.message);
      const handler = handlers[type] as (params: unknown, context: HandlerContext) => Promise<unknown>;
      const result = await handler(check.params, context);
      expect(COMMANDS[type].result.safeParse(result).success, type).toBe(true);
    }
  });
});
