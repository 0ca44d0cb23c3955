import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveInside } from "../../../src/handlers/index.js";
import { useTempDirs } from "./handler-test-kit.js";

const tempDir = useTempDirs();

describe("resolveInside", () => {
  it("resolves a plain name inside the folder, existing or not", async () => {
    const root = await tempDir();
    await writeFile(path.join(root, "a.mp4"), "x");
    expect(await resolveInside(root, "a.mp4")).toBe(path.join(root, "a.mp4"));
    expect(await resolveInside(root, "b.mp4")).toBe(path.join(root, "b.mp4"));
    expect(await resolveInside(path.join(root, "not-yet"), "c.mp4")).toBe(
      path.join(root, "not-yet", "c.mp4"),
    );
  });

  it.each(["..", ".", "", "../x", "/etc/passwd", "a/../../x"])("refuses %j", async (name) => {
    const root = await tempDir();
    await expect(resolveInside(root, name)).rejects.toMatchObject({ code: "UNSAFE_PATH" });
  });

  it("refuses links whose real target is outside, including dangling ones", async () => {
    const root = await tempDir();
    const folder = path.join(root, "videos");
    await mkdir(folder);
    await symlink(root, path.join(folder, "up"));
    await symlink(path.join(root, "nowhere.mp4"), path.join(folder, "dangling.mp4"));
    await expect(resolveInside(folder, "up")).rejects.toMatchObject({ code: "UNSAFE_PATH" });
    await expect(resolveInside(folder, "up/x.mp4")).rejects.toMatchObject({ code: "UNSAFE_PATH" });
    await expect(resolveInside(folder, "dangling.mp4")).rejects.toMatchObject({ code: "UNSAFE_PATH" });
  });

  it("accepts a folder that is itself a link (e.g. videos on a USB disk)", async () => {
    const root = await tempDir();
    await mkdir(path.join(root, "usb"));
    await symlink(path.join(root, "usb"), path.join(root, "videos"));
    expect(await resolveInside(path.join(root, "videos"), "a.mp4")).toBe(path.join(root, "videos", "a.mp4"));
  });
});
