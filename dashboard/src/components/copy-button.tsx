import { useState } from "preact/hooks";

/** Copies `text`; says whether it worked, and how to copy by hand when the browser refuses. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [outcome, setOutcome] = useState<"idle" | "copied" | "failed">("idle");

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setOutcome("copied");
    } catch {
      setOutcome("failed");
    }
  }

  return (
    <span class="copy">
      <button type="button" onClick={copy}>
        {label}
      </button>
      <span role="status" class="copy-outcome">
        {outcome === "copied" ? "Copié." : null}
        {outcome === "failed"
          ? "Copie refusée par le navigateur : sélectionnez le texte et copiez-le."
          : null}
      </span>
    </span>
  );
}
