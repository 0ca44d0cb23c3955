import { readFileSync } from "node:fs";

/** Where install-agent.sh and the unit put things on a box (each one overridable, see ToolPaths). */
export const BOX_PATHS = {
  /** The unit's EnvironmentFile= (non-secret configuration). */
  envFile: "/etc/neopro/sync-agent.env",
  /** The unit's StateDirectory=neopro-sync-agent. */
  stateDirectory: "/var/lib/neopro-sync-agent",
  /** The source of the unit's LoadCredential=site-token:… */
  tokenFile: "/etc/neopro/site-token",
  /** The unit's Environment=VIDEOS_DIR=… and CONFIG_PATH=… (a test keeps them equal). */
  videosDir: "/srv/neopro/videos",
  configPath: "/srv/neopro/config.json",
} as const;

export interface ToolPaths {
  /** --config-file (not --env-file: Node 20 takes that one for itself even after the script name), else $NEOPRO_AGENT_ENV_FILE, else BOX_PATHS.envFile. */
  envFile?: string;
  /** --data-dir: overrides DATA_DIR. */
  dataDir?: string;
  /** --token-file: where doctor looks for the token when the configuration names none. */
  tokenFile?: string;
}

export interface ToolEnvironment {
  /** What the daemon would see: the unit's environment file, under the caller's own environment. */
  env: NodeJS.ProcessEnv;
  envFile: { path: string; found: boolean; error: string | null };
}

/** systemd EnvironmentFile= syntax, the part install-agent.sh writes: `KEY=value`, `#` comments, optional quotes. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const rawLine of text.split("\n")) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (match === null) continue;
    const [, key, value] = match as unknown as [string, string, string];
    const quoted = /^(["'])(.*)\1$/.exec(value);
    values[key] = quoted === null ? value : (quoted[2] as string);
  }
  return values;
}

function readEnvFile(path: string): { values: Record<string, string>; found: boolean; error: string | null } {
  try {
    return { values: parseEnvFile(readFileSync(path, "utf8")), found: true, error: null };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { values: {}, found: false, error: null };
    return { values: {}, found: true, error: `cannot read ${path} (${(error as Error).message})` };
  }
}

/**
 * The field tools run from a technician's shell, not from the unit: they read
 * the unit's environment file themselves, and on an installed box (that file
 * exists) default DATA_DIR to the unit's state directory and the token to the
 * credential's source file, as the daemon gets them from systemd.
 */
export function toolEnvironment(paths: ToolPaths, callerEnv: NodeJS.ProcessEnv): ToolEnvironment {
  const envFilePath = paths.envFile ?? callerEnv.NEOPRO_AGENT_ENV_FILE ?? BOX_PATHS.envFile;
  const file = readEnvFile(envFilePath);
  const boxDefaults: NodeJS.ProcessEnv = file.found
    ? {
        STATE_DIRECTORY: BOX_PATHS.stateDirectory,
        VIDEOS_DIR: BOX_PATHS.videosDir,
        CONFIG_PATH: BOX_PATHS.configPath,
      }
    : {};
  const env: NodeJS.ProcessEnv = { ...boxDefaults, ...file.values, ...callerEnv };
  if (paths.dataDir !== undefined) env.DATA_DIR = paths.dataDir;
  const namesToken = [env.SITE_TOKEN, env.SITE_TOKEN_FILE, env.CREDENTIALS_DIRECTORY].some(
    (value) => value !== undefined && value !== "",
  );
  if (paths.tokenFile !== undefined) env.SITE_TOKEN_FILE = paths.tokenFile;
  else if (!namesToken && file.found) env.SITE_TOKEN_FILE = BOX_PATHS.tokenFile;
  return { env, envFile: { path: envFilePath, found: file.found, error: file.error } };
}
