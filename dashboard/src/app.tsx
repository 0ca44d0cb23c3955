import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import { createApiClient } from "./api/client.js";
import { endpoints } from "./api/endpoints.js";
import { SessionContext } from "./context.js";
import { createLiveFeed, type LiveState } from "./live/feed.js";
import { DeployPage } from "./pages/deploy.js";
import { QueuePage } from "./pages/queue.js";
import { SendCommandPage } from "./pages/send-command.js";
import { SignInPage } from "./pages/sign-in.js";
import { SitePage } from "./pages/site.js";
import { SitesPage } from "./pages/sites.js";
import { paths, type Route, useRoute } from "./router.js";
import { tokenStore } from "./session-storage.js";

const SIGNED_OUT_REFUSED = "Votre jeton n'est plus accepté par le serveur central : reconnectez-vous.";

export function App() {
  const [token, setToken] = useState(() => tokenStore.read());
  const [reason, setReason] = useState<string | undefined>(undefined);

  function signIn(next: string) {
    tokenStore.save(next);
    setReason(undefined);
    setToken(next);
  }

  const signOut = useCallback((why?: string) => {
    tokenStore.clear();
    setReason(why);
    setToken(null);
  }, []);

  if (!token) return <SignInPage onSignedIn={signIn} reason={reason} />;
  return <SignedIn token={token} onSignOut={signOut} />;
}

function SignedIn({ token, onSignOut }: { token: string; onSignOut(reason?: string): void }) {
  const route = useRoute();
  const session = useMemo(() => {
    const refused = () => onSignOut(SIGNED_OUT_REFUSED);
    return {
      api: endpoints(createApiClient({ token, onUnauthorized: refused })),
      live: createLiveFeed({ token, onUnauthorized: refused }),
    };
  }, [token, onSignOut]);
  const [liveState, setLiveState] = useState<LiveState>(session.live.state);

  useEffect(() => {
    const stop = session.live.onState(setLiveState);
    return () => {
      stop();
      session.live.close();
    };
  }, [session]);

  // Each page's title takes the focus, so keyboard and screen-reader users start at the top of it.
  useEffect(() => {
    document.querySelector<HTMLElement>("main h1")?.focus();
  }, [route]);

  return (
    <SessionContext.Provider value={session}>
      <button type="button" class="skip-link" onClick={skipToMain}>
        Aller au contenu
      </button>
      <header class="top">
        <span class="brand">NEOPRO</span>
        <nav aria-label="Navigation principale">
          <NavLink
            href={paths.sites}
            current={route.page === "sites" || route.page === "site" || route.page === "send"}
          >
            Sites
          </NavLink>
          <NavLink href={paths.queue} current={route.page === "queue"}>
            Queue globale
          </NavLink>
          <NavLink href={paths.deploy} current={route.page === "deploy"}>
            Contenu → Déployer
          </NavLink>
        </nav>
        <span class={`live live-${liveState}`} role="status" data-live-state={liveState}>
          Temps réel : {LIVE_LABELS[liveState]}
        </span>
        <button type="button" onClick={() => onSignOut()}>
          Se déconnecter
        </button>
      </header>
      <Page route={route} />
    </SessionContext.Provider>
  );
}

const LIVE_LABELS: Record<LiveState, string> = {
  connecting: "connexion…",
  connected: "connecté",
  disconnected: "déconnecté (nouvelle tentative automatique)",
  refused: "refusé",
};

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "site":
      return <SitePage key={route.siteId} siteId={route.siteId} />;
    case "send":
      return <SendCommandPage key={route.siteId} siteId={route.siteId} />;
    case "deploy":
      return <DeployPage />;
    case "queue":
      return <QueuePage />;
    default:
      return <SitesPage />;
  }
}

function NavLink(props: { href: string; current: boolean; children: string }) {
  return (
    <a href={props.href} aria-current={props.current ? "page" : undefined}>
      {props.children}
    </a>
  );
}

/** The hash holds the route, so "skip to content" moves the focus rather than linking to #main. */
function skipToMain() {
  document.querySelector<HTMLElement>("main h1")?.focus();
}
