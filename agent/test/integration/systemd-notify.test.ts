import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiClient, eventually } from "../../../test/support/api-client.js";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import {
  type CentralProcess,
  type RunningProcess,
  startAgent,
  startCentral,
} from "../../../test/support/processes.js";
import { createTempDir, SITE_ID, SITE_TOKEN, type TempDir } from "../support/helpers.js";
import { bindNotifySocket } from "../support/notify-socket.js";

/** A local TCP port with nothing listening: central is "down". */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the real agent under Type=notify (sd_notify over NOTIFY_SOCKET)", () => {
  let dir: TempDir;
  let notify: ReturnType<typeof bindNotifySocket>;
  const processes: RunningProcess[] = [];

  beforeEach(async () => {
    dir = await createTempDir("agent-notify-");
    notify = bindNotifySocket(dir.path);
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((process) => process.stop()));
    notify.close();
    await dir.remove();
  });

  it("is READY with central down, pings the watchdog at half of WATCHDOG_USEC, and says STOPPING on SIGTERM", async () => {
    const started = Date.now();
    const agent = startAgent({
      CENTRAL_URL: `http://127.0.0.1:${await closedPort()}`,
      SITE_ID,
      SITE_TOKEN,
      DATA_DIR: join(dir.path, "agent"),
      NOTIFY_SOCKET: notify.path,
      WATCHDOG_USEC: "400000",
    });
    processes.push(agent);

    const ready = await eventually(async () => notify.withField("READY")[0]);
    expect(ready.fields.READY).toBe("1");
    expect(ready.fields.STATUS).toMatch(
      /^not connected to central since .*; outbox: 0 result\(s\) waiting; no command received yet$/,
    );
    expect(ready.at - started).toBeLessThan(10_000);
    await agent.waitForLog((line) => String(line.msg).startsWith("central is unreachable"));

    // 400 ms watchdog → a ping every 200 ms; over 1.2 s about six.
    const before = notify.withField("WATCHDOG").length;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const pings = notify.withField("WATCHDOG").slice(before);
    expect(pings.length).toBeGreaterThanOrEqual(4);
    expect(pings.length).toBeLessThanOrEqual(8);
    expect(pings.every((ping) => ping.fields.WATCHDOG === "1")).toBe(true);
    expect(notify.withField("STOPPING")).toHaveLength(0);

    expect(await agent.stop()).toEqual({ code: 0, signal: null });
    const stopping = notify.withField("STOPPING");
    expect(stopping).toHaveLength(1);
    expect(stopping[0]?.fields.STATUS).toMatch(/^stopping: letting the running command finish/);
    expect(notify.messages.indexOf(stopping[0] as (typeof notify.messages)[number])).toBeGreaterThan(
      notify.messages.indexOf(ready),
    );
  });

  it("sends no watchdog pings when WATCHDOG_PID names another process", async () => {
    const agent = startAgent({
      CENTRAL_URL: `http://127.0.0.1:${await closedPort()}`,
      SITE_ID,
      SITE_TOKEN,
      DATA_DIR: join(dir.path, "agent"),
      NOTIFY_SOCKET: notify.path,
      WATCHDOG_USEC: "200000",
      WATCHDOG_PID: "1",
    });
    processes.push(agent);
    await eventually(async () => notify.withField("READY")[0]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(notify.withField("WATCHDOG")).toHaveLength(0);
  });

  describe("with a real central", () => {
    let database: TestDatabase;
    let central: CentralProcess;

    beforeEach(async () => {
      database = await createTestDatabase();
      central = await startCentral({
        DATABASE_URL: database.url,
        ADMIN_TOKEN: "admin-token-for-systemd-tests",
      });
      processes.push(central);
    });

    afterEach(async () => {
      await central.stop();
      await database.drop();
    });

    it("STATUS says connected, then names the last command and the outbox", async () => {
      const api = apiClient(central.url, "admin-token-for-systemd-tests");
      const site = await api.createSite();
      const agent = startAgent({
        CENTRAL_URL: central.url,
        SITE_ID: site.id,
        SITE_TOKEN: site.token,
        DATA_DIR: join(dir.path, "agent"),
        NOTIFY_SOCKET: notify.path,
      });
      processes.push(agent);
      await eventually(async () => notify.withField("READY")[0]);
      await eventually(async () =>
        notify.withField("STATUS").find((message) => message.fields.STATUS?.startsWith("connected since")),
      );

      const queued = await api.post<{ commandId: string }>(`/api/sites/${site.id}/command`, {
        command: "update_config",
        params: { configuration: { volume: 80 } },
      });
      const status = await eventually(async () =>
        notify
          .withField("STATUS")
          .map((message) => message.fields.STATUS as string)
          .find((line) => line.includes("last command: update_config succeeded")),
      );
      expect(status).toMatch(
        /^connected since .*; outbox: 0 result\(s\) waiting; last command: update_config succeeded \(/,
      );
      expect(status).toContain(queued.body.commandId.slice(0, 8));
      expect(notify.withField("WATCHDOG")).toHaveLength(0); // no WATCHDOG_USEC: no pings
    });
  });
});
