import { type ConnectRefusal, connectRefusal } from "@neopro/protocol";

const WHAT_TO_FIX: Record<ConnectRefusal["code"], string> = {
  INVALID_HANDSHAKE: "check SITE_ID and SITE_TOKEN",
  PROTOCOL_INCOMPATIBLE: "upgrade the agent (or central) so their protocol versions match",
  UNKNOWN_SITE: "check SITE_ID: central has no site with this id",
  INVALID_SITE_TOKEN: "check SITE_TOKEN",
  SERVER_UNAVAILABLE: "central cannot accept agents right now; nothing to change, the agent retries",
};

export interface Refusal {
  code: string;
  /** One line saying what central said and what to fix. */
  explanation: string;
}

/** Reads central's refusal from the `connect_error` of a socket that socket.io will not retry. */
export function readRefusal(error: Error & { data?: unknown }): Refusal {
  const parsed = connectRefusal.safeParse(error.data);
  if (parsed.success) {
    const { code, message } = parsed.data;
    return { code, explanation: `central refused this agent: ${code} — ${WHAT_TO_FIX[code]} (${message})` };
  }
  return {
    code: "UNKNOWN",
    explanation: `central refused the connection without a known reason: ${error.message}`,
  };
}
