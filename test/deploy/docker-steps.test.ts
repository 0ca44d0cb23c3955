import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../support/api-client.js";
import { freePort, makeTempDir, removeDir } from "../support/fixtures.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { REPO_ROOT, RunningProcess } from "../support/processes.js";
import {
  dockerignoreMatcher,
  parseDockerfile,
  type ReplayedStage,
  replayDockerfile,
} from "./support/dockerfile.js";

/**
 * Central's image without a Docker engine: the Dockerfile's own COPY and RUN
 * steps replayed in temporary folders (build stage, then the runtime stage
 * with production dependencies only), then central started from the runtime
 * folder exactly as the image's CMD says, against the real PostgreSQL.
 */
const DOCKERFILE = join(REPO_ROOT, "deploy/docker/Dockerfile");
const ADMIN_TOKEN = "docker-steps-admin-token";
const REPLAY_TIMEOUT_MS = 600_000;

describe("deploy/docker/Dockerfile", () => {
  const { args, stages } = parseDockerfile(readFileSync(DOCKERFILE, "utf8"));
  const runtime = stages.at(-1);

  it("builds in one stage and runs from a slim one, as a non-root user, with a health check", () => {
    expect(stages.map((stage) => stage.name)).toEqual(["build", "runtime"]);
    expect(args.NODE_IMAGE).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
    const keywords = (runtime?.instructions ?? []).map((instruction) => instruction.keyword);
    const value = (keyword: string) =>
      runtime?.instructions.findLast((entry) => entry.keyword === keyword)?.args;
    expect(value("USER")).toBe("node");
    expect(keywords.indexOf("USER")).toBeGreaterThan(keywords.lastIndexOf("RUN"));
    expect(value("HEALTHCHECK")).toContain("/health/ready");
    // Exec form: node receives SIGTERM itself, not through a shell.
    expect(JSON.parse(value("CMD") ?? "[]")).toEqual(["node", "central/dist/main.js"]);
    const installs = runtime?.instructions.filter(
      (entry) => entry.keyword === "RUN" && entry.args.includes("npm ci"),
    );
    expect(installs?.map((entry) => entry.args)).toEqual([expect.stringContaining("--omit=dev")]);
    const copiedFromBuild = runtime?.instructions
      .filter((entry) => entry.keyword === "COPY" && entry.args.includes("--from=build"))
      .map((entry) => entry.args.split(/\s+/).at(-2));
    expect(copiedFromBuild).toEqual([
      "/src/protocol/dist",
      "/src/central/dist",
      "/src/dashboard/dist",
      "/src/data",
    ]);
  });

  it("keeps local installs and builds out of the build context", () => {
    const ignored = dockerignoreMatcher(`${DOCKERFILE}.dockerignore`);
    for (const path of [
      "node_modules",
      "central/node_modules/x",
      "central/dist",
      "dist/release/a.tar.gz",
      "data",
    ]) {
      expect(ignored(path), path).toBe(true);
    }
    for (const path of [
      "central/src/main.ts",
      "central/migrations",
      "package-lock.json",
      "dashboard/index.html",
    ]) {
      expect(ignored(path), path).toBe(false);
    }
  });

  describe("replayed outside Docker", () => {
    let workDir: string;
    let database: TestDatabase;
    let replayed: ReplayedStage[];
    let central: RunningProcess | undefined;

    beforeAll(async () => {
      workDir = await makeTempDir("cq-docker-steps-");
      database = await createTestDatabase();
      replayed = replayDockerfile({
        dockerfile: DOCKERFILE,
        context: REPO_ROOT,
        into: workDir,
        baseEnv: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          npm_config_cache: process.env.npm_config_cache,
        },
      });
    }, REPLAY_TIMEOUT_MS);

    afterAll(async () => {
      await central?.stop();
      await database?.drop();
      await removeDir(workDir);
    });

    const runtimeStage = () => {
      const stage = replayed.at(-1);
      if (!stage) throw new Error("no stage replayed");
      return { ...stage, app: join(stage.root, stage.workdir) };
    };

    it("installs production dependencies only in the runtime stage", () => {
      const { app } = runtimeStage();
      for (const runtimePackage of ["fastify", "pg", "socket.io", "node-pg-migrate", "@neopro/protocol"]) {
        expect(existsSync(join(app, "node_modules", runtimePackage)), runtimePackage).toBe(true);
      }
      for (const devPackage of [
        "typescript",
        "vitest",
        "vite",
        "@biomejs/biome",
        "better-sqlite3",
        "playwright-core",
      ]) {
        expect(existsSync(join(app, "node_modules", devPackage)), devPackage).toBe(false);
      }
      expect(existsSync(join(app, "central/src"))).toBe(false);
      expect(existsSync(join(app, "central/dist/main.js"))).toBe(true);
      expect(existsSync(join(app, "central/migrations"))).toBe(true);
      expect(existsSync(join(app, "dashboard/dist/index.html"))).toBe(true);
    });

    it("starts central with the image's CMD and environment: ready, healthy, then a graceful stop on SIGTERM", async () => {
      const stage = runtimeStage();
      const [command = "", ...commandArgs] = stage.command ?? [];
      expect(command).toBe("node");
      const port = String(await freePort());
      const env = {
        PATH: process.env.PATH,
        ...stage.env,
        // What compose sets; DATA_DIR of the image (/app/data) maps into the replayed root.
        DATA_DIR: join(stage.root, stage.env.DATA_DIR ?? "data"),
        HOST: "127.0.0.1",
        PORT: port,
        DATABASE_URL: database.url,
        ADMIN_TOKEN,
      };
      central = new RunningProcess(
        "central-image",
        spawn(process.execPath, commandArgs, { cwd: stage.app, env, stdio: ["ignore", "pipe", "pipe"] }),
      );
      await central.waitForMessage("Central listening", 60_000);
      const url = `http://127.0.0.1:${port}`;

      expect((await fetch(`${url}/health/live`)).status).toBe(200);
      const ready = await fetch(`${url}/health/ready`);
      expect({ status: ready.status, body: await ready.json() }).toEqual({
        status: 200,
        body: { status: "ready" },
      });
      const site = await apiClient(url, ADMIN_TOKEN).createSite("Docker", "Club Image");
      expect(site.token).toBeTruthy();
      expect((await fetch(`${url}/`)).headers.get("content-type")).toContain("text/html");

      const [checkCommand = "", ...checkArgs] = stage.healthcheck ?? [];
      expect(checkCommand).toBe("node");
      const healthcheck = () => spawnSync(process.execPath, checkArgs, { env, timeout: 10_000 }).status;
      expect(healthcheck()).toBe(0);

      const exit = await central.stop();
      expect(exit).toEqual({ code: 0, signal: null });
      const messages = central.logs.map((line) => line.msg);
      expect(messages).toContain("Shutdown requested");
      expect(messages.at(-1)).toBe("Central stopped");
      expect(healthcheck()).toBe(1);
    }, 120_000);
  });
});
