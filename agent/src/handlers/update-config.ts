import path from "node:path";
import { writeFileAtomic } from "./atomic-write.js";
import type { CommandHandler } from "./types.js";

/** Writes the club configuration atomically and keeps the previous one as `<name>.previous`. */
export const updateConfig: CommandHandler<"update_config"> = async ({ configuration }, context) => {
  const configPath = path.resolve(context.settings.paths.configPath);
  const { bytes, previousKept } = await writeFileAtomic(
    configPath,
    `${JSON.stringify(configuration, null, 2)}\n`,
  );
  context.logger.info({ path: configPath, bytes, previousKept }, "Configuration written");
  return { path: configPath, bytes, previousKept };
};
