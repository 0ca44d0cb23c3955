import { lookup } from "node:dns/promises";
import net from "node:net";
import { readDefaultGateway } from "./default-gateway.js";
import { withinTime } from "./time-limit.js";
import type { CommandHandler } from "./types.js";

export interface NetworkDiagnosticsOptions {
  /** Kernel routing table, read to find the default gateway. */
  routeTablePath: string;
  /** Bound on each check; they all run at once, so this bounds the whole command too. */
  checkTimeoutMs: number;
}

interface CheckOutcome {
  name: string;
  ok: boolean;
  detail: string;
  durationMs: number;
}

/**
 * Three checks in parallel: DNS for central's host, an HTTP answer from
 * central, and the default gateway. A failed check is part of the result,
 * never an error.
 */
export function createNetworkDiagnostics(
  options: NetworkDiagnosticsOptions,
): CommandHandler<"network_diagnostics"> {
  return async (_params, context) => {
    const central = new URL(context.settings.centralUrl);
    const run = (name: string, check: (signal: AbortSignal) => Promise<string>) =>
      runCheck(name, options.checkTimeoutMs, context.signal, check);
    const checks = await Promise.all([
      run("dns", () => resolveHost(central.hostname)),
      run("central", (signal) => reachCentral(central, signal)),
      run("gateway", (signal) => reachGateway(options.routeTablePath, options.checkTimeoutMs, signal)),
    ]);
    context.signal.throwIfAborted();
    return { checks };
  };
}

async function runCheck(
  name: string,
  timeoutMs: number,
  shutdown: AbortSignal,
  check: (signal: AbortSignal) => Promise<string>,
): Promise<CheckOutcome> {
  const started = performance.now();
  const signal = AbortSignal.any([shutdown, AbortSignal.timeout(timeoutMs)]);
  let ok = true;
  let detail: string;
  try {
    detail = await withinTime(check(signal), timeoutMs);
  } catch (error) {
    ok = false;
    detail = describe(error);
  }
  return { name, ok, detail, durationMs: Math.round(performance.now() - started) };
}

async function resolveHost(hostname: string): Promise<string> {
  const bareHost = hostname.replace(/^\[(.*)\]$/, "$1");
  const addresses = await lookup(bareHost, { all: true });
  return `${bareHost} resolves to ${addresses.map((entry) => entry.address).join(", ")}`;
}

/** Any HTTP answer proves central is reachable; the status is only reported. */
async function reachCentral(central: URL, signal: AbortSignal): Promise<string> {
  const url = new URL(central);
  url.protocol = url.protocol.replace(/^ws/, "http");
  url.username = "";
  url.password = "";
  const response = await fetch(url, { method: "GET", redirect: "manual", signal });
  await response.body?.cancel();
  return `HTTP ${response.status} from ${url.origin}`;
}

/**
 * Without raw sockets there is no ping, so the gateway is probed on TCP 53
 * and 80: a connection or a refusal (RST) both prove it answers.
 */
async function reachGateway(routeTablePath: string, timeoutMs: number, signal: AbortSignal): Promise<string> {
  const gateway = await readDefaultGateway(routeTablePath);
  if (gateway === null) {
    throw new Error(`no default route in ${routeTablePath}: check the network cable or WiFi connection`);
  }
  const where = `gateway ${gateway.address} (${gateway.iface})`;
  try {
    const answer = await Promise.any([53, 80].map((port) => probeTcp(gateway.address, port, signal)));
    return `${where} ${answer}`;
  } catch {
    throw new Error(`${where} did not answer on TCP 53 or 80 within ${timeoutMs} ms`);
  }
}

function probeTcp(host: string, port: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, signal });
    socket.once("connect", () => {
      socket.destroy();
      resolve(`accepted a connection on TCP ${port}`);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      socket.destroy();
      if (error.code === "ECONNREFUSED") resolve(`answered on TCP ${port} (connection refused)`);
      else reject(error);
    });
  });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError" || error.name === "AbortError") return "no answer in time";
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
}
