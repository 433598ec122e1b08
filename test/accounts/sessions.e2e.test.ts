// Dashboard sessions over HTTP against real servers on PostgreSQL: sign-in and its cookie,
// CSRF on writes, an API key beating a cookie, the session as the actor of audit metadata,
// sign-out and sign-out everywhere across two processes, idle and absolute expiry, the sign-in
// rate limits and lockout.
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { expect } from "chai";
import { ManualClock } from "../../src/shared/clock.js";
import { expectError, UUID } from "../support/apiHelpers.js";
import { serve } from "../support/serveProcess.js";
import { apiClient, startTestServer, type ApiClient, type ApiResponse, type TestServer } from "../support/testServer.js";

const PASSWORD = "correct horse battery staple";
const MINUTE = 60_000;

interface SignedIn {
  readonly res: ApiResponse;
  /** `ssltrackr_session=...`, as a browser would send it back. */
  readonly cookie: string;
  readonly csrf: string;
  /** A client sending the cookie (and, with `csrf`, the CSRF token) on every request. */
  readonly client: (options?: { csrf?: string | null }) => ApiClient;
}

/** A client that adds `headers` to every request it makes. */
const withHeaders = (url: string, headers: Record<string, string>, key?: string): ApiClient => {
  const base = apiClient(url, key);
  return {
    request: (method, path, body, extra = {}) => base.request(method, path, body, { ...headers, ...extra }),
    get: (p) => base.request("GET", p, undefined, headers),
    post: (p, b) => base.request("POST", p, b, headers),
    put: (p, b) => base.request("PUT", p, b, headers),
    delete: (p) => base.request("DELETE", p, undefined, headers),
  };
};

const signInAt = (url: string, email: string, password: string, headers: Record<string, string> = {}) =>
  withHeaders(url, headers).post("/session", { email, password });

async function signIn(url: string, email: string, password = PASSWORD, headers: Record<string, string> = {}): Promise<SignedIn> {
  const res = await signInAt(url, email, password, headers);
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
  const csrf: string = res.body.csrf_token;
  return {
    res,
    cookie,
    csrf,
    client: ({ csrf: token = csrf } = {}) => withHeaders(url, { cookie, ...(token === null ? {} : { "x-csrf-token": token }) }),
  };
}

/** A user of `t` with a password; returns their e-mail address, id and first API key. */
async function makePerson(t: TestServer, now: Date, password = PASSWORD) {
  const email = `person-${randomUUID()}@example.com`;
  const { userId, key } = await t.createUser(email);
  await t.server.services.signIn.setPassword(email, password, now);
  return { email, userId, key };
}

describe("dashboard sessions (e2e)", function () {
  this.timeout(60_000);
  const clock = new ManualClock(new Date());
  let t: TestServer;

  const person = () => makePerson(t, clock.now());

  before(async () => {
    t = await startTestServer({
      clock,
      env: {
        SSLTRACKR_SESSION_IDLE_MINUTES: "30",
        SSLTRACKR_SESSION_ABSOLUTE_HOURS: "2",
        SSLTRACKR_SIGNIN_RATE_PER_IP: "1000",
        SSLTRACKR_SIGNIN_RATE_PER_ACCOUNT: "100",
        SSLTRACKR_SIGNIN_LOCKOUT_FAILURES: "3",
        SSLTRACKR_SIGNIN_LOCKOUT_MINUTES: "15",
      },
    });
  });
  after(() => t?.close());

  describe("signing in", () => {
    it("answers the user, a CSRF token and the session's end, and sets an HttpOnly, SameSite=Lax cookie for /", async () => {
      const { email, userId } = await person();
      const { res, cookie } = await signIn(t.url, email.toUpperCase());
      expect(res.body).to.have.all.keys("user", "csrf_token", "expires_at");
      expect(res.body.user).to.deep.equal({ id: userId, email });
      expect(res.body.csrf_token).to.match(/^[A-Za-z0-9_-]{43}$/);
      // The idle timeout (30 minutes) ends it first.
      expect(Date.parse(res.body.expires_at)).to.equal(clock.now().getTime() + 30 * MINUTE);
      const attributes = res.headers.get("set-cookie")!.split(";").map((a) => a.trim());
      expect(cookie).to.match(/^ssltrackr_session=[A-Za-z0-9_-]{43}$/);
      expect(attributes.slice(1)).to.have.members(["Path=/", "HttpOnly", "SameSite=Lax"]);
      expect(res.headers.get("set-cookie")).to.not.match(/Secure|Expires|Max-Age/i);
      expect(res.headers.get("cache-control")).to.equal("no-store");
    });

    it("answers a wrong password, an unknown address and a user without a password alike: 401, one message, no cookie", async () => {
      const { email } = await person();
      const passwordless = `nopassword-${randomUUID()}@example.com`;
      await t.createUser(passwordless);
      for (const [address, password] of [
        [email, "not the password at all"],
        [`nobody-${randomUUID()}@example.com`, PASSWORD],
        [passwordless, PASSWORD],
      ] as const) {
        const res = await signInAt(t.url, address, password);
        expectError(res, 401, "Invalid e-mail or password");
        expect(res.headers.get("set-cookie"), address).to.equal(null);
      }
    });

    it("refuses malformed sign-ins with 400 and non-JSON ones with 415, without a cookie", async () => {
      expectError(await t.client().post("/session", { email: "a@example.com" }), 400);
      expectError(await t.client().post("/session", { email: "a@example.com", password: "x", remember: true }), 400);
      const form = await t.client().request("POST", "/session", "email=a&password=b", { "content-type": "application/x-www-form-urlencoded" });
      expectError(form, 415);
      expect(form.headers.get("set-cookie")).to.equal(null);
    });

    it("GET /session answers the session of the cookie, and 401 without one, with a bad one, or with an API key only", async () => {
      const { email, key } = await person();
      const s = await signIn(t.url, email);
      const got = await s.client({ csrf: null }).get("/session");
      expect(got.status).to.equal(200);
      expect(got.headers.get("cache-control")).to.equal("no-store");
      expect(got.body).to.deep.equal({ ...s.res.body, expires_at: got.body.expires_at });
      expectError(await t.client().get("/session"), 401);
      expectError(await withHeaders(t.url, { cookie: `ssltrackr_session=${"A".repeat(43)}` }).get("/session"), 401);
      expectError(await withHeaders(t.url, { cookie: "ssltrackr_session=../../etc" }).get("/session"), 401);
      expectError(await t.client(key).get("/session"), 401);
    });
  });

  describe("acting with a session", () => {
    it("reads without a CSRF token and writes only with the session's own", async () => {
      const { email } = await person();
      const s = await signIn(t.url, email);
      const other = await signIn(t.url, (await person()).email);
      expect((await s.client({ csrf: null }).get("/domains")).status).to.equal(200);
      expectError(await s.client({ csrf: null }).post("/domains", { hostname: "csrf.example" }), 403, "CSRF token missing or invalid");
      expectError(await s.client({ csrf: other.csrf }).post("/domains", { hostname: "csrf.example" }), 403, "CSRF token missing or invalid");
      expectError(await s.client({ csrf: "" }).post("/domains", { hostname: "csrf.example" }), 403, "CSRF token missing or invalid");
      // As long as the real one in characters, not in bytes.
      expectError(await s.client({ csrf: "\u00e9".repeat(43) }).post("/domains", { hostname: "csrf.example" }), 403, "CSRF token missing or invalid");
      const created = await s.client().post("/domains", { hostname: "csrf.example" });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      expectError(await s.client({ csrf: null }).delete(`/domains/${created.body.id}`), 403, "CSRF token missing or invalid");
      expectError(await s.client({ csrf: null }).put(`/domains/${created.body.id}`, { notes: "x" }), 403, "CSRF token missing or invalid");
      expect((await s.client().delete(`/domains/${created.body.id}`)).status).to.be.oneOf([200, 204]);
    });

    it("acts with all of the user's permissions: creates and revokes API keys", async () => {
      const s = await signIn(t.url, (await person()).email);
      const created = await s.client().post("/api-keys", { label: "from the dashboard", permissions: ["read", "write"] });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      expect((await t.client(created.body.key).get("/domains")).status).to.equal(200);
      expect((await s.client().delete(`/api-keys/${created.body.id}`)).status).to.equal(200);
      expectError(await t.client(created.body.key).get("/domains"), 401);
    });

    it("names the session (not a key) in the audit metadata of what it does", async () => {
      const { email, userId } = await person();
      const s = await signIn(t.url, email);
      const created = await s.client().post("/domains", { hostname: "audited.example" });
      const history = await s.client().get(`/domains/${created.body.id}/history`);
      const [added] = history.body.data;
      const session = await t.db.pool.query<{ id: string }>("select id from user_sessions where user_id = $1", [userId]);
      expect(added).to.include({ type: "DomainAdded", user_id: userId, api_key_id: null, session_id: session.rows[0]!.id });
      expect(added.session_id).to.match(UUID);
    });

    it("lets an API key win over a cookie: the key acts, needs no CSRF token, and a bad key is refused whatever the cookie", async () => {
      const { email, key } = await person();
      const s = await signIn(t.url, email);
      const both = withHeaders(t.url, { cookie: s.cookie }, key);
      const created = await both.post("/domains", { hostname: "keyed.example" });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const [added] = (await both.get(`/domains/${created.body.id}/history`)).body.data;
      expect(added.api_key_id).to.match(UUID);
      expect(added.session_id).to.equal(null);
      expectError(await withHeaders(t.url, { cookie: s.cookie, "x-csrf-token": s.csrf }, "ssa_live_not-a-key").get("/domains"), 401);
      expectError(await withHeaders(t.url, { cookie: s.cookie, authorization: "Basic eDp5" }).get("/domains"), 401);
    });
  });

  describe("signing out", () => {
    it("DELETE /session needs the CSRF token, ends only that session and clears the cookie", async () => {
      const { email } = await person();
      const first = await signIn(t.url, email);
      const second = await signIn(t.url, email);
      expectError(await first.client({ csrf: null }).delete("/session"), 403);
      const out = await first.client().delete("/session");
      expect(out.status).to.equal(204);
      expect(out.headers.get("set-cookie")).to.match(/^ssltrackr_session=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/);
      expectError(await first.client().get("/session"), 401);
      expectError(await first.client().get("/domains"), 401);
      expect((await second.client().get("/session")).status).to.equal(200);
      // The next sign-in clears the ended session away; the live one stays.
      const third = await signIn(t.url, email);
      const rows = await t.db.pool.query<{ id: string }>("select s.id from user_sessions s join users u on u.id = s.user_id where u.email = $1", [email]);
      expect(rows.rows).to.have.length(2);
      expect((await third.client().get("/session")).status).to.equal(200);
    });

    it("DELETE /session with an API key is a 401: there is no session to end", async () => {
      expectError(await t.client((await person()).key).delete("/session"), 401);
    });
  });

  describe("expiry", () => {
    it("ends a session after the idle timeout, and keeps it while it is used", async () => {
      const s = await signIn(t.url, (await person()).email);
      clock.advance(29 * MINUTE);
      const kept = await s.client().get("/session");
      expect(kept.status).to.equal(200);
      expect(Date.parse(kept.body.expires_at)).to.equal(clock.now().getTime() + 30 * MINUTE);
      clock.advance(29 * MINUTE);
      expect((await s.client().get("/domains")).status).to.equal(200);
      clock.advance(30 * MINUTE + 1000);
      expectError(await s.client().get("/session"), 401);
    });

    it("ends a session at its absolute end however active, and says so in expires_at", async () => {
      const s = await signIn(t.url, (await person()).email);
      const signedInAt = clock.now().getTime();
      for (let minutes = 20; minutes < 120; minutes += 20) {
        clock.advance(20 * MINUTE);
        expect((await s.client().get("/session")).status, `${minutes} minutes in`).to.equal(200);
      }
      clock.advance(10 * MINUTE);
      const last = await s.client().get("/session");
      expect(Date.parse(last.body.expires_at)).to.equal(signedInAt + 120 * MINUTE);
      clock.advance(10 * MINUTE);
      expectError(await s.client().get("/session"), 401);
    });
  });

  describe("lockout", () => {
    it("locks an address after 3 consecutive failures for 15 minutes, whatever the password; others are unaffected", async () => {
      const { email } = await person();
      const neighbour = await person();
      for (let i = 0; i < 3; i++) expectError(await signInAt(t.url, email, `wrong password ${i}`), 401);
      const locked = await signInAt(t.url, email, PASSWORD);
      expectError(locked, 429);
      expect(Number(locked.headers.get("retry-after"))).to.be.within(899, 900);
      expect(locked.headers.get("set-cookie")).to.equal(null);
      await signIn(t.url, neighbour.email);
      clock.advance(14 * MINUTE);
      expectError(await signInAt(t.url, email, PASSWORD), 429);
      clock.advance(MINUTE + 1000);
      await signIn(t.url, email);
    });

    it("counts only consecutive failures: a success starts the count again", async () => {
      const { email } = await person();
      for (let i = 0; i < 2; i++) expectError(await signInAt(t.url, email, "wrong password"), 401);
      await signIn(t.url, email);
      for (let i = 0; i < 2; i++) expectError(await signInAt(t.url, email, "wrong password"), 401);
      await signIn(t.url, email);
    });

    it("forgets failures older than a lockout period: old typos do not add up, and their rows go", async () => {
      const { email } = await person();
      const typo = `typo-${randomUUID()}@example.com`;
      expectError(await signInAt(t.url, typo, PASSWORD), 401);
      for (let i = 0; i < 2; i++) expectError(await signInAt(t.url, email, "wrong password"), 401);
      clock.advance(15 * MINUTE + 1000);
      for (let i = 0; i < 2; i++) expectError(await signInAt(t.url, email, "wrong password"), 401);
      await signIn(t.url, email);
      const left = await t.db.pool.query("select 1 from sign_in_failures where email = $1", [typo]);
      expect(left.rowCount).to.equal(0);
    });

    it("locks an unknown address exactly like a known one", async () => {
      const nobody = `nobody-${randomUUID()}@example.com`;
      for (let i = 0; i < 3; i++) expectError(await signInAt(t.url, nobody, PASSWORD), 401, "Invalid e-mail or password");
      expectError(await signInAt(t.url, nobody, PASSWORD), 429);
    });
  });
});

describe("sign-in rate limits, TLS behind a proxy (e2e)", function () {
  this.timeout(60_000);
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      env: {
        SSLTRACKR_SIGNIN_RATE_PER_IP: "6",
        SSLTRACKR_SIGNIN_RATE_PER_ACCOUNT: "2",
        SSLTRACKR_SIGNIN_LOCKOUT_FAILURES: "100",
        SSLTRACKR_TRUST_PROXY: "loopback",
      },
    });
  });
  after(() => t?.close());

  it("allows 2 attempts a minute per address, then 429 with Retry-After even for the right password", async () => {
    const email = `limited-${randomUUID()}@example.com`;
    await t.createUser(email);
    await t.server.services.signIn.setPassword(email, PASSWORD, new Date());
    const ip = { "x-forwarded-for": "198.51.100.1" };
    expectError(await signInAt(t.url, email, "wrong password", ip), 401);
    await signIn(t.url, email, PASSWORD, ip);
    const refused = await signInAt(t.url, email, PASSWORD, ip);
    expectError(refused, 429);
    expect(Number(refused.headers.get("retry-after"))).to.be.within(1, 60);
  });

  it("allows 6 attempts a minute per client address (as the trusted proxy reports it), then 429 for any address", async () => {
    const from = (ip: string) => ({ "x-forwarded-for": ip });
    for (let i = 0; i < 6; i++) expectError(await signInAt(t.url, `ip-${i}-${randomUUID()}@example.com`, PASSWORD, from("198.51.100.7")), 401);
    expectError(await signInAt(t.url, `ip-late-${randomUUID()}@example.com`, PASSWORD, from("198.51.100.7")), 429);
    expectError(await signInAt(t.url, `ip-other-${randomUUID()}@example.com`, PASSWORD, from("198.51.100.8")), 401);
  });

  it("counts an IPv6 /64 as one client: a fresh address per attempt does not escape the limit", async () => {
    const from = (ip: string) => ({ "x-forwarded-for": ip });
    for (let i = 1; i <= 6; i++) expectError(await signInAt(t.url, `v6-${randomUUID()}@example.com`, PASSWORD, from(`2001:db8:5:6::${i}`)), 401);
    expectError(await signInAt(t.url, `v6-${randomUUID()}@example.com`, PASSWORD, from("2001:db8:5:6:ffff:1:2:3")), 429);
    expectError(await signInAt(t.url, `v6-${randomUUID()}@example.com`, PASSWORD, from("2001:db8:5:7::1")), 401);
  });

  it("marks the cookie Secure when the trusted proxy says the request came over TLS", async () => {
    const email = `secure-${randomUUID()}@example.com`;
    await t.createUser(email);
    await t.server.services.signIn.setPassword(email, PASSWORD, new Date());
    const { res } = await signIn(t.url, email, PASSWORD, { "x-forwarded-proto": "https", "x-forwarded-for": "198.51.100.20" });
    expect(res.headers.get("set-cookie")).to.match(/; Secure(;|$)/);
  });
});

describe("sign-out everywhere, across two app processes (e2e)", function () {
  this.timeout(60_000);
  let t: TestServer;
  let peer: { child: ChildProcess; url: string };
  before(async () => {
    t = await startTestServer();
    peer = await serve(t.db.url);
  });
  after(async () => {
    if (peer && peer.child.exitCode === null) {
      peer.child.kill("SIGTERM");
      await once(peer.child, "exit");
    }
    await t?.close();
  });
  const person = () => makePerson(t, new Date());

  it("ends every session of the user in both processes, not other users' nor the API keys", async () => {
    const { email, key } = await person();
    const here = await signIn(t.url, email);
    const there = await signIn(peer.url, email);
    const bystander = await signIn(peer.url, (await person()).email);
    // Each process honours the other's sessions.
    expect((await withHeaders(peer.url, { cookie: here.cookie }).get("/session")).status).to.equal(200);
    expect((await withHeaders(t.url, { cookie: there.cookie }).get("/session")).status).to.equal(200);
    expectError(await there.client({ csrf: null }).post("/session/revoke-all"), 403);
    expect((await there.client().post("/session/revoke-all")).status).to.equal(204);
    for (const url of [t.url, peer.url]) {
      expectError(await withHeaders(url, { cookie: here.cookie }).get("/domains"), 401);
      expectError(await withHeaders(url, { cookie: there.cookie }).get("/session"), 401);
      expect((await withHeaders(url, { cookie: bystander.cookie }).get("/session")).status).to.equal(200);
    }
    expect((await t.client(key).get("/domains")).status).to.equal(200);
  });

  it("works with an API key too (write permission), and a new password ends every session", async () => {
    const { email, key } = await person();
    const s = await signIn(peer.url, email);
    const readOnly = await t.client(key).post("/api-keys", { label: "read", permissions: ["read"] });
    expectError(await t.client(readOnly.body.key).post("/session/revoke-all"), 403);
    expect((await t.client(key).post("/session/revoke-all")).status).to.equal(204);
    expectError(await s.client().get("/session"), 401);
    const again = await signIn(t.url, email);
    await t.server.services.signIn.setPassword(email, "another long enough password", new Date());
    expectError(await withHeaders(peer.url, { cookie: again.cookie }).get("/session"), 401);
    expectError(await signInAt(t.url, email, PASSWORD), 401);
    await signIn(t.url, email, "another long enough password");
  });
});
