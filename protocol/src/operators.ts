import type { SiteAnswer } from "./answers.js";
import type { CommandStatus } from "./statuses.js";

/**
 * Socket.IO namespace the operators' dashboard listens on for live changes.
 * Separate from the agents' namespace: it authenticates with an operator
 * token (`auth: { token }`) and only ever receives.
 */
export const OPERATOR_NAMESPACE = "/operator";

/** Code in `connect_error.data.code` when central refuses an operator socket. */
export const OPERATOR_REFUSAL_CODES = Object.freeze(["UNAUTHORIZED", "SERVER_UNAVAILABLE"] as const);
export type OperatorRefusalCode = (typeof OPERATOR_REFUSAL_CODES)[number];

/** One site as `GET /api/sites` lists it, as JSON (dates are ISO strings): the same shape as the REST answer. */
export type SiteSnapshot = SiteAnswer;

/** A command of a site changed status (queued, delivered, running, a result, cancelled, expired). */
export interface CommandStatusChange {
  siteId: string;
  commandId: string;
  status: CommandStatus;
}

/** Events central emits to operators. Changes are coalesced: at most one message of each kind per flush. */
export interface CentralToOperatorEvents {
  /** Sites whose connection, last-seen time or queue changed, re-read from the database. */
  "sites:changed": (sites: SiteSnapshot[]) => void;
  /** Status changes of the commands of the site this socket watches (see `site:watch`). */
  "commands:changed": (changes: CommandStatusChange[]) => void;
}

/** Events an operator socket emits to central. */
export interface OperatorToCentralEvents {
  /** Follow the commands of one site (the site page), or of none (`null`); acknowledged once in effect. */
  "site:watch": (siteId: string | null, ack?: () => void) => void;
}
