// Revocation look-ups against local servers: TLS servers whose leaves name a local CRL server
// and OCSP responder (CRL Distribution Points, AIA OCSP), with CRLs and OCSP answers made by
// the test PKI's openssl CA. Each case checks what the result says and what was fetched; the
// last, that the look-ups wait at the per-address politeness gate as the checks' connections do.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import type { Knex } from "knex";
import { checkSsl, RevocationCache, sslCheckResultSchema, type RevocationSettings, type SslCheckOk, type SslCheckResult } from "../../../src/checkers/ssl/index.js";
import { ensureConnectionGateTables, PostgresConnectionGate } from "../../../src/infrastructure/network/connectionGate.js";
import { createKnex } from "../../../src/infrastructure/postgres/knex.js";
import { checkersFromConfig } from "../../../src/monitoring/checkers.js";
import { systemClock } from "../../../src/shared/clock.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { createPki, startTlsServer, type CertificateAuthority, type CertSpec, type IssuedCert, type Pki, type RunningServer } from "../../support/pki.js";
import { startRevocationServer, type RevocationServer } from "../../support/revocationServers.js";
import { testConfig } from "../../support/testServer.js";

const DAY_MS = 86_400_000;
// Whole seconds; taken again when the suite starts, since openssl stamps OCSP answers with the real time.
const wholeSecondsNow = () => new Date(Math.floor(Date.now() / 1000) * 1000);
let NOW = wholeSecondsNow();
const at = (ms: number) => new Date(NOW.getTime() + ms);

function ok(result: SslCheckResult): SslCheckOk {
  sslCheckResultSchema.parse(result);
  if (result.outcome !== "ok") throw new Error(`check failed: ${result.reason}: ${result.message}`);
  return result;
}

const revocationOf = (r: SslCheckOk) => ({ revocation: r.revocation, source: r.revocation_source, reason: r.revocation_reason, revoked_at: r.revoked_at });

describe("revocation look-ups (CRL, OCSP) against local servers", function () {
  this.timeout(60_000);

  let pki: Pki;
  let root: CertificateAuthority;
  let ca: CertificateAuthority;
  /** Another CA with the same name as `ca` but its own key: what it signs must not be believed. */
  let impostor: CertificateAuthority;
  let http: RevocationServer;
  const servers: RunningServer[] = [];
  let path = 0;
  const nextPath = (what: string) => `/${what}${++path}`;

  function settings(extra: Partial<RevocationSettings> = {}): RevocationSettings {
    return { ocspQueries: true, maxCrlBytes: 1024 * 1024, cache: new RevocationCache(), fetch: { allowPrivateTargets: true, timeoutMs: 3000 }, ...extra };
  }

  async function leafFor(name: string, spec: Partial<CertSpec> = {}): Promise<IssuedCert> {
    return pki.createLeaf(ca, { cn: name, sans: [name], ...spec });
  }

  async function check(name: string, leaf: IssuedCert, revocation: RevocationSettings, extra: { now?: Date; lightFrom?: SslCheckOk } = {}): Promise<SslCheckOk> {
    const server = await startTlsServer({ leaf, chain: [ca], hsts: "max-age=31536000" });
    servers.push(server);
    const options = { allowPrivateTargets: true, resolveOverrides: new Map([[name, [server.host]]]), timeoutMs: 3000, now: extra.now ?? NOW, extraCa: [root.certPem], revocation };
    return ok(await checkSsl({ hostname: name, port: server.port }, extra.lightFrom ? { ...options, lightFrom: { ...extra.lightFrom, port: server.port } } : options));
  }

  before(async () => {
    NOW = wholeSecondsNow();
    pki = await createPki();
    root = await pki.createRootCa({ cn: "Revocation Test Root" });
    ca = await pki.createIntermediateCa(root, { cn: "Revocation Test CA" });
    impostor = await pki.createRootCa({ cn: "Revocation Test CA" });
    http = await startRevocationServer();
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  after(async () => {
    await http.close();
    await pki.cleanup();
  });

  describe("CRLs", () => {
    it("revoked: the serial is on the issuer's CRL; reason and date are reported, the grade is F", async () => {
      const crlPath = nextPath("ca.crl");
      const leaf = await leafFor("crl-revoked.test", { crlUrl: http.url(crlPath) });
      await pki.revoke(ca, leaf, "keyCompromise");
      http.route(crlPath, { crl: await pki.crl(ca) });
      const r = await check("crl-revoked.test", leaf, settings());
      expect(revocationOf(r)).to.deep.include({ revocation: "revoked", source: "crl", reason: "keyCompromise" });
      expect(Math.abs(Date.parse(r.revoked_at!) - Date.now())).to.be.below(5 * 60_000);
      expect(r).to.deep.include({ grade: "F", grade_trust_ignored: "A+", chain_valid: false });
      expect(r.chain_errors.map((e) => e.reason)).to.deep.equal(["revoked"]);
      expect(r.endpoints[0]).to.deep.include({ revocation: "revoked", revocation_source: "crl" });
    });

    it("good: a current CRL that does not list the serial; the CRL is fetched once for every certificate until its nextUpdate", async () => {
      const crlPath = nextPath("ca.crl");
      const [a, b] = await Promise.all([leafFor("crl-good-a.test", { crlUrl: http.url(crlPath) }), leafFor("crl-good-b.test", { crlUrl: http.url(crlPath) })]);
      const nextUpdate = at(2 * 3_600_000);
      http.route(crlPath, { crl: await pki.crl(ca, { nextUpdate }) });
      const shared = settings();
      expect(revocationOf(await check("crl-good-a.test", a, shared))).to.deep.equal({ revocation: "good", source: "crl", reason: null, revoked_at: null });
      expect(revocationOf(await check("crl-good-b.test", b, shared))).to.deep.include({ revocation: "good", source: "crl" });
      expect((await check("crl-good-a.test", a, shared, { now: at(3_600_000) })).revocation).to.equal("good");
      expect(http.requests(crlPath)).to.equal(1);
      // Past nextUpdate the copy is stale: fetched again (and this one, now expired too, is not believed).
      const later = await check("crl-good-a.test", a, shared, { now: at(3 * 3_600_000) });
      expect(http.requests(crlPath)).to.equal(2);
      expect(later.revocation_reason).to.match(/CRL expired at/);
    });

    it("an expired CRL is not believed: unknown with the reason, and the check still succeeds", async () => {
      const crlPath = nextPath("expired.crl");
      const leaf = await leafFor("crl-expired.test", { crlUrl: http.url(crlPath) });
      await pki.revoke(ca, leaf);
      http.route(crlPath, { crl: await pki.crl(ca, { lastUpdate: at(-3 * DAY_MS), nextUpdate: at(-DAY_MS) }) });
      const r = await check("crl-expired.test", leaf, settings());
      expect(r).to.deep.include({ revocation: "unknown", revocation_source: null, revoked_at: null, grade: "A+" });
      expect(r.revocation_reason).to.equal(`CRL ${http.url(crlPath)}: the CRL expired at ${at(-DAY_MS).toISOString()} (its nextUpdate)`);
    });

    it("a CRL signed by another key under the issuer's name is not believed, even when it lists the serial", async () => {
      const crlPath = nextPath("forged.crl");
      const leaf = await leafFor("crl-forged.test", { crlUrl: http.url(crlPath) });
      const twin = await pki.createLeaf(impostor, { cn: "twin.test", serial: leaf.x509.serialNumber });
      await pki.revoke(impostor, twin);
      http.route(crlPath, { crl: await pki.crl(impostor) });
      const r = await check("crl-forged.test", leaf, settings());
      expect(r.revocation).to.equal("unknown");
      expect(r.revocation_reason).to.contain("the CRL's signature does not verify with the issuer's key");
      expect(r.chain_valid).to.equal(true);
    });

    it("an oversized CRL is not read past the cap; a failing or absent server leaves revocation unknown", async () => {
      const big = nextPath("big.crl");
      const leaf = await leafFor("crl-big.test", { crlUrl: http.url(big) });
      http.route(big, { bytes: 4096 });
      const r = await check("crl-big.test", leaf, settings({ maxCrlBytes: 2048 }));
      expect(r.revocation).to.equal("unknown");
      expect(r.revocation_reason).to.equal(`CRL ${http.url(big)}: 4096 bytes is over the 2048-byte limit`);
      // Without a Content-Length, reading stops at the cap.
      http.route(big, { bytes: 4096, chunked: true });
      const chunked = await check("crl-big.test", leaf, settings({ maxCrlBytes: 2048 }));
      expect(chunked.revocation_reason).to.equal(`CRL ${http.url(big)}: the answer is over the 2048-byte limit`);
      // Just under the cap it is read (and is no CRL).
      http.route(big, { bytes: 2048 });
      expect((await check("crl-big.test", leaf, settings({ maxCrlBytes: 2048 }))).revocation_reason).to.match(/^CRL .*DER/);

      const failing = nextPath("failing.crl");
      const broken = await leafFor("crl-failing.test", { crlUrl: http.url(failing) });
      http.route(failing, { status: 500 });
      const f = await check("crl-failing.test", broken, settings());
      expect(f).to.deep.include({ revocation: "unknown", revocation_reason: `CRL ${http.url(failing)}: HTTP 500`, grade: "A+" });

      const refused = await leafFor("crl-refused.test", { crlUrl: "http://127.0.0.1:1/ca.crl" });
      expect((await check("crl-refused.test", refused, settings())).revocation_reason).to.equal("CRL http://127.0.0.1:1/ca.crl: ECONNREFUSED");
    });

    it("a failure is remembered for a few minutes: the failing server is not asked by every check", async () => {
      const failing = nextPath("flaky.crl");
      const leaf = await leafFor("crl-flaky.test", { crlUrl: http.url(failing) });
      http.route(failing, { status: 503 });
      const shared = settings();
      await check("crl-flaky.test", leaf, shared);
      await check("crl-flaky.test", leaf, shared, { now: at(60_000) });
      expect(http.requests(failing)).to.equal(1);
      http.route(failing, { crl: await pki.crl(ca) });
      expect((await check("crl-flaky.test", leaf, shared, { now: at(6 * 60_000) })).revocation).to.equal("good");
      expect(http.requests(failing)).to.equal(2);
    });

    it("the SSRF guard applies to CRL URLs: a private address is refused unless private targets are allowed", async () => {
      const crlPath = nextPath("private.crl");
      const leaf = await leafFor("crl-private.test", { crlUrl: http.url(crlPath) });
      http.route(crlPath, { crl: await pki.crl(ca) });
      const r = await check("crl-private.test", leaf, settings({ fetch: { allowPrivateTargets: false, timeoutMs: 3000 } }));
      expect(r.revocation).to.equal("unknown");
      expect(r.revocation_reason).to.contain("non-public address 127.0.0.1");
      expect(http.requests(crlPath)).to.equal(0);
    });
  });

  describe("OCSP responders", () => {
    const responder = (issuer: CertificateAuthority) => ({ ocsp: (request: Buffer) => pki.answerOcsp(issuer, request) });

    it("asks the AIA responder (POST): revoked with reason, and good for another certificate", async () => {
      const ocspPath = nextPath("ocsp");
      http.route(ocspPath, responder(ca));
      const leaf = await leafFor("ocsp-revoked.test", { ocspUrl: http.url(ocspPath) });
      await pki.revoke(ca, leaf, "superseded");
      const r = await check("ocsp-revoked.test", leaf, settings());
      expect(revocationOf(r)).to.deep.include({ revocation: "revoked", source: "ocsp", reason: "superseded" });
      expect(r.grade).to.equal("F");

      const fine = await leafFor("ocsp-good.test", { ocspUrl: http.url(ocspPath) });
      expect(revocationOf(await check("ocsp-good.test", fine, settings()))).to.deep.equal({ revocation: "good", source: "ocsp", reason: null, revoked_at: null });
      expect(http.requests(ocspPath)).to.equal(2);
    });

    it("a CRL answers first; OCSP is asked when the CRL cannot answer", async () => {
      const ocspPath = nextPath("ocsp");
      const crlPath = nextPath("down.crl");
      http.route(ocspPath, responder(ca));
      http.route(crlPath, { status: 404 });
      const leaf = await leafFor("both.test", { crlUrl: http.url(crlPath), ocspUrl: http.url(ocspPath) });
      const r = await check("both.test", leaf, settings());
      expect(revocationOf(r)).to.deep.include({ revocation: "good", source: "ocsp" });
      expect([http.requests(crlPath), http.requests(ocspPath)]).to.deep.equal([1, 1]);
    });

    it("OCSP queries can be turned off: nothing is asked, and the reason says so", async () => {
      const ocspPath = nextPath("ocsp");
      http.route(ocspPath, responder(ca));
      const leaf = await leafFor("ocsp-off.test", { ocspUrl: http.url(ocspPath) });
      const r = await check("ocsp-off.test", leaf, settings({ ocspQueries: false }));
      expect(r).to.deep.include({ revocation: "unknown", revocation_reason: "OCSP queries are turned off" });
      expect(http.requests(ocspPath)).to.equal(0);
    });

    it("an answer signed by another key is not believed; a failing responder leaves revocation unknown", async () => {
      const forged = nextPath("ocsp");
      http.route(forged, responder(impostor));
      const leaf = await leafFor("ocsp-forged.test", { ocspUrl: http.url(forged) });
      const r = await check("ocsp-forged.test", leaf, settings());
      expect(r.revocation).to.equal("unknown");
      expect(r.revocation_reason).to.contain("signature does not verify");

      const failing = nextPath("ocsp");
      http.route(failing, { status: 500 });
      const other = await leafFor("ocsp-failing.test", { ocspUrl: http.url(failing) });
      expect((await check("ocsp-failing.test", other, settings())).revocation_reason).to.equal(`OCSP ${http.url(failing)}: HTTP 500`);
    });

    it("a good answer is reused until its nextUpdate", async () => {
      const ocspPath = nextPath("ocsp");
      http.route(ocspPath, responder(ca));
      const leaf = await leafFor("ocsp-cached.test", { ocspUrl: http.url(ocspPath) });
      const shared = settings();
      await check("ocsp-cached.test", leaf, shared);
      await check("ocsp-cached.test", leaf, shared, { now: at(3_600_000) });
      expect(http.requests(ocspPath)).to.equal(1);
      await check("ocsp-cached.test", leaf, shared, { now: at(DAY_MS + 60_000) }); // openssl's -ndays 1
      expect(http.requests(ocspPath)).to.equal(2);
    });
  });

  describe("stapled responses and expiry checks", () => {
    it("a staple signed by another key is not believed: the CRL answers instead", async () => {
      const crlPath = nextPath("ca.crl");
      const leaf = await leafFor("staple-forged.test", { crlUrl: http.url(crlPath) });
      const twin = await pki.createLeaf(impostor, { cn: "twin2.test", serial: leaf.x509.serialNumber });
      await pki.revoke(impostor, twin);
      http.route(crlPath, { crl: await pki.crl(ca) });
      const server = await startTlsServer({ leaf, chain: [ca], ocspResponse: await pki.ocspResponse(impostor, twin) });
      servers.push(server);
      const r = ok(
        await checkSsl(
          { hostname: "staple-forged.test", port: server.port },
          { allowPrivateTargets: true, resolveOverrides: new Map([["staple-forged.test", [server.host]]]), timeoutMs: 3000, now: NOW, extraCa: [root.certPem], revocation: settings() },
        ),
      );
      expect(r.ocsp_staple?.status).to.equal("revoked"); // as read, unverified
      expect(revocationOf(r)).to.deep.include({ revocation: "good", source: "crl" });
      expect(r.chain_valid).to.equal(true);
    });

    it("an expiry check looks revocation up too: revoked is graded F over the carried-over grade, unknown keeps it", async () => {
      const crlPath = nextPath("ca.crl");
      const leaf = await leafFor("light.test", { crlUrl: http.url(crlPath) });
      http.route(crlPath, { crl: await pki.crl(ca, { nextUpdate: at(3_600_000) }) });
      const shared = settings();
      const full = await check("light.test", leaf, shared);
      expect(full).to.deep.include({ grade: "A+", revocation: "good" });
      await pki.revoke(ca, leaf, "keyCompromise");
      http.route(crlPath, { crl: await pki.crl(ca) });
      // Within the first CRL's nextUpdate the cached copy answers: still good.
      expect((await check("light.test", leaf, shared, { lightFrom: full, now: at(60_000) })).revocation).to.equal("good");
      const light = await check("light.test", leaf, shared, { lightFrom: full, now: at(2 * 3_600_000) });
      expect(light).to.deep.include({ probe: "light", revocation: "revoked", revocation_source: "crl", grade: "F", grade_trust_ignored: "A+" });
      expect(light.grade_reasons.map((g) => g.code)).to.deep.equal(["revoked"]);
      // An expiry check that cannot tell (the CRL server fails past the CRL's nextUpdate) keeps
      // the grade it carries: revoked stays F.
      const revokedFull = await check("light.test", leaf, shared, { now: at(2 * 3_600_000) });
      expect(revokedFull).to.deep.include({ probe: "full", grade: "F" });
      http.route(crlPath, { status: 500 });
      const unknown = await check("light.test", leaf, shared, { lightFrom: revokedFull, now: at(2 * DAY_MS) });
      expect(unknown).to.deep.include({ probe: "light", revocation: "unknown", grade: "F", chain_valid: true });
    });
  });

  describe("the politeness gate (the checkers as the service configures them, a PostgreSQL gate)", () => {
    // The CRL server and responder (127.0.0.1) are gated as a checked server would be; the TLS
    // servers listen on 127.0.0.2, whose connections the test's gate lets through at once, so
    // that the look-ups alone are paced (and start together, as concurrent checks' do).
    const RESPONDER = "127.0.0.1";
    const SITES = "127.0.0.2";
    const SPACING_MS = 200;
    let db: TestDatabase;
    let knex: Knex;

    before(async () => {
      db = await createTestDatabase();
      knex = createKnex(db.url, { poolMax: 4 });
      await ensureConnectionGateTables(knex);
    });

    after(async () => {
      await knex?.destroy();
      await db?.drop();
    });

    it("concurrent checks' CRL and OCSP look-ups at one address wait for the gate: at most 2 at once, started 200 ms apart", async () => {
      const polite = new PostgresConnectionGate(knex, { maxConnections: 2, spacingMs: SPACING_MS, leaseMs: 20_000, owner: "revocation-gate-test" });
      const admittedAt: number[] = [];
      const gate = {
        acquire: async (ip: string) => {
          if (ip !== RESPONDER) return () => undefined;
          const release = await polite.acquire(ip);
          admittedAt.push(performance.now());
          return release;
        },
      };
      // A slow server (600 ms an answer, over two spacings): look-ups let through by the spacing
      // alone would be more than 2 at once, and without the gate all 4 would be.
      const crlPaths = [nextPath("gate.crl"), nextPath("gate.crl")];
      const ocspPath = nextPath("gate-ocsp");
      const crl = await pki.crl(ca);
      for (const p of crlPaths) http.route(p, { crl, delayMs: 600 });
      http.route(ocspPath, { ocsp: (request) => pki.answerOcsp(ca, request), delayMs: 600 });
      const names = ["gate-crl-a.test", "gate-crl-b.test", "gate-ocsp-a.test", "gate-ocsp-b.test"];
      const leaves = await Promise.all(names.map((name, i) => leafFor(name, crlPaths[i] ? { crlUrl: http.url(crlPaths[i]) } : { ocspUrl: http.url(ocspPath) })));
      const sites = await Promise.all(leaves.map((leaf) => startTlsServer({ host: SITES, leaf, chain: [ca] })));
      servers.push(...sites);
      const caFile = join(pki.dir, "gate-root.pem");
      await writeFile(caFile, root.certPem);
      const config = testConfig(db.url, { SSLTRACKR_RESOLVE: names.map((n) => `${n}=${SITES}`).join(","), SSLTRACKR_EXTRA_CA_FILE: caFile, SSLTRACKR_CHECK_TIMEOUT_MS: "5000" });
      // Full probes first (30-odd connections each), without look-ups (no revocation settings:
      // the staple only); then expiry checks through the checkers, a handshake and a look-up
      // each, so the look-ups start together in a process not busy with probes.
      const resolveOverrides = new Map(names.map((n) => [n, [SITES]]));
      const full = await Promise.all(
        names.map(async (hostname, i) => ok(await checkSsl({ hostname, port: sites[i]!.port }, { allowPrivateTargets: true, resolveOverrides, timeoutMs: 5000, extraCa: [root.certPem] }))),
      );
      const checkers = checkersFromConfig(config, systemClock, gate);
      const results = (await Promise.all(names.map((hostname, i) => checkers.ssl({ hostname, port: sites[i]!.port }, full[i])))).map(ok);
      expect(results.map((r) => [r.probe, r.revocation, r.revocation_source])).to.deep.equal([
        ["light", "good", "crl"],
        ["light", "good", "crl"],
        ["light", "good", "ocsp"],
        ["light", "good", "ocsp"],
      ]);

      const lookUps = http.exchanges().filter((e) => [...crlPaths, ocspPath].includes(e.path));
      expect(lookUps).to.have.length(4);
      const atOnce = Math.max(...lookUps.map((e) => lookUps.filter((o) => o.start <= e.start && e.start < o.end).length));
      expect(atOnce, "look-ups at the server at once").to.be.at.most(2);
      // Each look-up was admitted by the gate, and reached the server only after its admission.
      expect(admittedAt).to.have.length(4);
      lookUps.forEach((e, k) => expect(e.start, `look-up ${k + 1} arrived before its admission`).to.be.at.least(admittedAt[k]!));
      // Admissions (the starts of new connections) follow the spacing, reserved on the database
      // clock; seen here they jitter by the database round trips, hence the margin. Measured at
      // admission rather than at the server: the process's first connection can take 100 ms
      // longer to arrive.
      const gaps = admittedAt.slice(1).map((t, k) => t - admittedAt[k]!);
      expect(Math.min(...gaps), `gaps between admissions: ${gaps.map(Math.round).join(", ")} ms`).to.be.at.least(0.75 * SPACING_MS);
    });
  });
});
