import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { generateToken } from "./tokens.js";

export const ADMIN_TOKEN_FILE = "admin-token";

/**
 * The first operator's token: ADMIN_TOKEN when set; otherwise the one stored in
 * `${dataDir}/admin-token`, generated (mode 0600) and announced once on first start.
 */
export async function resolveAdminToken(
  options: { adminToken: string | undefined; dataDir: string },
  logger: Logger,
): Promise<string> {
  if (options.adminToken) return options.adminToken;
  const file = path.resolve(options.dataDir, ADMIN_TOKEN_FILE);
  const stored = await readStoredToken(file);
  if (stored) return stored;

  const token = generateToken();
  try {
    await mkdir(path.dirname(file), { recursive: true });
    // "wx": if another process created the file in between, keep theirs.
    await writeFile(file, `${token}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      const winner = await readStoredToken(file);
      if (winner) return winner;
    }
    throw new Error(`Could not store the generated admin token in ${file}; check that DATA_DIR is writable`, {
      cause: error,
    });
  }
  logger.warn(
    { file, token, header: `Authorization: Bearer ${token}` },
    "Generated an operator token (shown only this once, kept in the file below). Send it as 'Authorization: Bearer <token>'; set ADMIN_TOKEN to choose your own",
  );
  return token;
}

async function readStoredToken(file: string): Promise<string | undefined> {
  try {
    const text = (await readFile(file, "utf8")).trim();
    return text === "" ? undefined : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`Could not read the admin token from ${file}; check its permissions`, { cause: error });
  }
}
