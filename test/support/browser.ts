// Headless Chromium for the dashboard's browser tests: Debian's chromium package driven by
// playwright-core (which downloads no browser of its own). CHROMIUM_PATH overrides the path.
// Every page records what a person would not want to see: uncaught exceptions, console
// errors, and server errors (5xx). A 4xx answer the app handles (401 before sign-in, 404 for
// a domain not checked yet) is logged by Chromium as "Failed to load resource"; those lines
// are not app errors and are left out, the responses themselves are checked instead.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { expect } from "chai";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`No Chromium at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH)`);
  // --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}

export interface WatchedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors, uncaught exceptions and 5xx responses seen so far. */
  readonly problems: string[];
}

export async function watchedPage(browser: Browser, options: { width?: number; height?: number; baseURL: string }): Promise<WatchedPage> {
  const context = await browser.newContext({
    baseURL: options.baseURL,
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    // The secret's copy button writes to the clipboard.
    permissions: ["clipboard-read", "clipboard-write"],
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) {
      problems.push(`console.error: ${message.text()}`);
    }
  });
  page.on("response", (response) => {
    if (response.status() >= 500) problems.push(`HTTP ${response.status()} for ${response.request().method()} ${response.url()}`);
  });
  return { context, page, problems };
}

/**
 * Registers, for the calling suite, the check after each test: a passing test leaves no problem
 * on its watched page (console errors, uncaught exceptions, 5xx); a failed test's are its own.
 * `watched` is read when each test ends, since suites make their page in a before hook.
 */
export function expectNoPageProblems(watched: () => WatchedPage): void {
  afterEach(function () {
    const w = watched();
    if (this.currentTest?.state === "passed") expect(w.problems, "console errors, uncaught exceptions, 5xx").to.deep.equal([]);
    w.problems.length = 0;
  });
}

/** Fills and sends the sign-in form (the caller waits for the page it expects next). */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * axe-core's WCAG 2.x A/AA rules on the page as it is now: fails on any serious or critical
 * violation, naming the rule and the elements. (Evaluated through the DevTools protocol, which
 * the page's Content-Security-Policy does not restrict.)
 */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  await page.evaluate(axeSource);
  // A string: the tests are type-checked without the DOM library.
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }).then((r) => r.violations)`,
  )) as AxeViolation[];
  const serious = violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")}`);
  expect(serious, `accessibility of ${what}`).to.deep.equal([]);
}
