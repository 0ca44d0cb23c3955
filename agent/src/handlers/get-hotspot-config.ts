import { readFile } from "node:fs/promises";
import path from "node:path";
import { isErrorCode } from "./safe-path.js";
import { CommandFailure, type CommandHandler } from "./types.js";

export const MASKED_VALUE = "********";

/** wpa_passphrase, wpa_psk, sae_password, wep_key0, auth_server_shared_secret… */
const SECRET_KEY = /passphrase|psk|password|secret|wep_key/i;

/** Reads hostapd's key=value file; secrets never leave the box. */
export const getHotspotConfig: CommandHandler<"get_hotspot_config"> = async (_params, context) => {
  const hostapdConf = path.resolve(context.settings.paths.hostapdConf);
  let text: string;
  try {
    text = await readFile(hostapdConf, { encoding: "utf8", signal: context.signal });
  } catch (error) {
    context.signal.throwIfAborted();
    if (isErrorCode(error, "ENOENT")) {
      throw new CommandFailure(
        "HOTSPOT_CONFIG_NOT_FOUND",
        `No hostapd configuration at ${hostapdConf}: set HOSTAPD_CONF to its path`,
      );
    }
    throw new CommandFailure(
      "HOTSPOT_CONFIG_UNREADABLE",
      `Cannot read ${hostapdConf}: check its permissions`,
      {
        cause: error,
      },
    );
  }
  return { path: hostapdConf, settings: parseHostapd(text) };
};

/**
 * hostapd reads `key=value` per line, '#' starts a comment line, and the
 * value is taken as is (an SSID may end with spaces). When a key repeats
 * (extra `bss=` sections), the first one — the main interface — is kept.
 */
export function parseHostapd(text: string): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const rawLine of text.split("\n")) {
    const line = rawLine.replace(/\r$/, "");
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const equals = line.indexOf("=");
    if (equals <= 0) continue;
    const key = line.slice(0, equals).trim();
    if (key === "" || Object.hasOwn(settings, key)) continue;
    settings[key] = SECRET_KEY.test(key) ? MASKED_VALUE : line.slice(equals + 1);
  }
  return settings;
}
