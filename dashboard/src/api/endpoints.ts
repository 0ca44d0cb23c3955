import type {
  AttemptsResetAnswer,
  CancelledAllAnswer,
  CancelledOneAnswer,
  CommandHistoryAnswer,
  PendingListAnswer,
  QueueSummaryAnswer,
  SendAnswer,
  SendCommandBody,
  SiteAnswer,
  SiteCreatedAnswer,
  SiteListAnswer,
} from "@neopro/protocol";
import type { ApiClient } from "./client.js";

/** The REST routes the dashboard uses, typed with the protocol's answer shapes (README, "REST API"). */
export function endpoints(api: ApiClient) {
  const site = (siteId: string) => `/api/sites/${encodeURIComponent(siteId)}`;
  return {
    listSites: (query: { limit: number; offset: number; search?: string; status?: "online" | "offline" }) =>
      api.get<SiteListAnswer>("/api/sites", query),
    getSite: (siteId: string) => api.get<SiteAnswer>(site(siteId)),
    createSite: (body: { siteName: string; clubName: string }) =>
      api.post<SiteCreatedAnswer>("/api/sites", body),
    pending: (siteId: string) => api.get<PendingListAnswer>(`${site(siteId)}/pending-commands`),
    cancelOne: (siteId: string, commandId: string) =>
      api.delete<CancelledOneAnswer>(`${site(siteId)}/pending-commands/${encodeURIComponent(commandId)}`),
    cancelAll: (siteId: string) => api.delete<CancelledAllAnswer>(`${site(siteId)}/pending-commands`),
    retry: (siteId: string, commandId: string) =>
      api.post<AttemptsResetAnswer>(
        `${site(siteId)}/pending-commands/${encodeURIComponent(commandId)}/retry`,
        {},
      ),
    history: (siteId: string, page: { limit: number; offset: number }) =>
      api.get<CommandHistoryAnswer>(`${site(siteId)}/commands`, page),
    send: (siteId: string, body: SendCommandBody, waitSeconds?: number) =>
      api.post<SendAnswer>(`${site(siteId)}/command`, body, { wait: waitSeconds || undefined }),
    summary: () => api.get<QueueSummaryAnswer>("/api/sites/queue/summary"),
  };
}

export type Endpoints = ReturnType<typeof endpoints>;
