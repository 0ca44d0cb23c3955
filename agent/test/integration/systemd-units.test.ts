import { execFile } from "node:child_process";
import { chmod, cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BOX_PATHS } from "../../src/cli/environment.js";
import { createTempDir, type TempDir } from "../support/helpers.js";

const run = promisify(execFile);
const SYSTEMD_DIR = join(import.meta.dirname, "../../../systemd");
const UNIT = "neopro-sync-agent.service";

async function runTool(command: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(command, args);
    return { code: 0, output: `${stdout}${stderr}`.trim() };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, output: `${failure.stdout}${failure.stderr}`.trim() };
  }
}

function unitSetting(unit: string, key: string): string[] {
  return unit
    .split("\n")
    .filter((line) => line.startsWith(`${key}=`))
    .map((line) => line.slice(key.length + 1));
}

/**
 * The units as systemd reads them (Debian's `systemd` package: systemd-analyze,
 * systemd-sysusers, systemd-tmpfiles; no running systemd needed). The unit is
 * checked inside a scratch root holding systemd's own units and a stand-in for
 * the release's launcher, because verify checks that ExecStart= exists.
 */
describe("systemd units", () => {
  let root: TempDir;
  let unit: string;

  beforeEach(async () => {
    root = await createTempDir("systemd-root-");
    unit = await readFile(join(SYSTEMD_DIR, UNIT), "utf8");
    await cp("/usr/lib/systemd/system", join(root.path, "usr/lib/systemd/system"), { recursive: true });
    const launcher = join(root.path, "opt/neopro-sync-agent/current/bin/neopro-sync-agent");
    await mkdir(join(launcher, ".."), { recursive: true });
    await writeFile(launcher, "#!/bin/sh\n");
    await chmod(launcher, 0o755);
    await mkdir(join(root.path, "etc/systemd/system"), { recursive: true });
  });

  afterEach(() => root.remove());

  async function verify(unitText: string) {
    await writeFile(join(root.path, "etc/systemd/system", UNIT), unitText);
    return runTool("systemd-analyze", ["verify", `--root=${root.path}`, UNIT]);
  }

  it("passes systemd-analyze verify without a single warning", async () => {
    expect(await verify(unit)).toEqual({ code: 0, output: "" });
  });

  it("would catch a mistake (the check above is not vacuous)", async () => {
    const broken = await verify(unit.replace("WatchdogSec=30", "WatchdogSec=thirty"));
    expect(broken.output).toMatch(/Failed to parse sec value/);
    const missingBinary = await verify(unit.replace("/current/bin/", "/nowhere/bin/"));
    expect(missingBinary.code).not.toBe(0);
    expect(missingBinary.output).toMatch(/is not executable/);
  });

  it("is hardened as the issue asks, with a low exposure score", async () => {
    const settings = Object.fromEntries(
      [
        "Type",
        "NotifyAccess",
        "Restart",
        "ProtectSystem",
        "ProtectHome",
        "PrivateTmp",
        "NoNewPrivileges",
        "CapabilityBoundingSet",
        "StateDirectory",
        "SyslogIdentifier",
        "RestrictAddressFamilies",
        "LoadCredential",
        "EnvironmentFile",
      ].map((key) => [key, unitSetting(unit, key).join(" ")]),
    );
    expect(settings).toEqual({
      Type: "notify",
      NotifyAccess: "main",
      Restart: "always",
      ProtectSystem: "strict",
      ProtectHome: "yes",
      PrivateTmp: "yes",
      NoNewPrivileges: "yes",
      CapabilityBoundingSet: "",
      StateDirectory: "neopro-sync-agent",
      SyslogIdentifier: "neopro-sync-agent",
      RestrictAddressFamilies: "AF_UNIX AF_INET AF_INET6",
      LoadCredential: "site-token:/etc/neopro/site-token",
      EnvironmentFile: "/etc/neopro/sync-agent.env",
    });
    expect(unitSetting(unit, "SystemCallFilter")).toContain("@system-service");
    expect(unitSetting(unit, "MemoryDenyWriteExecute")).toEqual([]);
    expect(unit).not.toMatch(/SITE_TOKEN/);
    // Longer than the agent's default SHUTDOWN_GRACE_MS (10 s) plus its outbox send (up to 10 s).
    expect(Number(unitSetting(unit, "TimeoutStopSec")[0])).toBeGreaterThan(20);
    expect(Number(unitSetting(unit, "WatchdogSec")[0])).toBeGreaterThan(0);

    await writeFile(join(root.path, "etc/systemd/system", UNIT), unit);
    const security = await runTool("systemd-analyze", [
      "security",
      "--offline=true",
      `--root=${root.path}`,
      UNIT,
    ]);
    const score = Number(/Overall exposure level for .*: ([\d.]+)/.exec(security.output)?.[1]);
    expect(score).toBeLessThanOrEqual(2.5);
  });

  it("gives the tools the same media and config paths as the daemon", () => {
    expect(unitSetting(unit, "Environment")).toEqual([
      `VIDEOS_DIR=${BOX_PATHS.videosDir} CONFIG_PATH=${BOX_PATHS.configPath}`,
    ]);
    expect(unitSetting(unit, "ReadWritePaths")).toEqual(["/srv/neopro"]);
    expect(unitSetting(unit, "ExecStart")).toEqual([
      "/opt/neopro-sync-agent/current/bin/neopro-sync-agent run",
    ]);
  });

  it("creates the service user and its folders with systemd-sysusers and systemd-tmpfiles", async () => {
    await mkdir(join(root.path, "etc"), { recursive: true });
    const sysusers = join(SYSTEMD_DIR, "neopro-sync-agent.sysusers.conf");
    expect(await runTool("systemd-sysusers", [`--root=${root.path}`, sysusers])).toMatchObject({ code: 0 });
    const passwd = await readFile(join(root.path, "etc/passwd"), "utf8");
    expect(passwd).toMatch(
      /^neopro-sync-agent:x:\d+:\d+:NEOPRO sync-agent:\/var\/lib\/neopro-sync-agent:\/usr\/sbin\/nologin$/m,
    );

    const tmpfiles = join(SYSTEMD_DIR, "neopro-sync-agent.tmpfiles.conf");
    const created = await runTool("systemd-tmpfiles", [`--root=${root.path}`, "--create", tmpfiles]);
    expect(created).toEqual({ code: 0, output: "" });
    const uid = /^neopro-sync-agent:x:(\d+):/m.exec(passwd)?.[1];
    for (const folder of ["srv/neopro", "srv/neopro/videos"]) {
      const { stdout } = await run("stat", ["-c", "%a %u", join(root.path, folder)]);
      expect(stdout.trim()).toBe(`755 ${uid}`);
    }
  });
});
