import { lstat, rm } from "node:fs/promises";
import { syncFolder } from "./atomic-write.js";
import { isErrorCode, resolveInside } from "./safe-path.js";
import { CommandFailure, type CommandHandler } from "./types.js";

/** Idempotent: deleting a video that is not there succeeds with `deleted: false`. */
export const deleteVideo: CommandHandler<"delete_video"> = async ({ filename, videoId }, context) => {
  const { videosDir } = context.settings.paths;
  const finalPath = await resolveInside(videosDir, filename);
  const partPath = await resolveInside(videosDir, `${filename}.part`);

  const deleted = await removeFile(finalPath, filename);
  const partRemoved = await removeFile(partPath, `${filename}.part`);
  if (deleted || partRemoved) await syncFolder(videosDir);
  context.logger.info({ filename, videoId, deleted, partRemoved }, "Video deletion done");
  return { filename, deleted };
};

async function removeFile(filePath: string, name: string): Promise<boolean> {
  let entry: Awaited<ReturnType<typeof lstat>>;
  try {
    entry = await lstat(filePath);
  } catch (error) {
    if (isErrorCode(error, "ENOENT")) return false;
    throw error;
  }
  if (entry.isDirectory()) {
    throw new CommandFailure("NOT_A_FILE", `"${name}" in the videos folder is a folder; remove it by hand`);
  }
  await rm(filePath, { force: true });
  return true;
}
