import type { SendCommandBody } from "@neopro/protocol";
import type { ApiClient } from "./client.js";
import type {
  ActionAnswer,
  CreatedSite,
  HistoryPage,
  PendingList,
  QueueSummary,
  SendAnswer,
  SitePage,
  SiteSnapshot,
} from "./types.js";

/** The REST routes the dashboard uses, typed (README, "REST API"). */
export function endpoints(api: ApiClient) {
  const site = (siteId: string) => `/api/sites/${encodeURIComponent(siteId)}`;
  return {
    listSites: (query: { limit: number; offset: number; search?: string; status?: "online" | "offline" }) =>
      api.get<SitePage>("/api/sites", query),
    getSite: (siteId: string) => api.get<SiteSnapshot>(site(siteId)),
    createSite: (body: { siteName: string; clubName: string }) => api.post<CreatedSite>("/api/sites", body),
    pending: (siteId: string) => api.get<PendingList>(`${site(siteId)}/pending-commands`),
    cancelOne: (siteId: string, commandId: string) =>
      api.delete<ActionAnswer>(`${site(siteId)}/pending-commands/${encodeURIComponent(commandId)}`),
    cancelAll: (siteId: string) => api.delete<ActionAnswer>(`${site(siteId)}/pending-commands`),
    retry: (siteId: string, commandId: string) =>
      api.post<ActionAnswer>(`${site(siteId)}/pending-commands/${encodeURIComponent(commandId)}/retry`, {}),
    history: (siteId: string, page: { limit: number; offset: number }) =>
      api.get<HistoryPage>(`${site(siteId)}/commands`, page),
    send: (siteId: string, body: SendCommandBody, waitSeconds?: number) =>
      api.post<SendAnswer>(`${site(siteId)}/command`, body, { wait: waitSeconds || undefined }),
    summary: () => api.get<QueueSummary>("/api/sites/queue/summary"),
  };
}

export type Endpoints = ReturnType<typeof endpoints>;
