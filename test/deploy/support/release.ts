import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, RunningProcess } from "../../support/processes.js";

/** One entry of deploy/release/targets.json: the build script and these tests read the same file. */
export interface ReleaseTarget {
  description: string;
  nodePackage: string;
  nodeVersion: string;
  gypArch: string;
  crossPrefix: string;
  qemu: string;
  qemuLibraryRoot: string;
}

export const TARGETS_FILE = join(REPO_ROOT, "deploy/release/targets.json");
export const RELEASE_OUT_DIR = process.env.RELEASE_OUT_DIR ?? join(REPO_ROOT, "dist/release");

export function readTargets(): Record<string, ReleaseTarget> {
  return JSON.parse(readFileSync(TARGETS_FILE, "utf8")) as Record<string, ReleaseTarget>;
}

/** ARM_TARGETS="arm64" narrows the run (CI's reduced form); default: every target of targets.json. */
export function selectedTargets(): string[] {
  const all = Object.keys(readTargets());
  const wanted = process.env.ARM_TARGETS?.split(/[\s,]+/).filter(Boolean) ?? all;
  const unknown = wanted.filter((name) => !all.includes(name));
  if (unknown.length > 0)
    throw new Error(`ARM_TARGETS names unknown targets ${unknown.join(", ")}; known: ${all}`);
  return wanted;
}

export function agentVersion(): string {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "agent/package.json"), "utf8")) as {
    version: string;
  };
  return manifest.version;
}

/** The tarball the build wrote, checked against its .sha256 file. */
export function releaseTarball(target: string): string {
  const path = join(RELEASE_OUT_DIR, `neopro-sync-agent-${agentVersion()}-linux-${target}.tar.gz`);
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing: build it with \`npm run release:agent\` (or run \`npm run test:arm\`)`,
    );
  }
  const expected = readFileSync(`${path}.sha256`, "utf8").split(/\s+/)[0];
  const actual = createHash("sha256").update(readFileSync(path)).digest("hex");
  if (expected !== actual) throw new Error(`${path} does not match its .sha256 file: rebuild it`);
  return path;
}

/** Unpacks a release tarball into `into`; returns the release folder (the one holding RELEASE.json). */
export function extractRelease(tarball: string, into: string): string {
  const result = spawnSync("tar", ["-xzf", tarball, "-C", into], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`tar -xzf ${tarball} failed: ${result.stderr}`);
  const name =
    tarball
      .split("/")
      .pop()
      ?.replace(/\.tar\.gz$/, "") ?? "";
  return join(into, name);
}

/**
 * The release's own Node under qemu-user, called explicitly: this machine has
 * no binfmt_misc, so an ARM binary cannot be exec'd directly (nor through the
 * release's shell launcher).
 */
export function qemuNodeCommand(target: ReleaseTarget, releaseDir: string): string[] {
  return [target.qemu, "-L", target.qemuLibraryRoot, join(releaseDir, "node/bin/node")];
}

export function runUnderQemu(target: ReleaseTarget, releaseDir: string, args: string[]): string {
  const [command = "", ...prefix] = qemuNodeCommand(target, releaseDir);
  const result = spawnSync(command, [...prefix, ...args], { encoding: "utf8", timeout: 120_000 });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}${result.error ?? ""}`);
  return result.stdout.trim();
}

/** Starts the release's agent entry point under qemu with the given environment. */
export function startReleasedAgent(
  target: ReleaseTarget,
  releaseDir: string,
  env: Record<string, string>,
  args: string[] = [],
): RunningProcess {
  const [command = "", ...prefix] = qemuNodeCommand(target, releaseDir);
  const child = spawn(command, [...prefix, join(releaseDir, "lib/dist/main.js"), ...args], {
    cwd: releaseDir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "debug", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new RunningProcess(`agent-${target.gypArch}`, child);
}

/** Resident memory of a running process, from /proc (kB → MiB). */
export function residentMemoryMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Math.round((Number(match[1]) / 1024) * 10) / 10;
}

/**
 * What systemd would hand the installed agent, read from a scratch root that
 * install-agent.sh filled: the unit's Environment= and ExecStart= arguments,
 * the EnvironmentFile, the token file, the state folder; absolute paths are
 * mapped into the scratch root.
 */
export function installedServiceEnvironment(root: string): { env: Record<string, string>; args: string[] } {
  const unit = readFileSync(join(root, "etc/systemd/system/neopro-sync-agent.service"), "utf8");
  const env: Record<string, string> = {};
  const assign = (pair: string) => {
    const [key = "", value = ""] = pair.split(/=(.*)/s);
    env[key] = value.startsWith("/") ? join(root, value) : value;
  };
  for (const line of unit.match(/^Environment=.*$/gm) ?? []) {
    for (const pair of line.slice("Environment=".length).split(/\s+/)) assign(pair);
  }
  for (const line of readFileSync(join(root, "etc/neopro/sync-agent.env"), "utf8").split("\n")) {
    if (/^[A-Z_]+=/.test(line)) assign(line);
  }
  env.SITE_TOKEN_FILE = join(root, "etc/neopro/site-token");
  env.DATA_DIR = join(root, "var/lib/neopro-sync-agent");
  const execStart = /^ExecStart=(\S+)(.*)$/m.exec(unit);
  return { env, args: execStart?.[2]?.trim().split(/\s+/).filter(Boolean) ?? [] };
}
