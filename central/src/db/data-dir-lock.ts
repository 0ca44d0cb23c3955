import { mkdir, open, readFile, rm } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * PGlite keeps its files in a folder that only one process may open: a second
 * central on the same DATA_DIR would corrupt it. A lock file holding the
 * owner's pid says who has it; a lock left by a process that no longer runs
 * (killed, power cut) is taken over.
 */
export interface DataDirLock {
  release(): Promise<void>;
}

export async function lockDataDir(lockPath: string): Promise<DataDirLock> {
  await mkdir(dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(lockPath, "wx", 0o600);
      await file.writeFile(`${process.pid}\n`);
      await file.close();
      return { release: () => rm(lockPath, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = Number.parseInt(await readFile(lockPath, "utf8").catch(() => ""), 10);
    if (Number.isInteger(owner) && isRunning(owner)) {
      throw new Error(
        `The embedded database is in use by another central (pid ${owner}, lock ${lockPath}). ` +
          "Stop it, or give this one another DATA_DIR, or set DATABASE_URL.",
      );
    }
    await rm(lockPath, { force: true });
  }
  throw new Error(`Could not take the lock ${lockPath}; remove it if no central is running`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
