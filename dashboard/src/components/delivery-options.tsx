import { PRIORITY_MAX, PRIORITY_MIN, priorityLabel } from "@neopro/protocol";

export interface DeliveryOptions {
  priority: number;
  /** `datetime-local` value, or "" for no expiry. */
  expiresAt: string;
}

const PRIORITIES = Array.from(
  { length: PRIORITY_MAX - PRIORITY_MIN + 1 },
  (_, index) => PRIORITY_MIN + index,
);

/** Priority (with the reference's labels) and expiry of a queued command. */
export function DeliveryOptionsInputs(props: {
  idPrefix: string;
  value: DeliveryOptions;
  onChange(value: DeliveryOptions): void;
  expiryError?: string | undefined;
}) {
  const { idPrefix, value } = props;
  return (
    <div class="fields">
      <div class="field">
        <label for={`${idPrefix}-priority`}>Priorité</label>
        <select
          id={`${idPrefix}-priority`}
          value={String(value.priority)}
          onChange={(event) => props.onChange({ ...value, priority: Number(event.currentTarget.value) })}
        >
          {PRIORITIES.map((level) => (
            <option key={level} value={String(level)}>
              {level} — {priorityLabel(level)}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for={`${idPrefix}-expires`}>Expire le (facultatif)</label>
        <input
          id={`${idPrefix}-expires`}
          type="datetime-local"
          value={value.expiresAt}
          aria-invalid={props.expiryError ? true : undefined}
          aria-describedby={`${idPrefix}-expires-hint`}
          onInput={(event) => props.onChange({ ...value, expiresAt: event.currentTarget.value })}
        />
        <span id={`${idPrefix}-expires-hint`} class={props.expiryError ? "field-error" : "hint"}>
          {props.expiryError ?? "Sans date, la commande attend le site aussi longtemps qu'il le faut."}
        </span>
      </div>
    </div>
  );
}

/** The expiry as ISO 8601, undefined when empty; an error when it is not a future date. */
export function readExpiry(value: string): { expiresAt?: string } | { error: string } {
  if (!value) return {};
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return { error: "Date d'expiration invalide." };
  if (date.getTime() <= Date.now()) return { error: "La date d'expiration doit être dans le futur." };
  return { expiresAt: date.toISOString() };
}
