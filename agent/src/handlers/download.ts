import { createHash } from "node:crypto";
import { open, rm, stat } from "node:fs/promises";
import type { Logger } from "pino";
import { hashFileInto } from "./hash-file.js";
import { isErrorCode } from "./safe-path.js";
import { CommandFailure } from "./types.js";

export interface DownloadRequest {
  url: string;
  /** Where the bytes go; an existing file here is resumed when the server allows it. */
  partPath: string;
  expectedSize: number | undefined;
  timeoutMs: number;
  /** The agent's shutdown signal: aborting keeps the partial file for the next attempt. */
  signal: AbortSignal;
  logger: Logger;
}

export interface DownloadOutcome {
  size: number;
  sha256: string;
  resumedFrom: number;
}

/**
 * Streams `url` into `partPath`, hashing while writing, then fsyncs. Resumes
 * an existing partial file with a Range request; when the server ignores the
 * range (200) or refuses it (416), starts again from zero.
 */
export async function downloadToPart(request: DownloadRequest): Promise<DownloadOutcome> {
  const { url, partPath, expectedSize, logger } = request;
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = AbortSignal.any([request.signal, timeout]);
  const fail = (error: unknown): never => failure(error, request, timeout);

  let offset = await sizeOrZero(partPath);
  if (expectedSize !== undefined && offset > expectedSize) {
    await rm(partPath, { force: true });
    offset = 0;
  }
  let response = await requestFrom(url, offset, signal).catch(fail);
  if (
    offset > 0 &&
    (response.status === 416 || (response.status === 206 && rangeStart(response) !== offset))
  ) {
    logger.info(
      { url: printable(url), offset, status: response.status },
      "Server refused to resume the download; restarting",
    );
    await response.body?.cancel();
    await rm(partPath, { force: true });
    offset = 0;
    response = await requestFrom(url, offset, signal).catch(fail);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new CommandFailure("DOWNLOAD_FAILED", `HTTP ${response.status} from ${printable(url)}`);
  }
  if (!/^https?:$/.test(new URL(response.url || url).protocol)) {
    await response.body?.cancel();
    throw new CommandFailure("DOWNLOAD_FAILED", `${printable(url)} redirected to a non-HTTP address`);
  }
  const resumedFrom = response.status === 206 ? offset : 0;
  if (offset > 0 && resumedFrom === 0) {
    logger.info(
      { url: printable(url), offset },
      "Server ignored the range request; downloading again from the start",
    );
  }
  return await writeBody(response, request, resumedFrom, signal).catch(fail);
}

async function requestFrom(url: string, offset: number, signal: AbortSignal): Promise<Response> {
  // identity: a compressed body would make byte offsets meaningless for resuming.
  const headers: Record<string, string> = { "accept-encoding": "identity" };
  if (offset > 0) headers.range = `bytes=${offset}-`;
  return await fetch(url, { headers, signal, redirect: "follow" });
}

async function writeBody(
  response: Response,
  request: DownloadRequest,
  resumedFrom: number,
  signal: AbortSignal,
): Promise<DownloadOutcome> {
  const { partPath, expectedSize } = request;
  const hash = createHash("sha256");
  let size = resumedFrom > 0 ? await hashFileInto(partPath, hash, signal) : 0;
  let tooLong = false;
  const handle = await open(partPath, resumedFrom > 0 ? "a" : "w");
  try {
    for await (const chunk of response.body ?? []) {
      size += chunk.length;
      if (expectedSize !== undefined && size > expectedSize) {
        tooLong = true;
        break; // leaving the loop cancels the response body
      }
      hash.update(chunk);
      await handle.write(chunk);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (expectedSize !== undefined && size !== expectedSize) {
    // A wrong size will not fix itself by resuming, so the partial file goes.
    await rm(partPath, { force: true });
    throw new CommandFailure(
      "SIZE_MISMATCH",
      `${printable(request.url)} sent ${tooLong ? `more than ${expectedSize}` : size} bytes, expected ${expectedSize}: check the size in the command`,
    );
  }
  return { size, sha256: hash.digest("hex"), resumedFrom };
}

function failure(error: unknown, request: DownloadRequest, timeout: AbortSignal): never {
  if (error instanceof CommandFailure) throw error;
  request.signal.throwIfAborted();
  const url = printable(request.url);
  if (timeout.aborted) {
    throw new CommandFailure(
      "DOWNLOAD_FAILED",
      `Download of ${url} took more than ${request.timeoutMs} ms; the partial file is kept and resumes next time (raise DOWNLOAD_TIMEOUT_MS for large videos)`,
      { cause: error },
    );
  }
  const reason = error instanceof Error ? (describeCause(error) ?? error.message) : String(error);
  throw new CommandFailure("DOWNLOAD_FAILED", `Could not download ${url}: ${reason}`, { cause: error });
}

/** fetch reports "fetch failed" and hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`. */
function describeCause(error: Error): string | undefined {
  const cause = error.cause;
  if (cause instanceof Error) return `${error.message} (${cause.message})`;
  return undefined;
}

function rangeStart(response: Response): number | null {
  const match = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(response.headers.get("content-range") ?? "");
  return match ? Number(match[1]) : null;
}

async function sizeOrZero(filePath: string): Promise<number> {
  try {
    return (await stat(filePath)).size;
  } catch (error) {
    if (isErrorCode(error, "ENOENT")) return 0;
    throw error;
  }
}

/** The URL without user:password, for messages and logs. */
export function printable(url: string): string {
  const parsed = new URL(url);
  parsed.username = "";
  parsed.password = "";
  return parsed.toString();
}
