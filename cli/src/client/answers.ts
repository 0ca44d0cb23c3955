/**
 * The parts of central's answers the CLI reads (the full shapes are in
 * central's OpenAPI document, GET /api/openapi.json). Dates are ISO strings.
 */
export interface SiteAnswer {
  id: string;
  site_name: string;
  club_name: string;
  online: boolean;
  last_seen_at: string | null;
  agent_version: string | null;
  created_at: string;
  pending_count: number;
  oldest_pending: string | null;
}

export interface SiteListAnswer {
  total: number;
  limit: number;
  offset: number;
  sites: SiteAnswer[];
}

export interface SiteCreatedAnswer {
  id: string;
  siteName: string;
  clubName: string;
  token: string;
}

export interface PendingCommandAnswer {
  id: string;
  command_type: string;
  command_data: unknown;
  priority: number;
  created_at: string;
  expires_at: string | null;
  attempts: number;
  max_attempts: number;
  description: string | null;
  state: string;
}

export interface PendingListAnswer {
  siteId: string;
  siteName: string;
  clubName: string;
  pendingCount: number;
  commands: PendingCommandAnswer[];
}

export interface CommandAnswer {
  id: string;
  command_type: string;
  command_data: unknown;
  priority: number;
  status: string;
  result: unknown;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  max_attempts: number;
  created_at: string;
  finished_at: string | null;
  cancelled_at: string | null;
  expired_at: string | null;
  description: string | null;
}

export interface HistoryAnswer {
  total: number;
  limit: number;
  offset: number;
  commands: CommandAnswer[];
}

export interface SummaryAnswer {
  totalPending: number;
  sitesWithPendingCommands: number;
  sites: {
    site_id: string;
    club_name: string;
    site_status: string;
    pending_count: number;
    highest_priority: number;
    oldest_command: string;
    newest_command: string;
    command_types: string[];
  }[];
}

/** POST /api/sites/:id/command: accepted, or (with ?wait) finished, or 202 still running. */
export interface SendAnswer {
  success: boolean;
  commandId: string;
  message?: string;
  queued?: boolean;
  status?: string;
  result?: unknown;
  error?: { code: string; message: string };
  timedOut?: boolean;
}

export interface CancelAnswer {
  success: true;
  message: string;
  count?: number;
}
