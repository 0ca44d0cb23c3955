import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createHandlers } from "../../../src/handlers/index.js";
import { contextIn, expectValidResult, useTempDirs } from "./handler-test-kit.js";

const handlers = createHandlers();
const tempDir = useTempDirs();

async function videosIn(root: string): Promise<string> {
  const dir = path.join(root, "videos");
  await mkdir(dir, { recursive: true });
  return dir;
}

describe("delete_video", () => {
  it("deletes the video and a leftover .part, then succeeds again with deleted: false", async () => {
    const root = await tempDir();
    const videos = await videosIn(root);
    await writeFile(path.join(videos, "old.mp4"), "video");
    await writeFile(path.join(videos, "old.mp4.part"), "partial");
    await writeFile(path.join(videos, "other.mp4"), "kept");

    const first = await handlers.delete_video({ filename: "old.mp4", videoId: "v1" }, contextIn(root));
    expect(first).toEqual({ filename: "old.mp4", deleted: true });
    expectValidResult("delete_video", first);
    expect(await readdir(videos)).toEqual(["other.mp4"]);

    const second = await handlers.delete_video({ filename: "old.mp4" }, contextIn(root));
    expect(second).toEqual({ filename: "old.mp4", deleted: false });
  });

  it("succeeds with deleted: false when the videos folder does not exist", async () => {
    const root = await tempDir();
    expect(await handlers.delete_video({ filename: "none.mp4" }, contextIn(root))).toEqual({
      filename: "none.mp4",
      deleted: false,
    });
  });

  it("refuses to delete a folder", async () => {
    const root = await tempDir();
    await mkdir(path.join(await videosIn(root), "folder.mp4"));
    await expect(handlers.delete_video({ filename: "folder.mp4" }, contextIn(root))).rejects.toMatchObject({
      code: "NOT_A_FILE",
    });
  });

  it("refuses names that escape the videos folder and leaves the target alone", async () => {
    const root = await tempDir();
    const videos = await videosIn(root);
    const outside = path.join(root, "precious.txt");
    await writeFile(outside, "keep me");
    await symlink(outside, path.join(videos, "link.mp4"));

    for (const filename of ["../precious.txt", outside, "link.mp4"]) {
      await expect(handlers.delete_video({ filename }, contextIn(root))).rejects.toMatchObject({
        code: "UNSAFE_PATH",
      });
    }
    expect(await readFile(outside, "utf8")).toBe("keep me");
  });
});
