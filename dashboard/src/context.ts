import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Endpoints } from "./api/endpoints.js";
import type { LiveFeed } from "./live/feed.js";

/** What every page of a signed-in session uses: the REST API and the live feed. */
export interface Session {
  api: Endpoints;
  live: LiveFeed;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession() outside a signed-in session");
  return session;
}
