import { readFile } from "node:fs/promises";

export interface DefaultGateway {
  address: string;
  iface: string;
}

const ROUTE_UP = 0x1;
const ROUTE_VIA_GATEWAY = 0x2;

/**
 * The IPv4 default gateway from the kernel routing table (`/proc/net/route`),
 * the one with the lowest metric; null when the box has no default route.
 */
export async function readDefaultGateway(routeTablePath: string): Promise<DefaultGateway | null> {
  const table = await readFile(routeTablePath, "utf8");
  let best: (DefaultGateway & { metric: number }) | null = null;
  for (const line of table.split("\n").slice(1)) {
    const [iface, destination, gateway, flags, , , metric] = line.trim().split(/\s+/);
    if (iface === undefined || destination !== "00000000" || gateway === undefined) continue;
    const flagBits = Number.parseInt(flags ?? "0", 16);
    if ((flagBits & ROUTE_UP) === 0 || (flagBits & ROUTE_VIA_GATEWAY) === 0) continue;
    const candidate = { address: hexToIpv4(gateway), iface, metric: Number(metric ?? 0) };
    if (best === null || candidate.metric < best.metric) best = candidate;
  }
  return best === null ? null : { address: best.address, iface: best.iface };
}

/** The kernel prints addresses as little-endian hex: "0101A8C0" is 192.168.1.1. */
function hexToIpv4(hex: string): string {
  const bytes = hex.match(/../g) ?? [];
  return bytes
    .reverse()
    .map((pair) => Number.parseInt(pair, 16))
    .join(".");
}
