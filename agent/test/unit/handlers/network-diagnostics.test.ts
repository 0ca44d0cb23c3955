import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { CommandResult } from "@neopro/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { createHandlers } from "../../../src/handlers/index.js";
import {
  contextIn,
  expectValidResult,
  startServer,
  type TestServer,
  useTempDirs,
} from "./handler-test-kit.js";

const tempDir = useTempDirs();
const ROUTE_HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT";

let central: TestServer | undefined;
afterEach(async () => {
  await central?.close();
  central = undefined;
});

/** A routing table whose default gateway is 127.0.0.1 (little-endian hex 0100007F), which always answers. */
async function routeTable(root: string, rows: string[]): Promise<string> {
  const file = path.join(root, "route");
  await writeFile(file, `${[ROUTE_HEADER, ...rows].join("\n")}\n`);
  return file;
}

function checkNamed(result: CommandResult<"network_diagnostics">, name: string) {
  return result.checks.find((check) => check.name === name);
}

describe("network_diagnostics", () => {
  it("reports DNS, central and gateway as reachable", async () => {
    const root = await tempDir();
    central = await startServer({ "/": (_request, response) => response.writeHead(200).end("ok") });
    const routeTablePath = await routeTable(root, [
      "lo\t00000000\t0100007F\t0003\t0\t0\t0\t00000000\t0\t0\t0",
      "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
    ]);
    const centralUrl = central.url("/").replace("127.0.0.1", "localhost");
    const result = await createHandlers({ routeTablePath }).network_diagnostics(
      {},
      contextIn(root, { centralUrl }),
    );
    expectValidResult("network_diagnostics", result);
    expect(result.checks.map((check) => [check.name, check.ok])).toEqual([
      ["dns", true],
      ["central", true],
      ["gateway", true],
    ]);
    expect(checkNamed(result, "central")?.detail).toMatch(/^HTTP 200 from http:\/\/localhost:\d+$/);
    expect(checkNamed(result, "gateway")?.detail).toContain("gateway 127.0.0.1 (lo)");
  });

  it("reports failures as results with a clear detail, never as an error", async () => {
    const root = await tempDir();
    const routeTablePath = await routeTable(root, [
      "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
    ]);
    const closed = await startServer({});
    const closedUrl = closed.url("/");
    await closed.close();

    const handlers = createHandlers({ routeTablePath, networkCheckTimeoutMs: 2000 });
    const unreachable = await handlers.network_diagnostics({}, contextIn(root, { centralUrl: closedUrl }));
    expectValidResult("network_diagnostics", unreachable);
    expect(checkNamed(unreachable, "central")).toMatchObject({
      ok: false,
      detail: expect.stringContaining("ECONNREFUSED"),
    });
    expect(checkNamed(unreachable, "gateway")).toMatchObject({
      ok: false,
      detail: expect.stringContaining("no default route"),
    });

    const unknownHost = await handlers.network_diagnostics(
      {},
      contextIn(root, { centralUrl: "http://central.neopro.invalid:3000" }),
    );
    expect(checkNamed(unknownHost, "dns")).toMatchObject({ ok: false });
    expect(checkNamed(unknownHost, "central")).toMatchObject({ ok: false });
  });

  it("bounds each check by the timeout", async () => {
    const root = await tempDir();
    const routeTablePath = await routeTable(root, []);
    central = await startServer({ "/": () => {} }); // accepts the request and never answers
    const started = performance.now();
    const result = await createHandlers({ routeTablePath, networkCheckTimeoutMs: 400 }).network_diagnostics(
      {},
      contextIn(root, { centralUrl: central.url("/") }),
    );
    expect(performance.now() - started).toBeLessThan(1500);
    expect(checkNamed(result, "central")).toMatchObject({ ok: false, detail: "no answer in time" });
    expect(checkNamed(result, "central")?.durationMs).toBeGreaterThanOrEqual(390);
    for (const check of result.checks) expect(check.durationMs).toBeLessThan(1000);
  });
});
