import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type CentralToOperatorEvents,
  type CommandStatusChange,
  OPERATOR_NAMESPACE,
  type OperatorToCentralEvents,
  type SiteSnapshot,
} from "@neopro/protocol";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import { eventually, startTestCentral, type TestCentral } from "../support/test-central.js";

type OperatorSocket = Socket<CentralToOperatorEvents, OperatorToCentralEvents>;

let database: TestDatabase;
let server: TestCentral;
let dashboardDir: string;
const sockets: OperatorSocket[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  dashboardDir = await mkdtemp(path.join(tmpdir(), "dashboard-dist-"));
  await mkdir(path.join(dashboardDir, "assets"));
  await writeFile(path.join(dashboardDir, "index.html"), "<!doctype html><title>NEOPRO</title>");
  await writeFile(path.join(dashboardDir, "assets", "app-1234.js"), "console.log(1)");
  server = await startTestCentral({ databaseUrl: database.url, dashboardDir });
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server?.stop();
  await database?.drop();
  await rm(dashboardDir, { recursive: true, force: true });
});

function connectOperator(token: string): OperatorSocket {
  const socket: OperatorSocket = io(`${server.url}${OPERATOR_NAMESPACE}`, {
    auth: { token },
    transports: ["websocket"],
    reconnection: false,
  });
  sockets.push(socket);
  return socket;
}

function connected(socket: OperatorSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
}

describe("operator live feed", () => {
  it("refuses a socket without a valid operator token, with a code", async () => {
    const refused = await connected(connectOperator("not-a-token")).then(
      () => undefined,
      (error: { data?: { code?: string } }) => error.data?.code,
    );
    expect(refused).toBe("UNAUTHORIZED");
  });

  it("sends site changes to every operator and command changes to those watching the site", async () => {
    const socket = connectOperator(server.adminToken);
    await connected(socket);
    const sites: SiteSnapshot[] = [];
    const commands: CommandStatusChange[] = [];
    socket.on("sites:changed", (changed) => sites.push(...changed));
    socket.on("commands:changed", (changes) => commands.push(...changes));

    const site = await server.createSite("Salle Live");
    await eventually(() => sites.some((row) => row.id === site.id));
    expect(sites.find((row) => row.id === site.id)).toMatchObject({
      site_name: "Salle Live",
      online: false,
      pending_count: 0,
    });

    await new Promise<void>((resolve) => socket.emit("site:watch", site.id, resolve));
    const sent = await server.api("POST", `/api/sites/${site.id}/command`, {
      body: { command: "delete_video", params: { filename: "a.mp4" } },
    });
    await eventually(() => commands.some((change) => change.commandId === sent.body.commandId));
    expect(commands).toContainEqual({ siteId: site.id, commandId: sent.body.commandId, status: "queued" });
    await eventually(() => sites.some((row) => row.id === site.id && row.pending_count === 1));

    await server.api("DELETE", `/api/sites/${site.id}/pending-commands`);
    await eventually(() => sites.some((row) => row.id === site.id && row.pending_count === 0));
  });
});

describe("dashboard files", () => {
  it("serves the built dashboard at / with a strict content security policy", async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("NEOPRO");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    const asset = await fetch(`${server.url}/assets/app-1234.js`);
    expect(asset.headers.get("cache-control")).toContain("immutable");
  });

  it("leaves unknown API routes to the API's JSON 404", async () => {
    const answer = await server.api("GET", "/api/nothing-here");
    expect(answer).toMatchObject({ status: 404, body: { error: "NOT_FOUND" } });
  });

  it("says how to build the dashboard when it is missing", async () => {
    const other = await startTestCentral({
      databaseUrl: database.url,
      dashboardDir: path.join(dashboardDir, "missing"),
    });
    try {
      const response = await fetch(`${other.url}/`);
      expect(response.status).toBe(503);
      expect(await response.text()).toContain("npm run build");
      expect(other.logs.some((line) => line.msg.startsWith("Dashboard not built"))).toBe(true);
    } finally {
      await other.stop();
    }
  });
});
