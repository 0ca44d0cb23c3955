import { z } from "zod";

/** Everything central needs to run, resolved from the environment by `loadConfig`. */
export interface CentralConfig {
  port: number;
  host: string;
  /** Unset → embedded PostgreSQL (PGlite) kept under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Unset → generated once and kept in `${dataDir}/admin-token`. */
  adminToken: string | undefined;
  logLevel: LogLevel;
  expiryIntervalMs: number;
  /** Commands in flight (delivered, not yet acknowledged) per site. */
  deliveryWindow: number;
  deliveryBatchSize: number;
  deliveryAckTimeoutMs: number;
  sweepIntervalMs: number;
  maxWaitSeconds: number;
  shutdownGraceMs: number;
  dbPoolSize: number;
  /** The built dashboard served at `/`; unset → `dashboard/dist` of this checkout. */
  dashboardDir?: string;
}

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Thrown by `loadConfig` with one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const integer = (fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(fallback);

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

/** Upper bound of `?wait=`: the protocol's `waitQuery` accepts at most 120 seconds. */
const WAIT_LIMIT_SECONDS = 120;

const environment = z.object({
  PORT: integer(3000, 0, 65_535),
  HOST: z.string().trim().min(1).default("0.0.0.0"),
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
      .optional(),
  ),
  DATA_DIR: z.string().trim().min(1).default("./data"),
  ADMIN_TOKEN: optionalText.pipe(z.string().min(16, "must be at least 16 characters").optional()),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  EXPIRY_INTERVAL_MS: integer(60_000, 100, 86_400_000),
  DELIVERY_WINDOW: integer(200, 1, 100_000),
  // A delivery batch is one Socket.IO message; the protocol caps it at MAX_DELIVERY_BATCH (500).
  DELIVERY_BATCH_SIZE: integer(100, 1, 500),
  DELIVERY_ACK_TIMEOUT_MS: integer(15_000, 100, 600_000),
  SWEEP_INTERVAL_MS: integer(30_000, 100, 86_400_000),
  MAX_WAIT_SECONDS: integer(120, 0, WAIT_LIMIT_SECONDS),
  SHUTDOWN_GRACE_MS: integer(10_000, 0, 600_000),
  DB_POOL_SIZE: integer(10, 1, 1_000),
  DASHBOARD_DIR: optionalText,
});

/** Reads and validates central's environment variables; throws `ConfigError` listing every bad value. */
export function loadConfig(env: NodeJS.ProcessEnv): CentralConfig {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.map(String).join(".");
        return `${name}=${JSON.stringify(env[name] ?? "")}: ${issue.message}`;
      }),
    );
  }
  const values = parsed.data;
  return {
    port: values.PORT,
    host: values.HOST,
    databaseUrl: values.DATABASE_URL,
    dataDir: values.DATA_DIR,
    adminToken: values.ADMIN_TOKEN,
    logLevel: values.LOG_LEVEL,
    expiryIntervalMs: values.EXPIRY_INTERVAL_MS,
    deliveryWindow: values.DELIVERY_WINDOW,
    deliveryBatchSize: values.DELIVERY_BATCH_SIZE,
    deliveryAckTimeoutMs: values.DELIVERY_ACK_TIMEOUT_MS,
    sweepIntervalMs: values.SWEEP_INTERVAL_MS,
    maxWaitSeconds: values.MAX_WAIT_SECONDS,
    shutdownGraceMs: values.SHUTDOWN_GRACE_MS,
    dbPoolSize: values.DB_POOL_SIZE,
    dashboardDir: values.DASHBOARD_DIR,
  };
}
