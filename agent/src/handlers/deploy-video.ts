import { mkdir, rename, rm, stat } from "node:fs/promises";
import { syncFolder } from "./atomic-write.js";
import { downloadToPart, printable } from "./download.js";
import { sha256OfFile } from "./hash-file.js";
import { isErrorCode, resolveInside } from "./safe-path.js";
import { CommandFailure, type CommandHandler, type HandlerContext } from "./types.js";

/** ".part" must still fit the usual 255-byte file-name limit. */
const MAX_FILENAME_BYTES = 250;

/**
 * Downloads a video into the videos folder. The bytes go to `<filename>.part`
 * and only a complete, verified file is renamed to its final name.
 */
export const deployVideo: CommandHandler<"deploy_video"> = async (params, context) => {
  const { videoId, url, filename } = params;
  if (Buffer.byteLength(filename) > MAX_FILENAME_BYTES) {
    throw new CommandFailure("FILENAME_TOO_LONG", `"${filename}" is longer than ${MAX_FILENAME_BYTES} bytes`);
  }
  const { videosDir } = context.settings.paths;
  await mkdir(videosDir, { recursive: true });
  const finalPath = await resolveInside(videosDir, filename);
  const partPath = await resolveInside(videosDir, `${filename}.part`);

  const present = await verifiedExistingFile(finalPath, params, context);
  if (present) {
    context.logger.info({ videoId, filename }, "Video already present with the expected checksum");
    return { videoId, filename, size: present.size, sha256: present.sha256, alreadyPresent: true };
  }

  const downloaded = await downloadToPart({
    url,
    partPath,
    expectedSize: params.size,
    timeoutMs: context.settings.downloadTimeoutMs,
    signal: context.signal,
    logger: context.logger,
  });
  if (params.sha256 !== undefined && downloaded.sha256 !== params.sha256) {
    await rm(partPath, { force: true });
    throw new CommandFailure(
      "CHECKSUM_MISMATCH",
      `${printable(url)} gave sha256 ${downloaded.sha256}, expected ${params.sha256}: check the file on the server and the checksum in the command`,
    );
  }
  await rename(partPath, finalPath);
  await syncFolder(videosDir);
  context.logger.info(
    { videoId, filename, size: downloaded.size, resumedFrom: downloaded.resumedFrom },
    "Video deployed",
  );
  return { videoId, filename, size: downloaded.size, sha256: downloaded.sha256, alreadyPresent: false };
};

/**
 * The file already in place, when the command gives a checksum and it matches.
 * Without a checksum nothing proves the file is the right one, so it is
 * downloaded again (and replaced atomically).
 */
async function verifiedExistingFile(
  finalPath: string,
  params: { filename: string; sha256?: string | undefined; size?: number | undefined },
  context: HandlerContext,
): Promise<{ size: number; sha256: string } | null> {
  let isFile: boolean;
  try {
    isFile = (await stat(finalPath)).isFile();
  } catch (error) {
    if (isErrorCode(error, "ENOENT")) return null;
    throw error;
  }
  if (!isFile) {
    throw new CommandFailure(
      "NOT_A_FILE",
      `"${params.filename}" exists in the videos folder and is not a file`,
    );
  }
  if (params.sha256 === undefined) return null;
  const existing = await sha256OfFile(finalPath, context.signal);
  const sizeMatches = params.size === undefined || existing.size === params.size;
  return existing.sha256 === params.sha256 && sizeMatches ? existing : null;
}
