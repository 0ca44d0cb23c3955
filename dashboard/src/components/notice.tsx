import type { ComponentChildren } from "preact";
import { describeError } from "../api/errors.js";

/** A failure in words: what happened, then the server's own detail. Announced to screen readers. */
export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  if (error === undefined || error === null) return null;
  const { summary, detail, code } = describeError(error);
  return (
    <div class="notice notice-error" role="alert" data-error-code={code}>
      {title ? <strong>{title} </strong> : null}
      <span>{summary}</span>
      {detail ? <div class="notice-detail">Détail : {detail}</div> : null}
    </div>
  );
}

export function Notice({ kind, children }: { kind: "success" | "info"; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${kind}`} role="status">
      {children}
    </div>
  );
}
