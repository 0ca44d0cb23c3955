import { randomBytes } from "node:crypto";
import { copyFile, mkdir, open, rename, rm } from "node:fs/promises";
import path from "node:path";
import { isErrorCode } from "./safe-path.js";

export interface AtomicWriteOutcome {
  bytes: number;
  /** True when a previous version existed and was kept as `<name>.previous`. */
  previousKept: boolean;
}

/**
 * Replaces `targetPath` so that a reader (or a power cut) sees either the old
 * or the new content, never a mix: write a temporary file in the same folder,
 * fsync it, keep the current file as `<name>.previous`, rename over, fsync
 * the folder so the rename itself is durable.
 */
export async function writeFileAtomic(targetPath: string, content: string): Promise<AtomicWriteOutcome> {
  const folder = path.dirname(targetPath);
  await mkdir(folder, { recursive: true });
  const data = Buffer.from(content, "utf8");
  const temporaryPath = temporarySibling(targetPath);
  try {
    await writeAndSync(temporaryPath, data);
    const previousKept = await keepPreviousVersion(targetPath);
    await rename(temporaryPath, targetPath);
    await syncFolder(folder);
    return { bytes: data.length, previousKept };
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw new Error(`Could not write ${targetPath}: check the folder is writable and the disk not full`, {
      cause: error,
    });
  }
}

/** Makes a directory entry change (rename, unlink) survive a power cut. */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, "r");
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems (FAT boot partitions, some network mounts) cannot fsync a folder.
    if (!isErrorCode(error, "EINVAL") && !isErrorCode(error, "EISDIR")) throw error;
  } finally {
    await handle.close();
  }
}

export function temporarySibling(targetPath: string): string {
  const suffix = randomBytes(6).toString("hex");
  return path.join(path.dirname(targetPath), `.${path.basename(targetPath)}.${suffix}.tmp`);
}

async function writeAndSync(filePath: string, data: Buffer): Promise<void> {
  const handle = await open(filePath, "wx");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Copies rather than renames the current file, so the target name exists at
 * every instant (a reader never finds it missing).
 */
async function keepPreviousVersion(targetPath: string): Promise<boolean> {
  const previousPath = `${targetPath}.previous`;
  const temporaryPath = temporarySibling(previousPath);
  try {
    await copyFile(targetPath, temporaryPath);
  } catch (error) {
    if (isErrorCode(error, "ENOENT")) return false;
    throw error;
  }
  try {
    const handle = await open(temporaryPath, "r+");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporaryPath, previousPath);
    return true;
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
}
