import { lstat, realpath } from "node:fs/promises";
import path from "node:path";
import { CommandFailure } from "./types.js";

/**
 * Resolves `name` inside `folder` and refuses anything that would land
 * outside it: "..", absolute names, and symbolic links (of the file or of
 * a folder on the way) whose real target is elsewhere. The protocol already
 * refuses separators in file names; this is the second line of defence.
 */
export async function resolveInside(folder: string, name: string): Promise<string> {
  const root = path.resolve(folder);
  const candidate = path.resolve(root, name);
  if (!isStrictlyInside(root, candidate)) {
    throw unsafePath(name, folder);
  }
  const realRoot = await realPathOrNull(root);
  if (realRoot === null) {
    // The folder does not exist yet, so nothing under it can be a link out.
    return candidate;
  }
  const realCandidate = await realPathOfPossiblyMissing(candidate);
  if (realCandidate === null || !isStrictlyInside(realRoot, realCandidate)) {
    throw unsafePath(name, folder);
  }
  return candidate;
}

function isStrictlyInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}

/**
 * Real path of the nearest existing ancestor, with the missing tail appended.
 * Null when an entry on the way is a dangling link: writing through it would
 * create a file wherever the link points.
 */
async function realPathOfPossiblyMissing(target: string): Promise<string | null> {
  const missingTail: string[] = [];
  let current = target;
  for (;;) {
    const real = await realPathOrNull(current);
    if (real !== null) {
      return path.join(real, ...missingTail.reverse());
    }
    if (await existsWithoutFollowing(current)) {
      return null;
    }
    const parent = path.dirname(current);
    if (parent === current) {
      return target;
    }
    missingTail.push(path.basename(current));
    current = parent;
  }
}

async function realPathOrNull(target: string): Promise<string | null> {
  try {
    return await realpath(target);
  } catch (error) {
    if (isErrorCode(error, "ENOENT")) {
      return null;
    }
    throw new Error(`Cannot resolve ${target}: check the folder exists and is readable`, { cause: error });
  }
}

async function existsWithoutFollowing(target: string): Promise<boolean> {
  try {
    await lstat(target);
    return true;
  } catch {
    return false;
  }
}

function unsafePath(name: string, folder: string): CommandFailure {
  return new CommandFailure("UNSAFE_PATH", `Refused "${name}": it resolves outside ${folder}`);
}

export function isErrorCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
