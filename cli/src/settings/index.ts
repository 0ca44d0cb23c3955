import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { usageError } from "../errors.js";

/** Where central is and who is asking. */
export interface Settings {
  url: string;
  token: string;
  /** The config file read, if any (for messages). */
  configPath: string | undefined;
}

export interface SettingsSources {
  flags: { url?: string; token?: string; config?: string };
  env: NodeJS.ProcessEnv;
}

const DEFAULT_URL = "http://localhost:3000";

const configFile = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).optional(),
  token: z.string().min(1).optional(),
});

/**
 * The config file: `--config`, else `CQ_CONFIG`, else
 * `$XDG_CONFIG_HOME/neopro/cq.json` (`~/.config/neopro/cq.json`).
 * Only a file named explicitly must exist.
 */
export function configFilePath(sources: SettingsSources): { path: string; explicit: boolean } {
  const explicit = sources.flags.config ?? sources.env.CQ_CONFIG;
  if (explicit) return { path: explicit, explicit: true };
  const configHome = sources.env.XDG_CONFIG_HOME || join(sources.env.HOME || homedir(), ".config");
  return { path: join(configHome, "neopro", "cq.json"), explicit: false };
}

/** Flags win over the environment (`CQ_URL`, `CQ_TOKEN`), which wins over the config file. */
export function resolveSettings(sources: SettingsSources): Settings {
  const { path, explicit } = configFilePath(sources);
  const file = readConfigFile(path, explicit);
  const url = sources.flags.url ?? sources.env.CQ_URL ?? file?.url ?? DEFAULT_URL;
  if (!z.url({ protocol: /^https?$/ }).safeParse(url).success) {
    throw usageError(`The central URL "${url}" is not an http(s) URL; give one like ${DEFAULT_URL}`);
  }
  const token = sources.flags.token ?? sources.env.CQ_TOKEN ?? file?.token;
  if (!token) {
    throw usageError(
      `No operator token: pass --token, set CQ_TOKEN, or put {"token": "…"} in ${path} ` +
        "(central's first token is ADMIN_TOKEN or the file data/admin-token)",
    );
  }
  return { url: url.replace(/\/+$/, ""), token, configPath: file ? path : undefined };
}

function readConfigFile(path: string, mustExist: boolean): z.infer<typeof configFile> | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (!mustExist && (error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw usageError(`Cannot read the config file ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw usageError(`The config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = configFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    throw usageError(
      `The config file ${path} is not { "url"?: "http(s)://…", "token"?: "…" }: ${problems.join("; ")}`,
    );
  }
  return parsed.data;
}
