import { usageError } from "../errors.js";

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `90s`, `15m`, `2h`, `1h30m`, `7d` → milliseconds. */
export function parseDuration(text: string): number {
  const parts = [...text.trim().matchAll(/(\d+)\s*([smhdw])/g)];
  const consumed = parts.map((part) => part[0]).join("");
  if (parts.length === 0 || consumed.replace(/\s/g, "") !== text.replace(/\s/g, "")) {
    throw usageError(`"${text}" is not a duration; write it like 90s, 15m, 2h, 1h30m or 7d`);
  }
  const seconds = parts.reduce(
    (sum, part) => sum + Number(part[1]) * (UNIT_SECONDS[part[2] as string] ?? 0),
    0,
  );
  if (seconds <= 0) throw usageError(`The duration "${text}" must be longer than 0`);
  return seconds * 1000;
}
