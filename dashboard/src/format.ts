import type { CommandStatus } from "@neopro/protocol";

const dateTime = new Intl.DateTimeFormat("fr-FR", { dateStyle: "short", timeStyle: "medium" });

/** "03/12/2026 15:04:05", or a dash when there is no date. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** How long ago, in words: "il y a 5 min". */
export function formatAge(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "—";
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return `il y a ${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `il y a ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `il y a ${hours} h`;
  return `il y a ${Math.floor(hours / 24)} j`;
}

export const STATUS_LABELS: Record<CommandStatus, string> = {
  queued: "En file",
  delivered: "Livrée",
  running: "En cours",
  succeeded: "Réussie",
  failed: "Échouée",
  interrupted: "Interrompue",
  expired: "Expirée",
  cancelled: "Annulée",
};

/** "1 commande", "3 commandes". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count > 1 ? pluralForm : singular}`;
}
