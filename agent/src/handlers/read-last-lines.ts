import { open } from "node:fs/promises";

const CHUNK_BYTES = 64 * 1024;

/**
 * The last `count` lines of a file, read backwards in 64 KiB chunks so a
 * large log costs only what is returned. `maxBytes` bounds the read when
 * lines are huge.
 */
export async function readLastLines(
  filePath: string,
  count: number,
  maxBytes = 16 * 1024 * 1024,
): Promise<string[]> {
  const handle = await open(filePath, "r");
  try {
    const { size } = await handle.stat();
    const chunks: Buffer[] = [];
    let position = size;
    let newlines = 0;
    // count + 1 newlines: the one ending the last line does not start a new one.
    while (position > 0 && newlines <= count && size - position < maxBytes) {
      const length = Math.min(CHUNK_BYTES, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      chunks.unshift(chunk);
      for (const byte of chunk) if (byte === 0x0a) newlines++;
    }
    const lines = Buffer.concat(chunks).toString("utf8").split("\n");
    if (lines.at(-1) === "") lines.pop();
    // The first piece may be the end of a longer line when the file was not read from its start.
    if (position > 0) lines.shift();
    return lines.slice(-count).map((line) => line.replace(/\r$/, ""));
  } finally {
    await handle.close();
  }
}
