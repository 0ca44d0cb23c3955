/** Online / offline, in words and not by colour alone. */
export function SiteState({ online }: { online: boolean }) {
  return (
    <span class={`badge ${online ? "badge-online" : "badge-offline"}`} data-online={String(online)}>
      <span aria-hidden="true">{online ? "●" : "○"}</span> {online ? "En ligne" : "Hors ligne"}
    </span>
  );
}
