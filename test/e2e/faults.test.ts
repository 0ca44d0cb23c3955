import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, apiClient, eventually } from "../support/api-client.js";
import {
  freePort,
  makeTempDir,
  readAgentLedger,
  removeDir,
  writeCountingUpdateScript,
} from "../support/fixtures.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { type CentralProcess, type RunningProcess, startAgent, startCentral } from "../support/processes.js";

/**
 * Crashes and network faults with real processes. In every case each command
 * is applied at most once and none is lost. `update_software` runs a script
 * that appends its version to a file, so the file counts real executions.
 * NEOPRO_TEST_FAULT is the agent's documented test seam to die or drop the
 * connection at an exact point of the delivery protocol.
 */
const ADMIN_TOKEN = "e2e-faults-operator-token";

interface CommandView {
  status: string;
  attempts: number;
  error_code: string | null;
}

describe("faults end to end", () => {
  let database: TestDatabase;
  let workDir: string;
  let centralPort: number;
  let central: CentralProcess;
  let api: ApiClient;
  const running: RunningProcess[] = [];

  async function launchCentral() {
    central = await startCentral({
      DATABASE_URL: database.url,
      DATA_DIR: join(workDir, "central"),
      ADMIN_TOKEN,
      PORT: String(centralPort),
    });
    api = apiClient(central.url, ADMIN_TOKEN);
    return central;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    workDir = await makeTempDir("cq-faults-");
    centralPort = await freePort();
    await launchCentral();
  });

  afterAll(async () => {
    await Promise.all(running.map((process) => process.kill()));
    await central?.stop();
    await database?.drop();
    await removeDir(workDir);
  });

  function launchAgent(
    site: { id: string; token: string },
    dataDir: string,
    env: Record<string, string> = {},
  ) {
    const agent = startAgent({
      CENTRAL_URL: central.url,
      SITE_ID: site.id,
      SITE_TOKEN: site.token,
      DATA_DIR: dataDir,
      ...env,
    });
    running.push(agent);
    return agent;
  }

  async function queue(siteId: string, command: string, params: unknown) {
    const response = await api.post(`/api/sites/${siteId}/command`, { command, params });
    expect(response.status).toBe(200);
    return String(response.body.commandId);
  }

  async function waitForStatus(siteId: string, commandId: string, status: string, timeoutMs = 20_000) {
    return eventually(
      async () => {
        const { body } = await api.get<CommandView>(`/api/sites/${siteId}/commands/${commandId}`);
        return body.status === status ? body : undefined;
      },
      { what: `command to be ${status}`, timeoutMs },
    );
  }

  it("agent killed before it records a delivery: the command is delivered again and runs once", async () => {
    const site = await api.createSite("Site A", "Club A");
    const updates = await writeCountingUpdateScript(join(workDir, "a"));
    const dataDir = join(workDir, "agent-a");
    const id = await queue(site.id, "update_software", { version: "1.0.0" });

    const crashing = launchAgent(site, dataDir, {
      UPDATE_COMMAND: updates.path,
      NEOPRO_TEST_FAULT: "before-record:exit",
    });
    expect((await crashing.exited).signal).toBe("SIGKILL");
    expect(await updates.runs()).toEqual([]);

    launchAgent(site, dataDir, { UPDATE_COMMAND: updates.path });
    const done = await waitForStatus(site.id, id, "succeeded");
    expect(done.attempts).toBe(2);
    expect(await updates.runs()).toEqual(["1.0.0"]);
  });

  it("agent killed after recording, before acknowledging: it runs the command once and recognises the redelivery", async () => {
    const site = await api.createSite("Site B", "Club B");
    const updates = await writeCountingUpdateScript(join(workDir, "b"));
    const dataDir = join(workDir, "agent-b");
    const id = await queue(site.id, "update_software", { version: "1.1.0" });

    const crashing = launchAgent(site, dataDir, {
      UPDATE_COMMAND: updates.path,
      NEOPRO_TEST_FAULT: "after-record:exit",
    });
    expect((await crashing.exited).signal).toBe("SIGKILL");
    expect(readAgentLedger(dataDir).map((row) => [row.id, row.status])).toEqual([[id, "received"]]);
    expect(await updates.runs()).toEqual([]);

    launchAgent(site, dataDir, { UPDATE_COMMAND: updates.path });
    await waitForStatus(site.id, id, "succeeded");
    expect(await updates.runs()).toEqual(["1.1.0"]);
    expect(readAgentLedger(dataDir)).toHaveLength(1);
  });

  it("connection dropped after the agent recorded a command, before central saw the ack: applied once", async () => {
    const site = await api.createSite("Site C", "Club C");
    // The update takes 2 s, so the agent is back before it finishes and central redelivers it.
    const updates = await writeCountingUpdateScript(join(workDir, "c"), 2);
    const id = await queue(site.id, "update_software", { version: "1.2.0" });

    launchAgent(site, join(workDir, "agent-c"), {
      UPDATE_COMMAND: updates.path,
      NEOPRO_TEST_FAULT: "after-record:drop-connection",
    });
    const done = await waitForStatus(site.id, id, "succeeded");
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    // Give a redelivery every chance to run it again before counting.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await updates.runs()).toEqual(["1.2.0"]);
  });

  it("agent killed mid-execution: an update is reported interrupted, never re-run", async () => {
    const site = await api.createSite("Site D", "Club D");
    const updates = await writeCountingUpdateScript(join(workDir, "d"), 30);
    const dataDir = join(workDir, "agent-d");
    const id = await queue(site.id, "update_software", { version: "1.3.0" });

    const agent = launchAgent(site, dataDir, { UPDATE_COMMAND: updates.path });
    await eventually(async () => ((await updates.runs()).length === 1 ? true : undefined), {
      what: "the update script to start",
    });
    await agent.kill();

    launchAgent(site, dataDir, { UPDATE_COMMAND: updates.path });
    const done = await waitForStatus(site.id, id, "interrupted");
    expect(done.error_code).toBe("INTERRUPTED_BY_RESTART");
    expect(await updates.runs()).toEqual(["1.3.0"]);
  });

  it("agent killed mid-download: the download restarts cleanly and no partial file takes the final name", async () => {
    const video = Buffer.alloc(3 * 1024 * 1024, 7);
    const sha256 = createHash("sha256").update(video).digest("hex");
    let releaseSecondHalf = false;
    const server: Server = createServer((request, response) => {
      response.writeHead(200, { "content-length": String(video.length), "content-type": "video/mp4" });
      response.write(video.subarray(0, video.length / 2));
      const finish = setInterval(() => {
        if (!releaseSecondHalf) return;
        clearInterval(finish);
        response.end(video.subarray(video.length / 2));
      }, 50);
      request.on("close", () => clearInterval(finish));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sponsor.mp4`;

    try {
      const site = await api.createSite("Site E", "Club E");
      const dataDir = join(workDir, "agent-e");
      const videosDir = join(dataDir, "videos");
      const id = await queue(site.id, "deploy_video", {
        videoId: "sponsor-1",
        url,
        filename: "sponsor.mp4",
        sha256,
        size: video.length,
      });

      const agent = launchAgent(site, dataDir);
      await eventually(
        async () => {
          const part = await stat(join(videosDir, "sponsor.mp4.part")).catch(() => null);
          return part && part.size > 0 ? true : undefined;
        },
        { what: "the download to start" },
      );
      await agent.kill();
      expect(await readdir(videosDir)).not.toContain("sponsor.mp4");

      releaseSecondHalf = true;
      launchAgent(site, dataDir);
      await waitForStatus(site.id, id, "succeeded");
      const written = await readFile(join(videosDir, "sponsor.mp4"));
      expect(createHash("sha256").update(written).digest("hex")).toBe(sha256);
      expect(await readdir(videosDir)).toEqual(["sponsor.mp4"]);
    } finally {
      server.close();
    }
  });

  it("central restarted with commands in flight: every command applied exactly once, none lost", async () => {
    const site = await api.createSite("Site F", "Club F");
    const updates = await writeCountingUpdateScript(join(workDir, "f"));
    const versions = Array.from({ length: 40 }, (_, index) => `3.0.${index}`);
    const ids: string[] = [];
    for (const version of versions) ids.push(await queue(site.id, "update_software", { version }));

    launchAgent(site, join(workDir, "agent-f"), { UPDATE_COMMAND: updates.path });
    await eventually(async () => ((await updates.runs()).length >= 3 ? true : undefined), {
      what: "the first updates to run",
    });
    await central.kill();
    await launchCentral();

    for (const id of ids) await waitForStatus(site.id, id, "succeeded", 30_000);
    expect([...(await updates.runs())].sort()).toEqual([...versions].sort());
  });
});
