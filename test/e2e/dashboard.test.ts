import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { MESSAGES } from "@neopro/protocol";
import pg from "pg";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, apiClient } from "../support/api-client.js";
import { launchBrowser, type TestBrowser } from "../support/browser.js";
import { makeTempDir, removeDir } from "../support/fixtures.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { type CentralProcess, type RunningProcess, startAgent, startCentral } from "../support/processes.js";

/**
 * The operators' dashboard in a real Chromium, against a real central (on
 * PostgreSQL) and a real agent: what issue 4 lists under "Done when".
 * Screenshots of each page go to .test-artifacts/screenshots/.
 */
const ADMIN_TOKEN = "e2e-dashboard-operator-token-0123456789";
const VIDEO = randomBytes(64 * 1024);
const VIDEO_SHA256 = createHash("sha256").update(VIDEO).digest("hex");
/** A browser waits longer than an API call: the page has to re-render, an agent to start. */
const UI_TIMEOUT_MS = 15_000;
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: UI_TIMEOUT_MS, interval: 100 });

describe("operators' dashboard", () => {
  let database: TestDatabase;
  let workDir: string;
  let central: CentralProcess;
  let api: ApiClient;
  let videoServer: Server;
  let videoUrl: string;
  let browser: TestBrowser;
  let page: Page;
  const agents: RunningProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    workDir = await makeTempDir();
    central = await startCentral({
      DATABASE_URL: database.url,
      DATA_DIR: join(workDir, "central"),
      ADMIN_TOKEN,
      LOG_LEVEL: "info",
    });
    api = apiClient(central.url, ADMIN_TOKEN);
    videoServer = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "video/mp4", "content-length": VIDEO.length });
      response.end(VIDEO);
    });
    videoServer.listen(0, "127.0.0.1");
    await once(videoServer, "listening");
    videoUrl = `http://127.0.0.1:${(videoServer.address() as AddressInfo).port}/sponsor.mp4`;
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(UI_TIMEOUT_MS);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(agents.map((agent) => agent.stop()));
    await central?.stop();
    videoServer?.close();
    await database?.drop();
    await removeDir(workDir);
  });

  /** A sent form's answer panel ("Envoyée", "Mise en file d'attente", "Refusée"). */
  const answer = () => page.locator("[data-answer]");
  const pendingRows = () => page.locator("[data-testid=pending-table] tbody tr");
  const historyRow = (commandType: string) =>
    page.locator("[data-testid=history-table] tbody tr", {
      has: page.locator(`code:text-is("${commandType}")`),
    });

  /** A form input by the start of its label (required ones end with "(obligatoire)"). */
  const field = (label: string) =>
    page.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));

  async function sendFromForm(siteId: string, type: string, fill: Record<string, string>) {
    await page.goto(`${central.url}/#/sites/${siteId}/envoyer`);
    await page.getByLabel("Type de commande").selectOption(type);
    for (const [label, value] of Object.entries(fill)) await field(label).fill(value);
    await page.getByRole("button", { name: "Envoyer", exact: true }).click();
    await poll(() => answer().count()).toBe(1);
  }

  let siteId: string;
  let siteToken: string;

  it("refuses a wrong token in words, then signs in with the operator token", async () => {
    await page.goto(central.url);
    await page.getByLabel("Jeton d'opérateur").fill("not-an-operator-token");
    await page.getByRole("button", { name: "Se connecter" }).click();
    await poll(() => page.getByRole("alert").textContent()).toContain(
      "Jeton d'opérateur refusé : reconnectez-vous avec un jeton valide.",
    );
    await browser.screenshot("1-sign-in");

    await page.getByLabel("Jeton d'opérateur").fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.getByRole("heading", { level: 1, name: "Sites" }).waitFor();
    await page.locator('[data-live-state="connected"]').waitFor();
    expect(await page.evaluate('sessionStorage.getItem("neopro.operatorToken")')).toBe(ADMIN_TOKEN);
  });

  it("creates a site and shows its agent token once, with a copy button", async () => {
    await page.getByLabel("Nom du site", { exact: true }).fill("Complexe Sportif X");
    await page.getByLabel("Club", { exact: true }).fill("Club X");
    await page.getByRole("button", { name: "Créer le site" }).click();
    await page.getByTestId("created-site-token").waitFor();
    siteId = (await page.getByTestId("created-site-id").textContent()) ?? "";
    siteToken = (await page.getByTestId("created-site-token").textContent()) ?? "";
    expect(siteId).toMatch(/^[0-9a-f-]{36}$/);
    expect(siteToken.length).toBeGreaterThanOrEqual(40);
    await poll(() => page.getByRole("button", { name: "Copier le jeton" }).count()).toBe(1);
    const row = page.locator(`tr[data-site-id="${siteId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain("Hors ligne");
    await browser.screenshot("2-sites");
  });

  it("queues a deploy_video for the offline site and shows it pending", async () => {
    await sendFromForm(siteId, "deploy_video", {
      "Identifiant de la vidéo": "sponsor-2026",
      "URL de téléchargement": videoUrl,
      "Nom du fichier": "sponsor.mp4",
      "Empreinte SHA-256": VIDEO_SHA256,
    });
    expect(await answer().getAttribute("data-answer")).toBe("queued");
    expect(await page.getByTestId("answer-message").textContent()).toBe(MESSAGES.queued);

    await page.goto(`${central.url}/#/sites/${siteId}`);
    await poll(() => pendingRows().count()).toBe(1);
    const row = pendingRows().first();
    const text = await row.textContent();
    expect(text).toContain("deploy_video");
    expect(text).toContain("Déploiement vidéo");
    expect(text).toContain("Normal");
    expect(text).toContain("0 / 3");
    expect(await row.getAttribute("data-state")).toBe("EN ATTENTE");
  });

  it("cancels one pending command, then all of them after a confirmation saying how many", async () => {
    await sendFromForm(siteId, "update_config", { "Configuration (objet JSON)": '{"volume": 80}' });
    await page.goto(`${central.url}/#/sites/${siteId}`);
    await poll(() => pendingRows().count()).toBe(2);
    await browser.screenshot("3-site-pending");

    await pendingRows().filter({ hasText: "update_config" }).getByRole("button", { name: "Annuler" }).click();
    await poll(() => page.getByRole("status").allTextContents()).toContain(MESSAGES.cancelledOne);
    await poll(() => pendingRows().count()).toBe(1);
    await poll(() => historyRow("update_config").getAttribute("data-status")).toBe("cancelled");

    await api.post(`/api/sites/${siteId}/command`, {
      command: "delete_video",
      params: { filename: "old.mp4" },
    });
    await poll(() => pendingRows().count()).toBe(2);
    await page.getByRole("button", { name: "Tout annuler" }).click();
    const dialog = page.getByRole("alertdialog");
    expect(await dialog.textContent()).toContain("Annuler les 2 commandes en attente de ce site ?");
    await dialog.getByRole("button", { name: "Oui, annuler 2 commandes" }).click();
    await poll(() => page.getByRole("status").allTextContents()).toContain(MESSAGES.cancelledAll(2));
    await poll(() => page.getByTestId("pending-count").textContent()).toBe("(0)");
  });

  it("resets a command stuck at MAX TENTATIVES with the retry button", async () => {
    const { body } = await api.post<{ commandId: string }>(`/api/sites/${siteId}/command`, {
      command: "delete_video",
      params: { filename: "stale.mp4" },
      maxAttempts: 1,
    });
    // Exhausting attempts needs deliveries that never get acknowledged; the row is set as they would leave it.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query("UPDATE pending_commands SET attempts = max_attempts WHERE id = $1", [body.commandId]);
    await client.end();

    const row = pendingRows().and(page.locator(`[data-command-id="${body.commandId}"]`));
    await page.reload();
    await poll(() => row.getAttribute("data-state")).toBe("MAX TENTATIVES");
    await row.getByRole("button", { name: "Réessayer" }).click();
    await poll(() => page.getByRole("status").allTextContents()).toContain(MESSAGES.attemptsReset);
    await poll(() => row.getAttribute("data-state")).toBe("EN ATTENTE");
    await row.getByRole("button", { name: "Annuler" }).click();
    await poll(() => page.getByTestId("pending-count").textContent()).toBe("(0)");
  });

  it("deploys a video to several sites from Contenu → Déployer, with the result per site", async () => {
    const second = await api.createSite("Gymnase Y", "Club Y");
    await page.getByRole("link", { name: "Contenu → Déployer" }).click();
    await field("Identifiant de la vidéo").fill("sponsor-2026");
    await field("URL de téléchargement").fill(videoUrl);
    await field("Nom du fichier").fill("sponsor.mp4");
    await field("Empreinte SHA-256").fill(VIDEO_SHA256);
    await page.getByLabel("Complexe Sportif X — Club X").check();
    await page.getByLabel("Gymnase Y — Club Y").check();
    await page.getByRole("button", { name: "Déployer sur 2 site(s)" }).click();
    for (const id of [siteId, second.id]) {
      await poll(() => page.locator(`tr[data-site-id="${id}"]`).getAttribute("data-outcome")).toBe("queued");
    }
    await browser.screenshot("4-deploy");
    await api.delete(`/api/sites/${second.id}/pending-commands`);
  });

  it("watches the pending list empty and the history fill with results once the agent connects, without reloading", async () => {
    await sendFromForm(siteId, "update_config", { "Configuration (objet JSON)": '{"volume": 65}' });
    await page.goto(`${central.url}/#/sites/${siteId}`);
    await poll(() => pendingRows().count()).toBe(2);
    // A marker on the page's window: a reload would lose it.
    await page.evaluate("window.notReloaded = true");

    agents.push(
      startAgent({
        CENTRAL_URL: central.url,
        SITE_ID: siteId,
        SITE_TOKEN: siteToken,
        DATA_DIR: join(workDir, "agent"),
        HOSTAPD_CONF: join(workDir, "no-hostapd.conf"),
      }),
    );
    await poll(() => page.getByTestId("site-state").textContent()).toContain("En ligne");
    await poll(() => page.getByTestId("pending-count").textContent()).toBe("(0)");
    await poll(() => historyRow("deploy_video").first().getAttribute("data-status")).toBe("succeeded");
    await poll(() => historyRow("update_config").first().getAttribute("data-status")).toBe("succeeded");
    expect(await page.evaluate("window.notReloaded")).toBe(true);

    await historyRow("deploy_video").first().getByText("Voir le résultat").click();
    expect(await historyRow("deploy_video").first().textContent()).toContain(VIDEO_SHA256);
    await browser.screenshot("5-site-history");
  });

  it("shows a real-time command's result: system info as a table", async () => {
    await sendFromForm(siteId, "get_system_info", {});
    expect(await answer().getAttribute("data-answer")).toBe("sent");
    expect(await page.getByTestId("answer-message").textContent()).toBe(MESSAGES.sent);
    await answer().locator("table.result-table").waitFor();
    expect(await answer().locator("table.result-table tr").count()).toBeGreaterThan(3);
    await browser.screenshot("6-send-system-info");
  });

  it("refuses get_logs to an offline site with the reference's message", async () => {
    const offline = await api.createSite("Stade Z", "Club Z");
    await sendFromForm(offline.id, "get_logs", { "Nombre de lignes": "50" });
    expect(await answer().getAttribute("data-answer")).toBe("refused");
    expect(await page.getByTestId("answer-message").textContent()).toBe(MESSAGES.refusedOffline("get_logs"));
    await browser.screenshot("7-send-refused");
  });

  it("shows the global queue with the summary's totals, sortable by count and by age", async () => {
    const older = await api.createSite("Salle A", "Club Ancien");
    const fuller = await api.createSite("Salle B", "Club Chargé");
    const queue = (id: string, filename: string) =>
      api.post(`/api/sites/${id}/command`, { command: "delete_video", params: { filename } });
    await queue(older.id, "a.mp4");
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const name of ["b1.mp4", "b2.mp4", "b3.mp4"]) await queue(fuller.id, name);

    await page.getByRole("link", { name: "Queue globale" }).click();
    const order = () =>
      page
        .locator("table.data tbody tr")
        .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-site-id")));
    await poll(() => page.getByTestId("total-pending").textContent()).toBe("4");
    expect(await page.getByTestId("sites-with-pending").textContent()).toBe("2");
    await poll(order).toEqual([fuller.id, older.id]);

    await page.getByRole("button", { name: "Plus ancienne" }).click();
    await poll(order).toEqual([older.id, fuller.id]);
    expect(await page.locator("th[aria-sort='descending']").textContent()).toContain("Plus ancienne");
    await page.getByRole("button", { name: /Plus ancienne/ }).click();
    await poll(order).toEqual([fuller.id, older.id]);
    await page.getByRole("button", { name: /En attente/ }).click();
    await poll(order).toEqual([fuller.id, older.id]);
    await browser.screenshot("8-queue");

    // Live: a command queued elsewhere shows up in the totals without a reload.
    await queue(older.id, "c.mp4");
    await poll(() => page.getByTestId("total-pending").textContent()).toBe("5");
  });

  it("signs out, forgetting the token", async () => {
    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await page.getByLabel("Jeton d'opérateur").waitFor();
    expect(await page.evaluate('sessionStorage.getItem("neopro.operatorToken")')).toBeNull();
  });
});
