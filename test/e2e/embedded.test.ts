import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, eventually } from "../support/api-client.js";
import { makeTempDir, removeDir } from "../support/fixtures.js";
import { type RunningProcess, startAgent, startCentral } from "../support/processes.js";

/**
 * What a newcomer gets with `npm start` and no DATABASE_URL: central on the
 * embedded PostgreSQL (PGlite) under its data folder, an operator token made
 * and printed once, and the whole queue path working with a real agent.
 */
describe("embedded database (no DATABASE_URL)", () => {
  let workDir: string;
  const processes: RunningProcess[] = [];

  beforeAll(async () => {
    workDir = await makeTempDir("cq-embedded-");
  });

  afterAll(async () => {
    await Promise.all(processes.map((process) => process.stop()));
    await removeDir(workDir);
  });

  it("makes an operator token once, keeps the queue across a restart and delivers it to an agent", async () => {
    const dataDir = join(workDir, "central-data");
    const first = await startCentral({ DATABASE_URL: undefined, ADMIN_TOKEN: undefined, DATA_DIR: dataDir });
    processes.push(first);

    const tokenFile = join(dataDir, "admin-token");
    const token = (await readFile(tokenFile, "utf8")).trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    expect(first.rawOutput.join("\n")).toContain(token);

    const api = apiClient(first.url, token);
    const site = await api.createSite("Salle Omnisports", "Club Embarqué");
    const queued = await api.post(`/api/sites/${site.id}/command`, {
      command: "update_config",
      params: { configuration: { theme: "dark" } },
    });
    expect(queued.body).toMatchObject({ success: true, queued: true });
    await first.stop();

    const second = await startCentral({ DATABASE_URL: undefined, ADMIN_TOKEN: undefined, DATA_DIR: dataDir });
    processes.push(second);
    expect(second.rawOutput.join("\n")).not.toContain(token);
    const again = apiClient(second.url, token);
    const pending = await again.get<{ pendingCount: number }>(`/api/sites/${site.id}/pending-commands`);
    expect(pending.body.pendingCount).toBe(1);

    const agentDir = join(workDir, "agent");
    processes.push(
      startAgent({ CENTRAL_URL: second.url, SITE_ID: site.id, SITE_TOKEN: site.token, DATA_DIR: agentDir }),
    );
    await eventually(
      async () => {
        const { body } = await again.get<{ status: string }>(
          `/api/sites/${site.id}/commands/${queued.body.commandId}`,
        );
        return body.status === "succeeded" ? body : undefined;
      },
      { what: "the queued command to succeed" },
    );
    const written = JSON.parse(await readFile(join(agentDir, "config.json"), "utf8"));
    expect(written).toEqual({ theme: "dark" });

    // A command sent while the agent is connected is delivered from the database notification.
    const live = await again.post(`/api/sites/${site.id}/command?wait=10`, { command: "get_config" });
    expect(live.body).toMatchObject({ status: "succeeded", result: { configuration: { theme: "dark" } } });
  });
});
