// The domains table in a real browser (issue 16): paging, sorting by a column header and
// deleting selected rows, against a real server on a test database. More domains than a page
// holds, each with its own certificate and registration expiry, so every sort order is
// different; the checks answer from fixtures (checkFixtures) instead of the network, as the
// orders need expiries no local TLS server could give quickly. Needs the built app
// (npm run build: dist/web); dashboard.browser.test.ts covers the rest of the dashboard.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { expectNoPageProblems, launchChromium, signIn, watchedPage, type WatchedPage } from "../support/browser.js";
import { registrationCheckOk, sslCheckOk } from "../support/checkFixtures.js";
import { startTestServer, type ApiClient, type TestServer } from "../support/testServer.js";
import type { Checkers } from "../../src/monitoring/checkers.js";
import { defaultWebAppDir } from "../../src/app/webAppRoutes.js";
import { DAY_MS } from "../../src/shared/clock.js";

const EMAIL = "lists@example.com";
const PASSWORD = "correct horse battery staple";
const PER_PAGE = 25; // the page's, Domains.tsx

/**
 * 28 domains (two pages): certificate days 11..38 in an order unlike the names' (11 is prime to
 * 29), and every fourth registration sooner than its certificate. The quarter and half days keep
 * every expiry distinct, so no order depends on the tie-break.
 */
const SEED = Array.from({ length: 28 }, (_, k) => {
  const i = k + 1;
  const ssl = 10 + ((11 * i) % 29);
  const whois = i % 4 === 0 ? 5 + i : 365;
  return { hostname: `site-${String(i).padStart(2, "0")}.test`, ssl: ssl + 0.5, whois: whois + 0.25 };
});
const seedOf = new Map(SEED.map((s) => [s.hostname, s]));
type Seed = (typeof SEED)[number];
const soonest = (s: Seed) => Math.min(s.ssl, s.whois);

/** Hostnames of `seeds` by `key`, rising or falling. */
function ordered(seeds: readonly Seed[], key: (s: Seed) => number | string, order: "asc" | "desc"): string[] {
  const sorted = [...seeds].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return (order === "asc" ? sorted : sorted.reverse()).map((s) => s.hostname);
}

/** Certificates and registrations expiring as SEED says, from the moment of the check. */
const seededCheckers: Checkers = {
  ssl: async (target) => {
    const now = new Date();
    const days = seedOf.get(target.hostname)?.ssl ?? 90.5;
    const validTo = new Date(now.getTime() + days * DAY_MS).toISOString();
    const ok = sslCheckOk({ ...target, now });
    return { ...ok, valid_to: validTo, days_remaining: Math.floor(days), earliest_expiry: { ...ok.earliest_expiry, valid_to: validTo, days_remaining: Math.floor(days) } };
  },
  registration: async (hostname) => {
    const now = new Date();
    const days = seedOf.get(hostname)?.whois ?? 365;
    const expiry = new Date(now.getTime() + days * DAY_MS).toISOString();
    return registrationCheckOk({ hostname, now }, { expiry_date: expiry, registry_expiry_date: expiry, days_remaining: Math.floor(days) });
  },
};

/** The hostnames the table shows once they are `expected`; what it shows after 5 s if never. */
async function shownHostnames(page: Page, expected: readonly string[]): Promise<string[]> {
  const read = () => page.locator("table.domains tbody th[scope=row] a").allTextContents();
  let shown = await read();
  for (const until = Date.now() + 5_000; JSON.stringify(shown) !== JSON.stringify(expected) && Date.now() < until; shown = await read()) {
    await page.waitForTimeout(50);
  }
  return shown;
}

describe("Domains table in a browser: paging, sorting, deleting (Chromium)", function () {
  this.timeout(60_000);
  let t: TestServer;
  let withKey: ApiClient;
  let browser: Browser;
  let w: WatchedPage;
  let page: Page;

  const pager = () => page.getByRole("navigation", { name: "Domains pages" });
  const expectRows = async (expected: readonly string[]) => expect(await shownHostnames(page, expected)).to.deep.equal(expected);
  const sortBy = (column: string) => page.getByRole("columnheader", { name: column }).getByRole("button").click();

  before(async function () {
    this.timeout(60_000);
    if (!existsSync(join(defaultWebAppDir(), "index.html"))) throw new Error("dist/web is not built: run `npm run build` first");
    t = await startTestServer({ checkers: seededCheckers, env: { SSLTRACKR_CHECK_ON_CREATE: "true" } });
    const { key } = await t.createUser(EMAIL);
    await t.server.services.signIn.setPassword(EMAIL, PASSWORD, new Date());
    withKey = t.client(key);
    // One at a time: each is checked in the background on creation (a bulk add leaves them to
    // the scheduler). Then wait until every domain has both expiries.
    for (const { hostname } of SEED) expect((await withKey.post("/domains", { hostname })).status).to.equal(201);
    for (let i = 0; ; i++) {
      const { body } = await withKey.get("/domains?per_page=100");
      if (body.data.every((d: { ssl_days_remaining: number | null; whois_days_remaining: number | null }) => d.ssl_days_remaining !== null && d.whois_days_remaining !== null)) break;
      expect(i, "the domains are checked on creation").to.be.below(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    browser = await launchChromium();
    w = await watchedPage(browser, { baseURL: t.url });
    page = w.page;
    await page.goto("/");
    await signIn(page, EMAIL, PASSWORD);
    await page.getByRole("heading", { name: "Domains", level: 1 }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await t?.close();
  });

  expectNoPageProblems(() => w);

  it("pages through more domains than a page holds, with the right rows and counts", async () => {
    const bySoonest = ordered(SEED, soonest, "asc");
    await expectRows(bySoonest.slice(0, PER_PAGE));
    await pager().getByText("Page 1 of 2 (28 in all)").waitFor();
    expect(await pager().getByRole("button", { name: "Previous" }).isDisabled()).to.equal(true);

    await pager().getByRole("button", { name: "Next" }).click();
    await expectRows(bySoonest.slice(PER_PAGE));
    await pager().getByText("Page 2 of 2 (28 in all)").waitFor();
    expect(await pager().getByRole("button", { name: "Next" }).isDisabled()).to.equal(true);
    expect(new URL(page.url()).searchParams.get("page")).to.equal("2");

    await pager().getByRole("button", { name: "Previous" }).click();
    await expectRows(bySoonest.slice(0, PER_PAGE));
    await pager().getByText("Page 1 of 2 (28 in all)").waitFor();
  });

  it("sorts by a column header, each way, across the pages", async () => {
    const header = (column: string) => page.getByRole("columnheader", { name: column });
    // Soonest expiry (certificate or registration) first by default; clicked, last first.
    await sortBy("Days left");
    await expectRows(ordered(SEED, soonest, "desc").slice(0, PER_PAGE));
    expect(await header("Days left").getAttribute("aria-sort")).to.equal("descending");

    await sortBy("Certificate");
    await expectRows(ordered(SEED, (s) => s.ssl, "asc").slice(0, PER_PAGE));
    expect(await header("Certificate").getAttribute("aria-sort")).to.equal("ascending");
    expect(await header("Days left").getAttribute("aria-sort")).to.equal("none");
    await sortBy("Certificate");
    await expectRows(ordered(SEED, (s) => s.ssl, "desc").slice(0, PER_PAGE));
    expect(await header("Certificate").getAttribute("aria-sort")).to.equal("descending");

    await sortBy("Hostname");
    await expectRows(ordered(SEED, (s) => s.hostname, "asc").slice(0, PER_PAGE));
    await sortBy("Hostname");
    const byNameDown = ordered(SEED, (s) => s.hostname, "desc");
    await expectRows(byNameDown.slice(0, PER_PAGE));
    expect(await header("Hostname").getAttribute("aria-sort")).to.equal("descending");
    // The next page continues the same order.
    await pager().getByRole("button", { name: "Next" }).click();
    await expectRows(byNameDown.slice(PER_PAGE));
    // A new order starts again on the first page.
    await sortBy("Hostname");
    await expectRows(ordered(SEED, (s) => s.hostname, "asc").slice(0, PER_PAGE));
    await pager().getByText("Page 1 of 2").waitFor();
  });

  it("deletes the selected domains once confirmed: gone from the table and from the API", async () => {
    await page.goto("/?sort=hostname&order=asc");
    const byName = ordered(SEED, (s) => s.hostname, "asc");
    await expectRows(byName.slice(0, PER_PAGE));
    const doomed = ["site-03.test", "site-11.test"];
    for (const hostname of doomed) await page.getByLabel(`Select ${hostname}`).check();
    await page.getByRole("region", { name: "Selected domains" }).getByText("2 selected").waitFor();

    // Cancelled: nothing is deleted.
    const asked: string[] = [];
    page.once("dialog", (dialog) => void (asked.push(dialog.message()), dialog.dismiss()));
    await page.getByRole("button", { name: "Delete" }).click();
    expect(asked).to.deep.equal(["Delete 2 domain(s)? Their history is kept."]);
    expect((await withKey.get("/domains?per_page=100")).body.pagination.total).to.equal(28);

    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("status").filter({ hasText: "Deleted: 2 domains." }).waitFor();
    const left = byName.filter((h) => !doomed.includes(h));
    await expectRows(left.slice(0, PER_PAGE));
    await pager().getByText("Page 1 of 2 (26 in all)").waitFor();
    const listed = await withKey.get("/domains?per_page=100");
    expect(listed.body.pagination.total).to.equal(26);
    expect(listed.body.data.map((d: { hostname: string }) => d.hostname).sort()).to.deep.equal(left);
  });

  it("deleting the last page's only row shows the page before it", async () => {
    // The 26 domains the test above left: the second page holds one.
    await pager().getByRole("button", { name: "Next" }).click();
    await expectRows(["site-28.test"]);
    await page.getByLabel("Select site-28.test").check();
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("status").filter({ hasText: "Deleted: 1 domain." }).waitFor();
    // 25 left: one page, the first.
    await expectRows(ordered(SEED, (s) => s.hostname, "asc").filter((h) => !["site-03.test", "site-11.test", "site-28.test"].includes(h)));
    expect(await pager().count(), "no pager for a single page").to.equal(0);
  });
});
