import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { COMMANDS, type CommandType } from "@neopro/protocol";
import { pino } from "pino";
import { afterEach, expect } from "vitest";
import type { HandlerContext, HandlerSettings } from "../../../src/handlers/index.js";

/** A fresh temporary folder per call, removed after the test. */
export function useTempDirs(): () => Promise<string> {
  const created: string[] = [];
  afterEach(async () => {
    await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "neopro-handlers-"));
    created.push(dir);
    return dir;
  };
}

export interface ContextOverrides extends Partial<Omit<HandlerSettings, "paths">> {
  paths?: Partial<HandlerSettings["paths"]>;
  signal?: AbortSignal;
}

/** Settings that keep every path inside `root`. */
export function contextIn(root: string, overrides: ContextOverrides = {}): HandlerContext {
  const { paths, signal, ...settings } = overrides;
  return {
    signal: signal ?? new AbortController().signal,
    logger: pino({ level: "silent" }),
    settings: {
      paths: {
        configPath: path.join(root, "config", "config.json"),
        videosDir: path.join(root, "videos"),
        hostapdConf: path.join(root, "hostapd.conf"),
        logFile: null,
        ...paths,
      },
      centralUrl: "http://127.0.0.1:9",
      updateCommand: path.join(root, "missing-update-program"),
      updateTimeoutMs: 10_000,
      downloadTimeoutMs: 10_000,
      journalUnit: "neopro-sync-agent",
      ...settings,
    },
  };
}

/** The result must be what central will accept for this command type. */
export function expectValidResult(type: CommandType, result: unknown): void {
  const parsed = COMMANDS[type].result.safeParse(result);
  expect(parsed.error?.issues ?? []).toEqual([]);
}

/** Writes an executable `#!/bin/sh` script. */
export async function writeScript(filePath: string, body: string): Promise<string> {
  await writeFile(filePath, `#!/bin/sh\n${body}\n`);
  await chmod(filePath, 0o755);
  return filePath;
}

export interface ServedRequest {
  path: string;
  range: string | undefined;
  bytesSent: number;
}

export interface TestServer {
  url(pathname: string): string;
  requests: ServedRequest[];
  close(): Promise<void>;
}

export type RouteHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  record: ServedRequest,
) => void;

/** A real HTTP server on port 0; routes are keyed by path, anything else is a 404. */
export async function startServer(routes: Record<string, RouteHandler>): Promise<TestServer> {
  const requests: ServedRequest[] = [];
  const server = createServer((request, response) => {
    const pathname = new URL(request.url ?? "/", "http://test").pathname;
    const record: ServedRequest = { path: pathname, range: request.headers.range, bytesSent: 0 };
    requests.push(record);
    const route = routes[pathname];
    if (route) {
      route(request, response, record);
    } else {
      response.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (pathname) => `http://127.0.0.1:${port}${pathname}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves `content`, honouring `Range: bytes=N-` when `ranges` is true (as most video hosts do). */
export function serveBytes(content: Buffer, options: { ranges: boolean }): RouteHandler {
  return (request, response, record) => {
    const match = /^bytes=(\d+)-$/.exec(request.headers.range ?? "");
    if (options.ranges && match) {
      const start = Number(match[1]);
      if (start >= content.length) {
        response.writeHead(416, { "content-range": `bytes */${content.length}` }).end();
        return;
      }
      const body = content.subarray(start);
      record.bytesSent = body.length;
      response.writeHead(206, {
        "content-length": body.length,
        "content-range": `bytes ${start}-${content.length - 1}/${content.length}`,
      });
      response.end(body);
      return;
    }
    record.bytesSent = content.length;
    response.writeHead(200, {
      "content-length": content.length,
      "accept-ranges": options.ranges ? "bytes" : "none",
    });
    response.end(content);
  };
}
