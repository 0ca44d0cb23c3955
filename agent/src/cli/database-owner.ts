import { statSync } from "node:fs";

/**
 * Run as root (`sudo neopro-sync-agent status`), the tools switch to the user
 * that owns the database before opening it: SQLite may create the `-shm` and
 * `-wal` side files, and files owned by root there would stop the daemon (its
 * own user) from opening its database. Returns the user switched to, if any.
 */
export function actAsDatabaseOwner(databasePath: string): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  let owner: { uid: number; gid: number };
  try {
    owner = statSync(databasePath);
  } catch {
    return null; // opening it will say what is wrong
  }
  if (owner.uid === 0) return null;
  process.setgroups?.([owner.gid]);
  process.setgid?.(owner.gid);
  process.setuid?.(owner.uid);
  return { uid: owner.uid, gid: owner.gid };
}
