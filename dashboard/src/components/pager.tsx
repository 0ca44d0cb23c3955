/** "Sites 51–100 sur 1 234", with previous / next buttons. */
export function Pager(props: {
  label: string;
  total: number;
  limit: number;
  offset: number;
  onOffset(offset: number): void;
}) {
  const { total, limit, offset, label } = props;
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + limit, total);
  return (
    <nav class="pager" aria-label={`Pages : ${label}`}>
      <button
        type="button"
        disabled={offset === 0}
        onClick={() => props.onOffset(Math.max(0, offset - limit))}
      >
        ← Précédents
      </button>
      <span aria-live="polite">
        {label} {first}–{last} sur {total.toLocaleString("fr-FR")}
      </span>
      <button type="button" disabled={last >= total} onClick={() => props.onOffset(offset + limit)}>
        Suivants →
      </button>
    </nav>
  );
}
