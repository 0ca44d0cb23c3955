import type { ParamField, ParamValues } from "./param-fields.js";

/** The inputs of a command's parameters (see param-fields.ts); errors sit under their input. */
export function ParamInputs(props: {
  idPrefix: string;
  fields: ParamField[];
  values: ParamValues;
  errors: Record<string, string>;
  onChange(values: ParamValues): void;
}) {
  const { fields, values, errors, idPrefix } = props;
  if (fields.length === 0) return <p class="hint">Cette commande n'a pas de paramètres.</p>;
  const set = (name: string, value: string | boolean) => props.onChange({ ...values, [name]: value });
  return (
    <div class="fields">
      {fields.map((field) => {
        const id = `${idPrefix}-${field.name}`;
        const error = errors[field.name];
        const hint = hintOf(field);
        const describedBy = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
        const common = {
          id,
          name: field.name,
          "aria-required": field.required,
          "aria-invalid": error ? true : undefined,
          "aria-describedby": describedBy || undefined,
        };
        const value = values[field.name];
        return (
          <div class="field" key={field.name}>
            <label for={id}>
              {field.label}
              {field.required ? <span class="required"> (obligatoire)</span> : null}
            </label>
            {field.kind === "boolean" ? (
              <input
                {...common}
                type="checkbox"
                checked={value === true}
                onChange={(event) => set(field.name, event.currentTarget.checked)}
              />
            ) : field.kind === "json" ? (
              <textarea
                {...common}
                rows={5}
                spellcheck={false}
                value={typeof value === "string" ? value : ""}
                onInput={(event) => set(field.name, event.currentTarget.value)}
              />
            ) : (
              <input
                {...common}
                type={inputType(field)}
                inputMode={field.kind === "integer" ? "numeric" : undefined}
                min={field.minimum}
                max={field.maximum}
                maxLength={field.maxLength}
                step={field.kind === "date-time" ? 1 : undefined}
                value={typeof value === "string" ? value : ""}
                onInput={(event) => set(field.name, event.currentTarget.value)}
              />
            )}
            {hint ? (
              <span id={`${id}-hint`} class="hint">
                {hint}
              </span>
            ) : null}
            {error ? (
              <span id={`${id}-error`} class="field-error">
                {error}
              </span>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}

function inputType(field: ParamField): string {
  switch (field.kind) {
    case "integer":
    case "number":
      return "number";
    case "date-time":
      return "datetime-local";
    case "url":
      return "url";
    default:
      return "text";
  }
}

function hintOf(field: ParamField): string | undefined {
  if (field.kind === "json") return 'Un objet JSON, par exemple {"volume": 80}.';
  if (field.minimum !== undefined && field.maximum !== undefined) {
    return `De ${field.minimum} à ${field.maximum}.`;
  }
  if (field.kind === "url") return "Adresse http:// ou https://.";
  return undefined;
}
