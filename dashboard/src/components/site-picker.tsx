import type { SiteSnapshot } from "@neopro/protocol";
import { useState } from "preact/hooks";
import { useSession } from "../context.js";
import { useDebounced, useResource } from "../hooks.js";
import { ErrorNotice } from "./notice.js";
import { Pager } from "./pager.js";
import { SiteState } from "./site-state.js";

const PAGE_SIZE = 20;

/** Chooses several sites, online or not, among thousands: search, pages, and the chosen list. */
export function SitePicker(props: {
  selected: Map<string, SiteSnapshot>;
  onChange(selected: Map<string, SiteSnapshot>): void;
}) {
  const { api } = useSession();
  const [search, setSearch] = useState("");
  const [offset, setOffset] = useState(0);
  const settled = useDebounced(search.trim(), 300);
  const query = { limit: PAGE_SIZE, offset, search: settled || undefined };
  const sites = useResource(() => api.listSites(query), JSON.stringify(query));
  const { selected } = props;

  function toggle(site: SiteSnapshot, chosen: boolean) {
    const next = new Map(selected);
    if (chosen) next.set(site.id, site);
    else next.delete(site.id);
    props.onChange(next);
  }

  return (
    <fieldset class="site-picker">
      <legend>Sites ({selected.size} choisi(s))</legend>
      <div class="field">
        <label for="picker-search">Rechercher un site ou un club</label>
        <input
          id="picker-search"
          type="search"
          value={search}
          onInput={(event) => {
            setSearch(event.currentTarget.value);
            setOffset(0);
          }}
        />
      </div>
      <ErrorNotice error={sites.error} title="Les sites n'ont pas pu être chargés." />
      <ul class="checklist">
        {(sites.data?.sites ?? []).map((site) => (
          <li key={site.id}>
            <input
              type="checkbox"
              id={`pick-${site.id}`}
              checked={selected.has(site.id)}
              onChange={(event) => toggle(site, event.currentTarget.checked)}
            />
            <label for={`pick-${site.id}`}>
              {site.site_name} — {site.club_name}
            </label>{" "}
            <SiteState online={site.online} />
          </li>
        ))}
      </ul>
      {sites.data ? (
        <Pager
          label="Sites"
          total={sites.data.total}
          limit={PAGE_SIZE}
          offset={offset}
          onOffset={setOffset}
        />
      ) : null}
      {selected.size > 0 ? (
        <div>
          <p>Sites choisis :</p>
          <ul class="chosen">
            {[...selected.values()].map((site) => (
              <li key={site.id}>
                {site.site_name} — {site.club_name}{" "}
                <button
                  type="button"
                  onClick={() => toggle(site, false)}
                  aria-label={`Retirer ${site.site_name}`}
                >
                  Retirer
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </fieldset>
  );
}
