import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";

/** Feeds the whole file into `hash` and returns its size in bytes. */
export async function hashFileInto(filePath: string, hash: Hash, signal: AbortSignal): Promise<number> {
  let size = 0;
  for await (const chunk of createReadStream(filePath, { signal })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return size;
}

export async function sha256OfFile(
  filePath: string,
  signal: AbortSignal,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  const size = await hashFileInto(filePath, hash, signal);
  return { sha256: hash.digest("hex"), size };
}
