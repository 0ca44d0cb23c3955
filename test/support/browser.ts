import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { makeTempDir, removeDir } from "./fixtures.js";
import { REPO_ROOT } from "./processes.js";

/** Debian's Chromium (`apt-get install chromium`); CHROMIUM_PATH points elsewhere. */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Without the background-networking flags Chromium keeps trying to reach
 * Google's services, which floods a closed network with refused connections.
 */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const SCREENSHOT_DIR = join(REPO_ROOT, ".test-artifacts/screenshots");

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Saves a full-page screenshot as .test-artifacts/screenshots/<name>.png. */
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** A headless Chromium with a new, empty profile (user data dir), removed on close. */
export async function launchBrowser(): Promise<TestBrowser> {
  const userDataDir = await makeTempDir("cq-chromium-");
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1360, height: 900 },
    locale: "fr-FR",
    timezoneId: "Europe/Paris",
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return {
    context,
    page,
    async screenshot(name) {
      await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
    },
    async close() {
      await context.close();
      await removeDir(userDataDir);
    },
  };
}
