import {
  type CentralToOperatorEvents,
  type CommandStatusChange,
  OPERATOR_NAMESPACE,
  type OperatorToCentralEvents,
  type SiteSnapshot,
} from "@neopro/protocol";
import { io, type Socket } from "socket.io-client";

export type LiveState = "connecting" | "connected" | "disconnected" | "refused";

type Listener<T> = (value: T) => void;

/** Central refused for a passing reason (shutting down, database busy): try again after 3 s. */
const REFUSED_RETRY_DELAY_MS = 3000;

/**
 * The dashboard's live connection to central (`/operator` namespace). Pages
 * subscribe to what they show; after a reconnection they are told to reload,
 * since changes made meanwhile were not sent.
 */
export interface LiveFeed {
  onSites(listener: Listener<SiteSnapshot[]>): () => void;
  onCommands(listener: Listener<CommandStatusChange[]>): () => void;
  /** Called after a reconnection: whatever a page shows may be stale. */
  onResync(listener: Listener<void>): () => void;
  onState(listener: Listener<LiveState>): () => void;
  readonly state: LiveState;
  /** Follow the commands of one site (its page), or none. */
  watchSite(siteId: string | null): void;
  close(): void;
}

export function createLiveFeed(options: { token: string; url?: string; onUnauthorized(): void }): LiveFeed {
  const socket: Socket<CentralToOperatorEvents, OperatorToCentralEvents> = io(
    `${options.url ?? ""}${OPERATOR_NAMESPACE}`,
    { auth: { token: options.token }, transports: ["websocket"] },
  );
  const sites = new Set<Listener<SiteSnapshot[]>>();
  const commands = new Set<Listener<CommandStatusChange[]>>();
  const resyncs = new Set<Listener<void>>();
  const states = new Set<Listener<LiveState>>();
  let state: LiveState = "connecting";
  let watched: string | null = null;
  let connectedOnce = false;
  let retry: ReturnType<typeof setTimeout> | undefined;

  function setState(next: LiveState) {
    state = next;
    for (const listener of states) listener(next);
  }

  function subscribe<T>(set: Set<Listener<T>>, listener: Listener<T>) {
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  socket.on("connect", () => {
    // Rooms do not survive a reconnection: watch the site again.
    if (watched) socket.emit("site:watch", watched);
    setState("connected");
    if (connectedOnce) for (const listener of resyncs) listener();
    connectedOnce = true;
  });
  socket.on("disconnect", () => setState("disconnected"));
  socket.on("connect_error", (error) => {
    const code = (error as { data?: { code?: string } }).data?.code;
    if (code === "UNAUTHORIZED") {
      setState("refused");
      options.onUnauthorized();
      return;
    }
    setState("disconnected");
    // A refusal by central's middleware is not retried by Socket.IO itself.
    if (!socket.active) retry = setTimeout(() => socket.connect(), REFUSED_RETRY_DELAY_MS);
  });
  socket.on("sites:changed", (changed) => {
    for (const listener of sites) listener(changed);
  });
  socket.on("commands:changed", (changes) => {
    for (const listener of commands) listener(changes);
  });

  return {
    onSites: (listener) => subscribe(sites, listener),
    onCommands: (listener) => subscribe(commands, listener),
    onResync: (listener) => subscribe(resyncs, listener),
    onState: (listener) => subscribe(states, listener),
    get state() {
      return state;
    },
    watchSite(siteId) {
      watched = siteId;
      if (socket.connected) socket.emit("site:watch", siteId);
    },
    close() {
      clearTimeout(retry);
      socket.close();
    },
  };
}
