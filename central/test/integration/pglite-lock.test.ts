import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/index.js";

/** Two centrals on one embedded database folder would corrupt it: the second is refused with a clear reason. */
describe("embedded database folder lock", () => {
  const logger = pino({ level: "silent" });
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "cq-lock-"));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("refuses a second opener while the first holds it, and frees it on close", async () => {
    const first = await openDatabase({ dataDir, logger });
    await expect(openDatabase({ dataDir, logger })).rejects.toThrow(/in use by another central .*DATA_DIR/);
    await first.close();

    const again = await openDatabase({ dataDir, logger });
    expect((await again.query<{ one: number }>("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    await again.close();
  });

  it("takes over a lock left by a process that no longer runs", async () => {
    // pid 2^22 + 1 is above Linux's pid_max limit, so no process has it.
    await writeFile(join(dataDir, "pglite.lock"), `${2 ** 22 + 1}\n`);
    const database = await openDatabase({ dataDir, logger });
    await database.close();
  });
});
