import { useState } from "preact/hooks";
import { createApiClient } from "../api/client.js";
import { endpoints } from "../api/endpoints.js";
import { ErrorNotice } from "../components/notice.js";

/** Sign-in with an operator token, checked against central before it is kept. */
export function SignInPage(props: { onSignedIn(token: string): void; reason?: string }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<unknown>(undefined);
  const [checking, setChecking] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const candidate = token.trim();
    if (!candidate) {
      setError(new Error("Saisissez votre jeton d'opérateur."));
      return;
    }
    setChecking(true);
    setError(undefined);
    try {
      await endpoints(createApiClient({ token: candidate })).listSites({ limit: 1, offset: 0 });
      props.onSignedIn(candidate);
    } catch (failure) {
      setError(failure);
      setChecking(false);
    }
  }

  return (
    <main class="sign-in" id="main">
      <h1>NEOPRO — File de commandes</h1>
      <p>Connectez-vous avec votre jeton d'opérateur. Il reste dans cet onglet jusqu'à sa fermeture.</p>
      {props.reason ? (
        <p role="status" class="notice notice-info">
          {props.reason}
        </p>
      ) : null}
      <form onSubmit={submit} noValidate>
        <div class="field">
          <label for="operator-token">Jeton d'opérateur</label>
          <input
            id="operator-token"
            type="password"
            autoComplete="current-password"
            value={token}
            onInput={(event) => setToken(event.currentTarget.value)}
            aria-describedby="operator-token-hint"
          />
          <span id="operator-token-hint" class="hint">
            Le premier jeton est ADMIN_TOKEN, ou le fichier data/admin-token de central.
          </span>
        </div>
        <button type="submit" class="primary" disabled={checking}>
          {checking ? "Vérification…" : "Se connecter"}
        </button>
      </form>
      <ErrorNotice error={error} title="Connexion impossible." />
    </main>
  );
}
