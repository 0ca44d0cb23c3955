import os from "node:os";
import si from "systeminformation";
import { withinTime } from "./time-limit.js";
import type { CommandHandler } from "./types.js";

/** Each probe gets this long; a stuck one reports null instead of holding the answer. */
const PROBE_TIMEOUT_MS = 3000;

/**
 * A snapshot of the box. Only fast probes: the load comes from os.loadavg()
 * because si.currentLoad() samples the CPU for about 500 ms.
 */
export const getSystemInfo: CommandHandler<"get_system_info"> = async (_params, context) => {
  const probe = <T>(name: string, read: () => Promise<T>) =>
    withinTime(read(), PROBE_TIMEOUT_MS).catch((error: unknown) => {
      context.logger.warn({ probe: name, err: error }, "System information probe failed");
      return null;
    });
  const [osInfo, cpu, memory, disks, temperature] = await Promise.all([
    probe("os", () => si.osInfo()),
    probe("cpu", () => si.cpu()),
    probe("memory", () => si.mem()),
    probe("disks", () => si.fsSize()),
    probe("temperature", () => si.cpuTemperature()),
  ]);
  context.signal.throwIfAborted();
  const [load1, load5, load15] = os.loadavg();
  return {
    hostname: os.hostname(),
    os: {
      platform: osInfo?.platform ?? os.platform(),
      distro: osInfo?.distro ?? null,
      release: osInfo?.release ?? os.release(),
      kernel: osInfo?.kernel ?? os.release(),
      arch: osInfo?.arch ?? os.arch(),
    },
    cpu: {
      manufacturer: cpu?.manufacturer ?? null,
      brand: cpu?.brand ?? os.cpus()[0]?.model ?? null,
      cores: cpu?.cores ?? os.availableParallelism(),
      physicalCores: cpu?.physicalCores ?? null,
    },
    load: { avg1: load1, avg5: load5, avg15: load15 },
    memory: {
      totalBytes: memory?.total ?? os.totalmem(),
      availableBytes: memory?.available ?? os.freemem(),
      swapTotalBytes: memory?.swaptotal ?? null,
      swapUsedBytes: memory?.swapused ?? null,
    },
    disks: (disks ?? []).map((disk) => ({
      mount: disk.mount,
      device: disk.fs,
      type: disk.type,
      sizeBytes: disk.size,
      usedBytes: disk.used,
      availableBytes: disk.available,
      usePercent: disk.use,
    })),
    temperatureCelsius: typeof temperature?.main === "number" ? temperature.main : null,
    uptimeSeconds: Math.round(os.uptime()),
    nodeVersion: process.version,
  };
};
