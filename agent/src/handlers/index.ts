import { deleteVideo } from "./delete-video.js";
import { deployVideo } from "./deploy-video.js";
import { getConfig } from "./get-config.js";
import { getHotspotConfig } from "./get-hotspot-config.js";
import { createGetLogs } from "./get-logs.js";
import { getSystemInfo } from "./get-system-info.js";
import { createNetworkDiagnostics } from "./network-diagnostics.js";
import type { CommandHandlers } from "./types.js";
import { updateConfig } from "./update-config.js";
import { updateSoftware } from "./update-software.js";

export { resolveInside } from "./safe-path.js";
export * from "./types.js";

/** Machine-level locations and bounds the handlers use; defaults fit a Raspberry Pi. */
export interface HandlerOptions {
  /** journalctl executable, looked up in PATH unless absolute. */
  journalctl?: string;
  /** Kernel routing table read to find the default gateway. */
  routeTablePath?: string;
  /** Bound on each network check (all run in parallel). */
  networkCheckTimeoutMs?: number;
}

export function createHandlers(options: HandlerOptions = {}): CommandHandlers {
  return {
    update_config: updateConfig,
    deploy_video: deployVideo,
    delete_video: deleteVideo,
    update_software: updateSoftware,
    get_logs: createGetLogs(options.journalctl ?? "journalctl"),
    get_system_info: getSystemInfo,
    get_config: getConfig,
    network_diagnostics: createNetworkDiagnostics({
      routeTablePath: options.routeTablePath ?? "/proc/net/route",
      checkTimeoutMs: options.networkCheckTimeoutMs ?? 5000,
    }),
    get_hotspot_config: getHotspotConfig,
  };
}
