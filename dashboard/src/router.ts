import { useEffect, useState } from "preact/hooks";

/** The dashboard's pages, addressed by the URL's hash (central serves one index.html). */
export type Route =
  | { page: "sites" }
  | { page: "site"; siteId: string }
  | { page: "send"; siteId: string }
  | { page: "deploy" }
  | { page: "queue" };

export const paths = {
  sites: "#/sites",
  site: (siteId: string) => `#/sites/${encodeURIComponent(siteId)}`,
  send: (siteId: string) => `#/sites/${encodeURIComponent(siteId)}/envoyer`,
  deploy: "#/contenu/deployer",
  queue: "#/queue",
};

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  const [first, second, third] = parts;
  if (first === "sites" && second && third === "envoyer") return { page: "send", siteId: second };
  if (first === "sites" && second) return { page: "site", siteId: second };
  if (first === "contenu") return { page: "deploy" };
  if (first === "queue") return { page: "queue" };
  return { page: "sites" };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
