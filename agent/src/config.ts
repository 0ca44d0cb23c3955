import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { httpUrl, uuid } from "@neopro/protocol";
import { z } from "zod";
import type { HandlerSettings } from "./handlers/types.js";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** `journal`: one readable line per entry with a `<N>` priority prefix (under systemd); `json`: plain pino. */
export const LOG_FORMATS = ["auto", "json", "journal"] as const;
export type LogFormat = Exclude<(typeof LOG_FORMATS)[number], "auto">;

export interface AgentConfig {
  centralUrl: string;
  siteId: string;
  siteToken: string;
  dataDir: string;
  /** `$DATA_DIR/agent.db`: the ledger and the outbox. */
  databasePath: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  reconnectDelayMinMs: number;
  reconnectDelayMaxMs: number;
  ackTimeoutMs: number;
  shutdownGraceMs: number;
  resultFlushDelayMs: number;
  handlers: HandlerSettings;
}

/** Every bad environment variable at once, each with what to do about it. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid agent configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const HOUR_MS = 3_600_000;

/** Unset and empty variables both mean "use the default". */
const unsetIfEmpty = (value: unknown) => (value === "" ? undefined : value);

function milliseconds(fallback: number, bounds: { min: number; max: number }) {
  return z.preprocess(
    unsetIfEmpty,
    z.coerce
      .number({ error: "must be a whole number of milliseconds" })
      .int("must be a whole number of milliseconds")
      .min(bounds.min, `must be at least ${bounds.min}`)
      .max(bounds.max, `must be at most ${bounds.max}`)
      .default(fallback),
  );
}

const optionalText = z.preprocess(unsetIfEmpty, z.string().optional());

const environment = z.object({
  CENTRAL_URL: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .refine(
        (value) => httpUrl.safeParse(value).success,
        "must be an http(s) URL such as http://central.example:3000",
      )
      .default("http://localhost:3000"),
  ),
  SITE_ID: z.preprocess(
    unsetIfEmpty,
    z
      .string({ error: "required (the site's id, a UUID, shown when the site was created in central)" })
      .refine((value) => uuid.safeParse(value).success, "must be the site's UUID, as central showed it"),
  ),
  DATA_DIR: optionalText,
  CONFIG_PATH: optionalText,
  VIDEOS_DIR: optionalText,
  HOSTAPD_CONF: z.preprocess(unsetIfEmpty, z.string().default("/etc/hostapd/hostapd.conf")),
  UPDATE_COMMAND: z.preprocess(unsetIfEmpty, z.string().default("/usr/local/bin/neopro-update")),
  LOG_FILE: optionalText,
  JOURNAL_UNIT: z.preprocess(unsetIfEmpty, z.string().default("neopro-sync-agent")),
  LOG_LEVEL: z.preprocess(
    unsetIfEmpty,
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  ),
  LOG_FORMAT: z.preprocess(
    unsetIfEmpty,
    z.enum(LOG_FORMATS, { error: `must be one of ${LOG_FORMATS.join(", ")}` }).default("auto"),
  ),
  RECONNECT_DELAY_MIN_MS: milliseconds(1000, { min: 10, max: HOUR_MS }),
  RECONNECT_DELAY_MAX_MS: milliseconds(60_000, { min: 10, max: HOUR_MS }),
  ACK_TIMEOUT_MS: milliseconds(10_000, { min: 100, max: HOUR_MS }),
  UPDATE_TIMEOUT_MS: milliseconds(600_000, { min: 1000, max: 24 * HOUR_MS }),
  DOWNLOAD_TIMEOUT_MS: milliseconds(1_800_000, { min: 1000, max: 24 * HOUR_MS }),
  SHUTDOWN_GRACE_MS: milliseconds(10_000, { min: 0, max: HOUR_MS }),
  RESULT_FLUSH_DELAY_MS: milliseconds(20, { min: 0, max: 60_000 }),
});

type Environment = z.infer<typeof environment>;

/** The file systemd's `LoadCredential=site-token:…` provides, when the unit gives credentials. */
export const SITE_TOKEN_CREDENTIAL = "site-token";

/** SITE_TOKEN_FILE, or the `site-token` credential of the unit (`$CREDENTIALS_DIRECTORY/site-token`). */
export function siteTokenFile(env: NodeJS.ProcessEnv): string | undefined {
  const explicit = unsetIfEmpty(env.SITE_TOKEN_FILE) as string | undefined;
  const credentials = unsetIfEmpty(env.CREDENTIALS_DIRECTORY) as string | undefined;
  if (explicit !== undefined || credentials === undefined) return explicit;
  return join(credentials, SITE_TOKEN_CREDENTIAL);
}

/** DATA_DIR, or the unit's `StateDirectory=` (systemd passes it as `$STATE_DIRECTORY`, `:`-separated), or ./data/agent. */
export function dataDirOf(env: NodeJS.ProcessEnv): string {
  const explicit = unsetIfEmpty(env.DATA_DIR) as string | undefined;
  const stateDirectory = (unsetIfEmpty(env.STATE_DIRECTORY) as string | undefined)?.split(":")[0];
  return resolve(explicit ?? (stateDirectory || "./data/agent"));
}

/** systemd sets JOURNAL_STREAM when stdout goes to journald, and INVOCATION_ID for any unit. */
export function runsUnderSystemd(env: NodeJS.ProcessEnv): boolean {
  return unsetIfEmpty(env.JOURNAL_STREAM) !== undefined || unsetIfEmpty(env.INVOCATION_ID) !== undefined;
}

function logFormatOf(requested: (typeof LOG_FORMATS)[number], env: NodeJS.ProcessEnv): LogFormat {
  if (requested !== "auto") return requested;
  return runsUnderSystemd(env) ? "journal" : "json";
}

function readToken(env: NodeJS.ProcessEnv, problems: string[]): string {
  const token = unsetIfEmpty(env.SITE_TOKEN) as string | undefined;
  const tokenFile = siteTokenFile(env);
  if (token !== undefined) return token.trim();
  if (tokenFile === undefined) {
    problems.push(
      "SITE_TOKEN: required (the token central showed when the site was created), or set SITE_TOKEN_FILE (under systemd: LoadCredential=site-token:<file>)",
    );
    return "";
  }
  try {
    const fromFile = readFileSync(tokenFile, "utf8").trim();
    if (fromFile === "") problems.push(`SITE_TOKEN_FILE: ${tokenFile} is empty; put the site token in it`);
    return fromFile;
  } catch (error) {
    problems.push(`SITE_TOKEN_FILE: cannot read ${tokenFile} (${(error as Error).message})`);
    return "";
  }
}

function checkDelays(env: Environment, problems: string[]): void {
  if (env.RECONNECT_DELAY_MIN_MS > env.RECONNECT_DELAY_MAX_MS) {
    problems.push(
      `RECONNECT_DELAY_MIN_MS (${env.RECONNECT_DELAY_MIN_MS}) must not exceed RECONNECT_DELAY_MAX_MS (${env.RECONNECT_DELAY_MAX_MS})`,
    );
  }
}

/** Reads the agent's configuration from environment variables; throws a ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv): AgentConfig {
  const parsed = environment.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.map(String).join(".")}: ${issue.message}`);
  if (parsed.success) checkDelays(parsed.data, problems);
  const siteToken = readToken(env, problems);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const values = parsed.data;

  const dataDir = dataDirOf(env);
  return {
    centralUrl: values.CENTRAL_URL,
    siteId: values.SITE_ID,
    siteToken,
    dataDir,
    databasePath: join(dataDir, "agent.db"),
    logLevel: values.LOG_LEVEL,
    logFormat: logFormatOf(values.LOG_FORMAT, env),
    reconnectDelayMinMs: values.RECONNECT_DELAY_MIN_MS,
    reconnectDelayMaxMs: values.RECONNECT_DELAY_MAX_MS,
    ackTimeoutMs: values.ACK_TIMEOUT_MS,
    shutdownGraceMs: values.SHUTDOWN_GRACE_MS,
    resultFlushDelayMs: values.RESULT_FLUSH_DELAY_MS,
    handlers: {
      paths: {
        configPath: resolve(values.CONFIG_PATH ?? join(dataDir, "config.json")),
        videosDir: resolve(values.VIDEOS_DIR ?? join(dataDir, "videos")),
        hostapdConf: resolve(values.HOSTAPD_CONF),
        logFile: values.LOG_FILE === undefined ? null : resolve(values.LOG_FILE),
      },
      centralUrl: values.CENTRAL_URL,
      updateCommand: values.UPDATE_COMMAND,
      updateTimeoutMs: values.UPDATE_TIMEOUT_MS,
      downloadTimeoutMs: values.DOWNLOAD_TIMEOUT_MS,
      journalUnit: values.JOURNAL_UNIT,
    },
  };
}
