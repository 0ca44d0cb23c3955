import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeDir } from "../support/fixtures.js";
import { REPO_ROOT } from "../support/processes.js";

/**
 * deploy/install-agent.sh against a scratch root (--root): the files it
 * writes, their modes and owners, idempotence (a second run changes no byte,
 * mode or timestamp), updates, and uninstall with and without --purge. The
 * release folder is made here from the repository's systemd/ files and
 * install script, as build-agent.sh lays them out; the program itself is
 * exercised by `npm run test:arm`, which installs the real tarball.
 */
const INSTALLER = join(REPO_ROOT, "deploy/install-agent.sh");
const UNIT = "neopro-sync-agent.service";
const SITE_ID = "3f0c1111-2222-4333-8444-555566667777";
const TOKEN = "site-token-from-central-0123456789";

let workDir: string;
let root: string;
let tokenFile: string;

function makeRelease(name: string): string {
  const release = join(workDir, name);
  mkdirSync(join(release, "bin"), { recursive: true });
  cpSync(join(REPO_ROOT, "systemd"), join(release, "systemd"), { recursive: true });
  cpSync(INSTALLER, join(release, "install-agent.sh"));
  const manifest = { name, product: "neopro-sync-agent", version: "1.0.0", target: "linux-test" };
  writeFileSync(join(release, "RELEASE.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(release, "bin/neopro-sync-agent"), "#!/bin/sh\necho neopro-sync-agent\n", {
    mode: 0o755,
  });
  return release;
}

function install(...args: string[]) {
  const result = spawnSync("bash", [INSTALLER, "--root", root, ...args], { encoding: "utf8", stdio: "pipe" });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Every path under the root with what a second run must not change: type, mode, owner, content, mtime. */
function snapshot(): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const info = lstatSync(path);
      const what = info.isSymbolicLink()
        ? `link ${readlinkSync(path)}`
        : info.isDirectory()
          ? "dir"
          : `file ${createHash("sha256").update(readFileSync(path)).digest("hex")}`;
      entries[relative(root, path)] =
        `${what} ${(info.mode & 0o7777).toString(8)} ${info.uid}:${info.gid} ${info.mtimeMs}`;
      if (info.isDirectory()) walk(path);
    }
  };
  walk(root);
  return entries;
}

const at = (path: string) => join(root, path);
const mode = (path: string) => (lstatSync(at(path)).mode & 0o7777).toString(8);

describe("deploy/install-agent.sh in a scratch root", () => {
  beforeAll(async () => {
    workDir = await makeTempDir("cq-install-");
    root = join(workDir, "root");
    tokenFile = join(workDir, "token");
    writeFileSync(tokenFile, `${TOKEN}\n`);
  });

  afterAll(async () => {
    await removeDir(workDir);
  });

  it("refuses to guess: without a terminal, missing settings are an error naming the option", () => {
    const release = makeRelease("neopro-sync-agent-1.0.0-linux-test");
    const { code, output } = install("--release", release);
    expect(code).not.toBe(0);
    expect(output).toContain("pass it as an option");
    const badId = install("--release", release, "--central-url", "https://c.example", "--site-id", "nope");
    expect(badId.code).not.toBe(0);
    expect(badId.output).toContain("is not a UUID");
    expect(existsSync(root)).toBe(false);
  });

  it("installs the program, the unit, the user, the folders and the configuration", () => {
    const release = makeRelease("neopro-sync-agent-1.0.0-linux-test");
    const { code, output } = install(
      "--release",
      release,
      "--central-url",
      "https://central.example.org",
      "--site-id",
      SITE_ID,
      "--token-file",
      tokenFile,
    );
    expect(output).toContain("scratch root");
    expect(code).toBe(0);

    const current = "opt/neopro-sync-agent/current";
    expect(readlinkSync(at(current))).toBe("releases/neopro-sync-agent-1.0.0-linux-test");
    expect(readlinkSync(at("usr/local/bin/neopro-sync-agent"))).toBe(`/${current}/bin/neopro-sync-agent`);
    expect(existsSync(at(`${current}/RELEASE.json`))).toBe(true);
    expect(readFileSync(at(`etc/systemd/system/${UNIT}`), "utf8")).toBe(
      readFileSync(join(REPO_ROOT, "systemd", UNIT), "utf8"),
    );
    const unit = readFileSync(at(`etc/systemd/system/${UNIT}`), "utf8");
    expect(unit).toContain(`ExecStart=/${current}/bin/neopro-sync-agent`);

    const user = readFileSync(at("etc/passwd"), "utf8")
      .split("\n")
      .find((line) => line.startsWith("neopro-sync-agent:"));
    expect(user).toBeDefined();
    const [uid, gid] = (user ?? "").split(":").slice(2, 4).map(Number);
    const state = lstatSync(at("var/lib/neopro-sync-agent"));
    expect({ uid: state.uid, gid: state.gid, mode: mode("var/lib/neopro-sync-agent") }).toEqual({
      uid,
      gid,
      mode: "750",
    });
    for (const writable of unit.match(/^ReadWritePaths=(.*)$/m)?.[1]?.split(/\s+/) ?? []) {
      expect(lstatSync(at(writable.replace(/^-/, ""))).uid, writable).toBe(uid);
    }

    expect(readFileSync(at("etc/neopro/sync-agent.env"), "utf8")).toMatch(
      new RegExp(`^CENTRAL_URL=https://central\\.example\\.org\nSITE_ID=${SITE_ID}$`, "m"),
    );
    expect(readFileSync(at("etc/neopro/sync-agent.env"), "utf8")).not.toContain(TOKEN);
    expect(readFileSync(at("etc/neopro/site-token"), "utf8")).toBe(`${TOKEN}\n`);
    expect(mode("etc/neopro/site-token")).toBe("600");
    expect(lstatSync(at("etc/neopro/site-token")).uid).toBe(0);
  });

  it("changes nothing when run again, and keeps the settings it already has", () => {
    const before = snapshot();
    const { code, output } = install("--release", join(workDir, "neopro-sync-agent-1.0.0-linux-test"));
    expect(code).toBe(0);
    expect(output).toContain("already installed and configured: nothing changed");
    expect(snapshot()).toEqual(before);
  });

  it("updates to a new release and keeps one previous release for a rollback", () => {
    const releases = ["1.1.0", "1.2.0"].map((version) =>
      makeRelease(`neopro-sync-agent-${version}-linux-test`),
    );
    for (const release of releases) expect(install("--release", release).code).toBe(0);
    expect(readlinkSync(at("opt/neopro-sync-agent/current"))).toBe(
      "releases/neopro-sync-agent-1.2.0-linux-test",
    );
    expect(readdirSync(at("opt/neopro-sync-agent/releases")).sort()).toEqual([
      "neopro-sync-agent-1.1.0-linux-test",
      "neopro-sync-agent-1.2.0-linux-test",
    ]);
    const moved = install("--release", releases[1] ?? "", "--central-url", "https://other.example.org");
    expect(moved.code).toBe(0);
    expect(readFileSync(at("etc/neopro/sync-agent.env"), "utf8")).toContain(
      "CENTRAL_URL=https://other.example.org",
    );
    expect(readFileSync(at("etc/neopro/site-token"), "utf8")).toBe(`${TOKEN}\n`);
  });

  it("uninstalls twice, keeping the configuration and data, then --purge removes them", () => {
    const first = install("--uninstall");
    expect(first.code).toBe(0);
    for (const gone of [
      `etc/systemd/system/${UNIT}`,
      "opt/neopro-sync-agent",
      "usr/local/bin/neopro-sync-agent",
    ]) {
      expect(existsSync(at(gone)), gone).toBe(false);
    }
    for (const kept of ["etc/neopro/sync-agent.env", "etc/neopro/site-token", "var/lib/neopro-sync-agent"]) {
      expect(existsSync(at(kept)), kept).toBe(true);
    }
    const before = snapshot();
    const second = install("--uninstall");
    expect(second).toMatchObject({ code: 0, output: expect.stringContaining("nothing to remove") });
    expect(snapshot()).toEqual(before);

    const purge = install("--uninstall", "--purge");
    expect(purge.code).toBe(0);
    for (const gone of ["etc/neopro", "var/lib/neopro-sync-agent", "etc/sysusers.d/neopro-sync-agent.conf"]) {
      expect(existsSync(at(gone)), gone).toBe(false);
    }
    expect(install("--uninstall", "--purge").output).toContain("nothing to remove");
  });
});
