import { join } from "node:path";
import { dataDirOf } from "../../config.js";
import { actAsDatabaseOwner } from "../database-owner.js";
import type { ToolEnvironment } from "../environment.js";
import type { ToolOutput } from "../output.js";
import {
  type CheckResult,
  checkCentral,
  checkCertificate,
  checkClock,
  checkConfiguration,
  checkDatabase,
  checkDiskSpace,
  checkToken,
} from "./checks.js";

export { type CheckResult, DOCTOR_LIMITS, type Verdict } from "./checks.js";

const VERDICT_LABELS = { ok: "[ ok ]", warn: "[warn]", fail: "[FAIL]" } as const;

export function formatDoctor(results: readonly CheckResult[]): string {
  const failures = results.filter((result) => result.verdict === "fail").length;
  const lines = results.map(
    (result) => `${VERDICT_LABELS[result.verdict]} ${result.check.padEnd(11)} ${result.detail}`,
  );
  lines.push(failures === 0 ? "no problem found" : `${failures} problem(s) to fix`);
  return lines.join("\n");
}

/** Every check, in the order a technician fixes things: configuration, network, box, database. */
export async function runDoctorChecks(tool: ToolEnvironment, now: Date): Promise<CheckResult[]> {
  const { env } = tool;
  const centralUrl = env.CENTRAL_URL || "http://localhost:3000";
  const dataDir = dataDirOf(env);
  const results: CheckResult[] = [
    checkConfiguration(env, tool.envFile.path, tool.envFile.error),
    checkToken(env),
  ];
  if (centralUrl.startsWith("https:")) results.push(await checkCertificate(centralUrl, now));
  const central = await checkCentral(centralUrl);
  results.push(central.result, checkClock(now, central.serverDate));
  results.push(checkDiskSpace(env.VIDEOS_DIR || join(dataDir, "videos")));
  // Last: from here on the process may have switched to the database owner's user.
  const databasePath = join(dataDir, "agent.db");
  actAsDatabaseOwner(databasePath);
  results.push(checkDatabase(databasePath));
  return results;
}

/** `neopro-sync-agent doctor [--json]`: exit 1 when a check failed. */
export async function runDoctor(tool: ToolEnvironment, output: ToolOutput, json: boolean): Promise<number> {
  const results = await runDoctorChecks(tool, new Date());
  output.write(json ? JSON.stringify({ checks: results }, null, 2) : formatDoctor(results));
  return results.some((result) => result.verdict === "fail") ? 1 : 0;
}
