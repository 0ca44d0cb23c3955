import { brief, renderTable } from "../output/index.js";

/**
 * A command's result for people: logs as text, system information and
 * diagnostics as tables, anything else as indented JSON.
 */
export function renderResult(type: string, result: unknown): string {
  if (typeof result !== "object" || result === null) return JSON.stringify(result);
  const record = result as Record<string, unknown>;
  if (type === "get_logs" && Array.isArray(record.lines)) return record.lines.map(String).join("\n");
  if (type === "network_diagnostics" && Array.isArray(record.checks)) {
    const checks = record.checks as { name: string; ok: boolean; detail: string; durationMs: number }[];
    return renderTable(checks, [
      { header: "CHECK", value: (check) => check.name },
      { header: "OK", value: (check) => (check.ok ? "yes" : "NO") },
      { header: "DETAIL", value: (check) => check.detail },
      { header: "MS", value: (check) => String(Math.round(check.durationMs)), align: "right" },
    ]);
  }
  if (type === "get_system_info") {
    return renderTable(flatten(record), [
      { header: "FIELD", value: ([key]) => key },
      { header: "VALUE", value: ([, value]) => brief(value, 80) },
    ]);
  }
  return JSON.stringify(result, null, 2);
}

/** `{ cpu: { cores: 4 } }` → `[["cpu.cores", 4]]`; arrays stay whole. */
function flatten(record: Record<string, unknown>, prefix = ""): [string, unknown][] {
  return Object.entries(record).flatMap(([key, value]): [string, unknown][] =>
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? flatten(value as Record<string, unknown>, `${prefix}${key}.`)
      : [[`${prefix}${key}`, value]],
  );
}
