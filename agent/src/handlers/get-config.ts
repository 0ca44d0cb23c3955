import { readFile } from "node:fs/promises";
import path from "node:path";
import { isErrorCode } from "./safe-path.js";
import { CommandFailure, type CommandHandler } from "./types.js";

/** Returns the current configuration; `null` when none has been written yet. */
export const getConfig: CommandHandler<"get_config"> = async (_params, context) => {
  const configPath = path.resolve(context.settings.paths.configPath);
  let text: string;
  try {
    text = await readFile(configPath, { encoding: "utf8", signal: context.signal });
  } catch (error) {
    if (isErrorCode(error, "ENOENT")) return { path: configPath, configuration: null };
    context.signal.throwIfAborted();
    throw new CommandFailure("CONFIG_UNREADABLE", `Cannot read ${configPath}: check its permissions`, {
      cause: error,
    });
  }
  return { path: configPath, configuration: parseConfiguration(text, configPath) };
};

function parseConfiguration(text: string, configPath: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CommandFailure(
      "CONFIG_UNREADABLE",
      `${configPath} is not valid JSON: send update_config to replace it (an earlier version may be kept in ${configPath}.previous)`,
      { cause: error },
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new CommandFailure(
      "CONFIG_UNREADABLE",
      `${configPath} does not hold a JSON object: send update_config to replace it`,
    );
  }
  return parsed as Record<string, unknown>;
}
