import type { ApiErrorCode } from "@neopro/protocol";
import { ApiRequestError, type ClientErrorCode } from "./client.js";

/** What each failure means for the person, in French; the server's own message follows as detail. */
const EXPLANATIONS: Record<ApiErrorCode | ClientErrorCode, string> = {
  UNAUTHORIZED: "Jeton d'opérateur refusé : reconnectez-vous avec un jeton valide.",
  INVALID_JSON: "La requête envoyée n'est pas du JSON valide.",
  INVALID_BODY: "Les champs envoyés ne sont pas valides.",
  INVALID_QUERY: "Les critères de la demande ne sont pas valides.",
  INVALID_ID: "Identifiant invalide.",
  UNKNOWN_COMMAND: "Type de commande inconnu du serveur central.",
  INVALID_PARAMS: "Paramètres de la commande invalides.",
  SITE_NOT_FOUND: "Ce site n'existe pas (ou plus).",
  COMMAND_NOT_FOUND: "Cette commande n'existe pas.",
  COMMAND_NOT_PENDING: "Cette commande n'est plus en attente.",
  COMMAND_BEING_DELIVERED:
    "Cette commande est en cours de livraison au site : elle ne peut plus être annulée. Suivez son statut dans l'historique.",
  SITE_OFFLINE: "Le site n'est pas connecté.",
  PAYLOAD_TOO_LARGE: "Les données envoyées sont trop volumineuses (1 Mio au plus).",
  UNSUPPORTED_MEDIA_TYPE: "Format de requête non pris en charge.",
  NOT_FOUND: "Adresse inconnue du serveur central.",
  INTERNAL_ERROR: "Erreur interne du serveur central ; son journal en donne le détail.",
  NETWORK: "Le serveur central ne répond pas. Vérifiez la connexion réseau puis réessayez.",
  INVALID_RESPONSE: "Réponse inattendue du serveur central.",
};

export interface ErrorDescription {
  summary: string;
  /** The server's message, when it adds something to the summary. */
  detail?: string;
  code: string;
}

/** Any thrown value as words for the person (never a stack). */
export function describeError(error: unknown): ErrorDescription {
  if (error instanceof ApiRequestError) {
    const summary = EXPLANATIONS[error.code];
    const detail = error.message && !summary.includes(error.message) ? error.message : undefined;
    return { summary, code: error.code, ...(detail ? { detail } : {}) };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return { summary: "Une erreur inattendue s'est produite dans le tableau de bord.", detail, code: "CLIENT" };
}
