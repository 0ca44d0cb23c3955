import type { CommandStatus, SiteSnapshot } from "@neopro/protocol";

/** Shapes of central's REST answers, as JSON (dates are ISO strings). See the README's REST API table. */

export type { SiteSnapshot };

export interface SitePage {
  total: number;
  limit: number;
  offset: number;
  sites: SiteSnapshot[];
}

export interface CreatedSite {
  id: string;
  siteName: string;
  clubName: string;
  /** The agent's token: shown once, central keeps only its hash. */
  token: string;
}

export type PendingState = "EN ATTENTE" | "EXPIRÉ" | "MAX TENTATIVES";

export interface PendingCommand {
  id: string;
  site_id: string;
  command_type: string;
  command_data: unknown;
  priority: number;
  created_at: string;
  expires_at: string | null;
  attempts: number;
  max_attempts: number;
  description: string | null;
  last_attempt_at: string | null;
  state: PendingState;
}

export interface PendingList {
  siteId: string;
  siteName: string;
  clubName: string;
  pendingCount: number;
  commands: PendingCommand[];
}

export interface HistoryCommand {
  id: string;
  command_type: string;
  command_data: unknown;
  priority: number;
  queueable: boolean;
  description: string | null;
  status: CommandStatus;
  result: unknown;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  max_attempts: number;
  expires_at: string | null;
  created_at: string;
  delivered_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  expired_at: string | null;
  cancelled_at: string | null;
}

export interface HistoryPage {
  total: number;
  limit: number;
  offset: number;
  commands: HistoryCommand[];
}

export interface QueueSummarySite {
  site_id: string;
  club_name: string;
  site_status: "online" | "offline";
  pending_count: number;
  highest_priority: number;
  oldest_command: string;
  newest_command: string;
  command_types: string[];
}

export interface QueueSummary {
  totalPending: number;
  sitesWithPendingCommands: number;
  sites: QueueSummarySite[];
}

/** POST /api/sites/:id/command: sent or queued, or (with ?wait) the command's outcome. */
export interface SendAnswer {
  success: boolean;
  commandId: string;
  queued?: boolean;
  message?: string;
  status?: CommandStatus;
  result?: unknown;
  error?: { code: string; message: string };
  timedOut?: boolean;
}

export interface ActionAnswer {
  success: true;
  message: string;
  count?: number;
}
