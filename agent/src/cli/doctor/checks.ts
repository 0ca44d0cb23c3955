import { statfsSync } from "node:fs";
import { dirname } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { ConfigError, loadConfig } from "../../config.js";
import { openStoreReader } from "../../store/index.js";

export type Verdict = "ok" | "warn" | "fail";

export interface CheckResult {
  check: string;
  verdict: Verdict;
  detail: string;
}

/** Bounds of the doctor's judgements (each with its reason). */
export const DOCTOR_LIMITS = {
  /** Time to reach central before calling it unreachable; a Pi on 4G answers well within this. */
  networkTimeoutMs: 5000,
  /** A certificate expiring sooner needs renewing before the agent is cut off. */
  certificateWarningDays: 14,
  /** Beyond this skew, expiry dates and TLS validity are judged wrongly. */
  clockSkewWarningMs: 60_000,
  /** A Pi without a real-time clock boots in the past until NTP syncs; a clock before this is certainly wrong. */
  earliestPlausibleClock: "2025-01-01T00:00:00Z",
  /** Videos are tens to hundreds of MB: below 1 GiB free a deploy may fail, below 100 MiB it will. */
  diskWarningBytes: 1024 ** 3,
  diskFailureBytes: 100 * 1024 ** 2,
} as const;

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

/** Every configuration problem except the token's (a placeholder token hides those). */
export function checkConfiguration(
  env: NodeJS.ProcessEnv,
  envFile: string,
  envFileError: string | null,
): CheckResult {
  const problems = problemsOf({ ...env, SITE_TOKEN: "placeholder" });
  if (envFileError !== null) problems.unshift(envFileError);
  if (problems.length > 0) return { check: "config", verdict: "fail", detail: problems.join("; ") };
  const config = loadConfig({ ...env, SITE_TOKEN: "placeholder" });
  return {
    check: "config",
    verdict: "ok",
    detail: `CENTRAL_URL=${config.centralUrl} SITE_ID=${config.siteId} DATA_DIR=${config.dataDir} (environment file ${envFile})`,
  };
}

export function checkToken(env: NodeJS.ProcessEnv): CheckResult {
  const problems = problemsOf(env).filter((problem) => problem.startsWith("SITE_TOKEN"));
  if (problems.length > 0) return { check: "token", verdict: "fail", detail: problems.join("; ") };
  const source = env.SITE_TOKEN
    ? "SITE_TOKEN"
    : `file ${env.SITE_TOKEN_FILE ?? "$CREDENTIALS_DIRECTORY/site-token"}`;
  return { check: "token", verdict: "ok", detail: `present (${source})` };
}

/** GET /health/live; returns the check and central's clock (Date header) for the clock check. */
export async function checkCentral(
  centralUrl: string,
): Promise<{ result: CheckResult; serverDate: Date | null }> {
  let url = centralUrl;
  const began = performance.now();
  try {
    url = new URL("/health/live", centralUrl).href;
    const response = await fetch(url, { signal: AbortSignal.timeout(DOCTOR_LIMITS.networkTimeoutMs) });
    const elapsedMs = Math.round(performance.now() - began);
    const dateHeader = response.headers.get("date");
    const serverDate = dateHeader === null ? null : new Date(dateHeader);
    const verdict: Verdict = response.ok ? "ok" : "fail";
    return {
      result: {
        check: "central",
        verdict,
        detail: `${url} answered HTTP ${response.status} in ${elapsedMs} ms`,
      },
      serverDate,
    };
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    return {
      result: {
        check: "central",
        verdict: "fail",
        detail: `${url} unreachable (${reason}): check CENTRAL_URL, the network (network_diagnostics) and that central runs`,
      },
      serverDate: null,
    };
  }
}

/** For https: is central's certificate trusted and not about to expire. */
export function checkCertificate(centralUrl: string, now: Date): Promise<CheckResult> {
  const url = new URL(centralUrl);
  const port = Number(url.port || 443);
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: url.hostname,
      port,
      servername: url.hostname,
      rejectUnauthorized: false,
    });
    const done = (result: CheckResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(DOCTOR_LIMITS.networkTimeoutMs, () =>
      done({ check: "certificate", verdict: "fail", detail: `no TLS answer from ${url.host} within 5 s` }),
    );
    socket.on("error", (error) =>
      done({ check: "certificate", verdict: "fail", detail: `TLS to ${url.host} failed: ${error.message}` }),
    );
    socket.on("secureConnect", () => {
      const certificate = socket.getPeerCertificate();
      const validTo = new Date(certificate.valid_to);
      const daysLeft = Math.floor((validTo.getTime() - now.getTime()) / 86_400_000);
      if (!socket.authorized) {
        done({
          check: "certificate",
          verdict: "fail",
          detail: `central's certificate is not valid: ${String(socket.authorizationError)} (valid until ${validTo.toISOString()})`,
        });
      } else {
        const verdict: Verdict = daysLeft < DOCTOR_LIMITS.certificateWarningDays ? "warn" : "ok";
        done({
          check: "certificate",
          verdict,
          detail: `trusted, expires in ${daysLeft} day(s) (${validTo.toISOString()})`,
        });
      }
    });
  });
}

export function checkClock(now: Date, serverDate: Date | null): CheckResult {
  if (now < new Date(DOCTOR_LIMITS.earliestPlausibleClock)) {
    return {
      check: "clock",
      verdict: "fail",
      detail: `the clock says ${now.toISOString()}: not synchronised (check timedatectl and NTP)`,
    };
  }
  if (serverDate === null || Number.isNaN(serverDate.getTime())) {
    return {
      check: "clock",
      verdict: "warn",
      detail: `${now.toISOString()}; not compared with central (unreachable)`,
    };
  }
  // The Date header has a 1 s resolution.
  const skewMs = now.getTime() - serverDate.getTime();
  const verdict: Verdict = Math.abs(skewMs) > DOCTOR_LIMITS.clockSkewWarningMs ? "warn" : "ok";
  return { check: "clock", verdict, detail: `${Math.round(skewMs / 1000)} s from central's clock` };
}

/** Free space where videos go (the nearest existing folder, before the first deploy creates it). */
export function checkDiskSpace(videosDir: string): CheckResult {
  let folder = videosDir;
  for (;;) {
    try {
      const stats = statfsSync(folder);
      const freeBytes = stats.bavail * stats.bsize;
      const verdict: Verdict =
        freeBytes < DOCTOR_LIMITS.diskFailureBytes
          ? "fail"
          : freeBytes < DOCTOR_LIMITS.diskWarningBytes
            ? "warn"
            : "ok";
      const gib = (freeBytes / 1024 ** 3).toFixed(1);
      return { check: "disk", verdict, detail: `${gib} GiB free for videos in ${folder}` };
    } catch (error) {
      if (dirname(folder) === folder) {
        return {
          check: "disk",
          verdict: "fail",
          detail: `cannot read free space of ${videosDir}: ${(error as Error).message}`,
        };
      }
      folder = dirname(folder);
    }
  }
}

export function checkDatabase(databasePath: string): CheckResult {
  let reader: ReturnType<typeof openStoreReader>;
  try {
    reader = openStoreReader(databasePath);
  } catch (error) {
    const cause = (error as Error).cause as NodeJS.ErrnoException | undefined;
    if (cause?.code === "SQLITE_CANTOPEN") {
      return {
        check: "database",
        verdict: "warn",
        detail: `${databasePath} does not exist yet (the agent creates it when it starts)`,
      };
    }
    return { check: "database", verdict: "fail", detail: (error as Error).message };
  }
  try {
    const findings = reader.integrityCheck();
    return findings.length === 1 && findings[0] === "ok"
      ? { check: "database", verdict: "ok", detail: `${databasePath}: integrity check ok` }
      : { check: "database", verdict: "fail", detail: `${databasePath}: ${findings.slice(0, 5).join("; ")}` };
  } finally {
    reader.close();
  }
}
