import type { CommandHandlers } from "./handlers/types.js";

/**
 * Handlers that touch nothing and return valid results at once: the benchmark
 * measures the agent's connection, ledger and outbox, not the box.
 */
export function createNoopHandlers(): CommandHandlers {
  return {
    update_config: async ({ configuration }) => ({
      path: "noop",
      bytes: JSON.stringify(configuration).length,
      previousKept: false,
    }),
    deploy_video: async ({ videoId, filename, size, sha256 }) => ({
      videoId,
      filename,
      size: size ?? 0,
      sha256: sha256 ?? "",
      alreadyPresent: false,
    }),
    delete_video: async ({ filename }) => ({ filename, deleted: false }),
    update_software: async ({ version }) => ({ version, exitCode: 0, stdout: "", stderr: "", durationMs: 0 }),
    get_logs: async () => ({ source: "file", lines: [] }),
    get_system_info: async () => ({ noop: true }),
    get_config: async () => ({ path: "noop", configuration: null }),
    network_diagnostics: async () => ({ checks: [] }),
    get_hotspot_config: async () => ({ path: "noop", settings: {} }),
  };
}
