import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createHandlers } from "../../../src/handlers/index.js";
import { contextIn, expectValidResult, useTempDirs, writeScript } from "./handler-test-kit.js";

const handlers = createHandlers();
const tempDir = useTempDirs();
const sha256 = "ab".repeat(32);

describe("update_software", () => {
  it("runs the update program with the version, the url and the sha256, and returns its output", async () => {
    const root = await tempDir();
    const updateCommand = await writeScript(
      path.join(root, "update.sh"),
      `printf '%s\\n' "$@" > "${root}/arguments"
echo "sha=$NEOPRO_UPDATE_SHA256"
echo "warning: reboot needed" >&2`,
    );
    const result = await handlers.update_software(
      { version: "2.4.0", url: "https://updates.example.org/neopro-2.4.0.tar.gz", sha256 },
      contextIn(root, { updateCommand }),
    );
    expect(result).toMatchObject({
      version: "2.4.0",
      exitCode: 0,
      stdout: `sha=${sha256}\n`,
      stderr: "warning: reboot needed\n",
    });
    expectValidResult("update_software", result);
    expect(await readFile(path.join(root, "arguments"), "utf8")).toBe(
      "2.4.0\nhttps://updates.example.org/neopro-2.4.0.tar.gz\n",
    );
  });

  it("passes shell characters as plain arguments, never to a shell", async () => {
    const root = await tempDir();
    const updateCommand = await writeScript(path.join(root, "update.sh"), `printf '%s' "$2" > "${root}/url"`);
    const url = `https://example.org/a;touch\${IFS}${root}/pwned?$(touch%20${root}/pwned2)`;
    await handlers.update_software({ version: "1.0.0", url }, contextIn(root, { updateCommand }));
    expect(await readFile(path.join(root, "url"), "utf8")).toBe(url);
    expect((await readdir(root)).sort()).toEqual(["update.sh", "url"]);
  });

  it("reports a non-zero exit as UPDATE_FAILED with the exit code and the end of stderr", async () => {
    const root = await tempDir();
    const updateCommand = await writeScript(path.join(root, "update.sh"), `echo "disk full" >&2\nexit 3`);
    await expect(
      handlers.update_software({ version: "2.4.0" }, contextIn(root, { updateCommand })),
    ).rejects.toMatchObject({
      code: "UPDATE_FAILED",
      message: expect.stringMatching(/exited with code 3.*disk full/),
    });
  });

  it("reports a missing program as UPDATE_COMMAND_NOT_FOUND with what to set", async () => {
    const root = await tempDir();
    await expect(
      handlers.update_software(
        { version: "2.4.0" },
        contextIn(root, { updateCommand: path.join(root, "no-such-program") }),
      ),
    ).rejects.toMatchObject({
      code: "UPDATE_COMMAND_NOT_FOUND",
      message: expect.stringContaining("set UPDATE_COMMAND"),
    });
  });

  it("stops a program that runs past the timeout", async () => {
    const root = await tempDir();
    const updateCommand = await writeScript(path.join(root, "update.sh"), "exec sleep 30");
    const started = Date.now();
    await expect(
      handlers.update_software(
        { version: "2.4.0" },
        contextIn(root, { updateCommand, updateTimeoutMs: 300 }),
      ),
    ).rejects.toMatchObject({ code: "UPDATE_TIMEOUT" });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("keeps only the last 64 KiB of a long output", async () => {
    const root = await tempDir();
    const updateCommand = await writeScript(
      path.join(root, "update.sh"),
      `i=0; while [ $i -lt 3000 ]; do echo "line $i ................................................"; i=$((i+1)); done; echo LAST`,
    );
    const result = await handlers.update_software({ version: "2.4.0" }, contextIn(root, { updateCommand }));
    expect(Buffer.byteLength(result.stdout)).toBeLessThanOrEqual(64 * 1024);
    expect(Buffer.byteLength(result.stdout)).toBeGreaterThan(60 * 1024);
    expect(result.stdout.endsWith("LAST\n")).toBe(true);
    expect(result.stdout).not.toContain("line 0 ");
  });
});
