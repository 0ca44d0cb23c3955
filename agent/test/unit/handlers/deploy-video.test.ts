import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CommandFailure, createHandlers } from "../../../src/handlers/index.js";
import {
  contextIn,
  expectValidResult,
  serveBytes,
  startServer,
  type TestServer,
  useTempDirs,
} from "./handler-test-kit.js";

const handlers = createHandlers();
const tempDir = useTempDirs();
const video = randomBytes(300 * 1024);
const videoSha256 = createHash("sha256").update(video).digest("hex");

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(options: { ranges: boolean }): Promise<TestServer> {
  server = await startServer({
    "/video.mp4": serveBytes(video, options),
    "/moved": (_request, response) => response.writeHead(302, { location: "/video.mp4" }).end(),
    "/half-then-drop": (_request, response) => {
      response.writeHead(200, { "content-length": video.length });
      response.write(video.subarray(0, video.length / 2), () => response.destroy());
    },
    "/stall": (_request, response) => {
      response.writeHead(200, { "content-length": video.length });
      response.write(video.subarray(0, 1024));
    },
  });
  return server;
}

/** Compared as hashes: a deep equality over 300 KiB of bytes takes a second. */
async function sha256OfFile(filePath: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(filePath))
    .digest("hex");
}

async function videoFiles(root: string): Promise<string[]> {
  return (await readdir(path.join(root, "videos"))).sort();
}

describe("deploy_video", () => {
  it("downloads, verifies size and sha256, and returns a valid result", async () => {
    const root = await tempDir();
    const { url } = await serve({ ranges: true });
    const result = await handlers.deploy_video(
      {
        videoId: "v1",
        url: url("/video.mp4"),
        filename: "sponsor.mp4",
        sha256: videoSha256,
        size: video.length,
      },
      contextIn(root),
    );
    expect(result).toEqual({
      videoId: "v1",
      filename: "sponsor.mp4",
      size: video.length,
      sha256: videoSha256,
      alreadyPresent: false,
    });
    expectValidResult("deploy_video", result);
    expect(await sha256OfFile(path.join(root, "videos", "sponsor.mp4"))).toBe(videoSha256);
    expect(await videoFiles(root)).toEqual(["sponsor.mp4"]);
  });

  it("follows redirects", async () => {
    const root = await tempDir();
    const { url } = await serve({ ranges: true });
    const result = await handlers.deploy_video(
      { videoId: "v1", url: url("/moved"), filename: "sponsor.mp4" },
      contextIn(root),
    );
    expect(result.sha256).toBe(videoSha256);
  });

  it("does not download again a file already present with the expected sha256", async () => {
    const root = await tempDir();
    const { url, requests } = await serve({ ranges: true });
    const params = { videoId: "v1", url: url("/video.mp4"), filename: "sponsor.mp4", sha256: videoSha256 };
    await handlers.deploy_video(params, contextIn(root));
    const again = await handlers.deploy_video(params, contextIn(root));
    expect(again).toMatchObject({ alreadyPresent: true, sha256: videoSha256, size: video.length });
    expectValidResult("deploy_video", again);
    expect(requests).toHaveLength(1);
  });

  it("replaces a file present under the name with different content", async () => {
    const root = await tempDir();
    const { url } = await serve({ ranges: true });
    const params = { videoId: "v1", url: url("/video.mp4"), filename: "sponsor.mp4", sha256: videoSha256 };
    await handlers.deploy_video(params, contextIn(root));
    await writeFile(path.join(root, "videos", "sponsor.mp4"), "an older video");
    const result = await handlers.deploy_video(params, contextIn(root));
    expect(result.alreadyPresent).toBe(false);
    expect(await sha256OfFile(path.join(root, "videos", "sponsor.mp4"))).toBe(videoSha256);
  });

  it("refuses a checksum mismatch and leaves neither the final file nor the .part", async () => {
    const root = await tempDir();
    const { url } = await serve({ ranges: true });
    const attempt = handlers.deploy_video(
      { videoId: "v1", url: url("/video.mp4"), filename: "sponsor.mp4", sha256: "0".repeat(64) },
      contextIn(root),
    );
    await expect(attempt).rejects.toMatchObject({ code: "CHECKSUM_MISMATCH" });
    await expect(attempt).rejects.toBeInstanceOf(CommandFailure);
    expect(await videoFiles(root)).toEqual([]);
  });

  it("refuses a size mismatch and leaves neither the final file nor the .part", async () => {
    const root = await tempDir();
    const { url } = await serve({ ranges: true });
    for (const size of [video.length - 1, video.length + 1]) {
      await expect(
        handlers.deploy_video(
          { videoId: "v1", url: url("/video.mp4"), filename: "sponsor.mp4", size },
          contextIn(root),
        ),
      ).rejects.toMatchObject({ code: "SIZE_MISMATCH" });
      expect(await videoFiles(root)).toEqual([]);
    }
  });

  it("reports an HTTP error with its status and the url", async () => {
    const root = await tempDir();
    const { url } = await serve({ ranges: true });
    await expect(
      handlers.deploy_video({ videoId: "v1", url: url("/missing.mp4"), filename: "x.mp4" }, contextIn(root)),
    ).rejects.toMatchObject({
      code: "DOWNLOAD_FAILED",
      message: `HTTP 404 from ${url("/missing.mp4")}`,
    });
    expect(await videoFiles(root)).toEqual([]);
  });

  it("reports an unreachable server as DOWNLOAD_FAILED", async () => {
    const root = await tempDir();
    const { url } = await serve({ ranges: true });
    const deadUrl = url("/video.mp4");
    await server?.close();
    server = undefined;
    await expect(
      handlers.deploy_video({ videoId: "v1", url: deadUrl, filename: "x.mp4" }, contextIn(root)),
    ).rejects.toMatchObject({
      code: "DOWNLOAD_FAILED",
      message: expect.stringContaining("Could not download"),
    });
  });

  it("keeps only a .part when the connection drops, then resumes it with a Range request", async () => {
    const root = await tempDir();
    const { url, requests } = await serve({ ranges: true });
    await expect(
      handlers.deploy_video(
        { videoId: "v1", url: url("/half-then-drop"), filename: "sponsor.mp4" },
        contextIn(root),
      ),
    ).rejects.toMatchObject({ code: "DOWNLOAD_FAILED" });
    expect(await videoFiles(root)).toEqual(["sponsor.mp4.part"]);
    const partSize = (await stat(path.join(root, "videos", "sponsor.mp4.part"))).size;
    expect(partSize).toBeGreaterThan(0);

    const result = await handlers.deploy_video(
      {
        videoId: "v1",
        url: url("/video.mp4"),
        filename: "sponsor.mp4",
        sha256: videoSha256,
        size: video.length,
      },
      contextIn(root),
    );
    expect(result).toMatchObject({ sha256: videoSha256, size: video.length, alreadyPresent: false });
    expect(requests.at(-1)).toEqual({
      path: "/video.mp4",
      range: `bytes=${partSize}-`,
      bytesSent: video.length - partSize,
    });
    expect(await sha256OfFile(path.join(root, "videos", "sponsor.mp4"))).toBe(videoSha256);
    expect(await videoFiles(root)).toEqual(["sponsor.mp4"]);
  });

  it("restarts from zero when the server answers 200 to a Range request", async () => {
    const root = await tempDir();
    const { url, requests } = await serve({ ranges: false });
    await writeFile(path.join(await ensureVideos(root), "sponsor.mp4.part"), "bytes that are not the video");
    const result = await handlers.deploy_video(
      { videoId: "v1", url: url("/video.mp4"), filename: "sponsor.mp4", sha256: videoSha256 },
      contextIn(root),
    );
    expect(result.sha256).toBe(videoSha256);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.range).toBe("bytes=28-");
    expect(await sha256OfFile(path.join(root, "videos", "sponsor.mp4"))).toBe(videoSha256);
  });

  it("restarts from zero when the server refuses the range (416)", async () => {
    const root = await tempDir();
    const { url, requests } = await serve({ ranges: true });
    await writeFile(path.join(await ensureVideos(root), "sponsor.mp4.part"), Buffer.alloc(video.length + 10));
    const result = await handlers.deploy_video(
      { videoId: "v1", url: url("/video.mp4"), filename: "sponsor.mp4", sha256: videoSha256 },
      contextIn(root),
    );
    expect(result.sha256).toBe(videoSha256);
    expect(requests.map((request) => request.range)).toEqual([`bytes=${video.length + 10}-`, undefined]);
  });

  it("gives up after the download timeout and keeps the .part for the next attempt", async () => {
    const root = await tempDir();
    const { url } = await serve({ ranges: true });
    await expect(
      handlers.deploy_video(
        { videoId: "v1", url: url("/stall"), filename: "sponsor.mp4" },
        contextIn(root, { downloadTimeoutMs: 300 }),
      ),
    ).rejects.toMatchObject({
      code: "DOWNLOAD_FAILED",
      message: expect.stringContaining("took more than 300 ms"),
    });
    expect(await videoFiles(root)).toEqual(["sponsor.mp4.part"]);
  });

  it("stops promptly when the agent shuts down", async () => {
    const root = await tempDir();
    const { url } = await serve({ ranges: true });
    const shutdown = new AbortController();
    const attempt = handlers.deploy_video(
      { videoId: "v1", url: url("/stall"), filename: "sponsor.mp4" },
      contextIn(root, { signal: shutdown.signal }),
    );
    setTimeout(() => shutdown.abort(), 100);
    await expect(attempt).rejects.toMatchObject({ name: "AbortError" });
    expect(await videoFiles(root)).not.toContain("sponsor.mp4");
  });

  it("refuses a file name that escapes the videos folder", async () => {
    const root = await tempDir();
    const { url, requests } = await serve({ ranges: true });
    await expect(
      handlers.deploy_video(
        { videoId: "v1", url: url("/video.mp4"), filename: "../escape.mp4" },
        contextIn(root),
      ),
    ).rejects.toMatchObject({ code: "UNSAFE_PATH" });
    expect(requests).toHaveLength(0);
    expect(await readdir(root)).not.toContain("escape.mp4");
  });
});

async function ensureVideos(root: string): Promise<string> {
  const dir = path.join(root, "videos");
  await mkdir(dir, { recursive: true });
  return dir;
}
