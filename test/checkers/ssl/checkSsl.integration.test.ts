// checkSsl against real TLS servers on loopback, with a throwaway PKI generated for this run.
import { expect } from "chai";
import { checkSsl, sslCheckResultSchema, type SslCheckOk, type SslCheckOptions, type SslCheckResult } from "../../../src/checkers/ssl/index.js";
import { createPki, startStallingServer, startTlsServer, type CertificateAuthority, type IssuedCert, type Pki, type RunningServer, type TlsServerOptions } from "../../support/pki.js";

const DAY_MS = 86_400_000;
// Whole seconds, because certificate dates have no milliseconds; taken again when the suite
// starts, since openssl stamps OCSP answers with the real time.
const wholeSecondsNow = () => new Date(Math.floor(Date.now() / 1000) * 1000);
let NOW = wholeSecondsNow();
const days = (n: number) => new Date(NOW.getTime() + n * DAY_MS);
const ONE_YEAR_HSTS = "max-age=31536000; includeSubDomains";

function ok(result: SslCheckResult): SslCheckOk {
  sslCheckResultSchema.parse(result); // every result must survive the event store round trip
  if (result.outcome !== "ok") throw new Error(`check failed: ${result.reason}: ${result.message}`);
  return result;
}

const gradeCodes = (r: SslCheckOk) => r.grade_reasons.map((g) => `${g.code}:${g.cap}`);

describe("checkSsl against local TLS servers", function () {
  this.timeout(60_000);

  let pki: Pki;
  let root: CertificateAuthority;
  let intermediate: CertificateAuthority;
  let otherRoot: CertificateAuthority;
  const servers: RunningServer[] = [];

  /** Options as a self-hosted install would use them, trusting this run's root. */
  function options(hosts: Record<string, string[]>, extra: Partial<SslCheckOptions> = {}): SslCheckOptions {
    return { allowPrivateTargets: true, resolveOverrides: new Map(Object.entries(hosts)), timeoutMs: 3000, now: NOW, extraCa: [root.certPem], ...extra };
  }

  async function serve(opts: TlsServerOptions): Promise<RunningServer> {
    const server = await startTlsServer(opts);
    servers.push(server);
    return server;
  }

  /** A leaf for `name` from the intermediate, served with the intermediate, checked as `name`. */
  async function checkLeaf(name: string, leaf: IssuedCert, server: Omit<TlsServerOptions, "leaf"> = {}): Promise<SslCheckResult> {
    const s = await serve({ leaf, chain: [intermediate], hsts: ONE_YEAR_HSTS, ...server });
    return checkSsl({ hostname: name, port: s.port }, options({ [name]: [s.host] }));
  }

  before(async () => {
    NOW = wholeSecondsNow();
    pki = await createPki();
    root = await pki.createRootCa({ cn: "SSLTrackr Test Root", subject: "/C=US/O=SSLTrackr Tests/CN=SSLTrackr Test Root" });
    intermediate = await pki.createIntermediateCa(root, { cn: "SSLTrackr Test CA", subject: "/C=US/O=SSLTrackr Tests/CN=SSLTrackr Test CA" });
    otherRoot = await pki.createRootCa({ cn: "Unknown Root" });
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  after(async () => {
    await pki.cleanup();
  });

  describe("grades", () => {
    it("A+ for a modern server with long HSTS, reporting every spec field exactly", async () => {
      const leaf = await pki.createLeaf(intermediate, {
        cn: "modern.test",
        subject: "/C=US/O=Modern Corp/CN=modern.test",
        sans: ["modern.test", "www.modern.test"],
        notBefore: days(-10),
        notAfter: new Date(days(45).getTime() + 3_600_000),
        serial: "03a1b2c3d4",
      });
      const server = await serve({ leaf, chain: [intermediate], hsts: `${ONE_YEAR_HSTS}; preload` });
      const r = ok(await checkSsl({ hostname: "modern.test", port: server.port }, options({ "modern.test": ["127.0.0.1"] })));

      expect(r).to.deep.include({
        outcome: "ok",
        hostname: "modern.test",
        port: server.port,
        checked_at: NOW.toISOString(),
        subject: "CN=modern.test, O=Modern Corp, C=US",
        issuer: "CN=SSLTrackr Test CA, O=SSLTrackr Tests, C=US",
        valid_from: days(-10).toISOString(),
        valid_to: new Date(days(45).getTime() + 3_600_000).toISOString(),
        days_remaining: 45,
        serial_number: "03:a1:b2:c3:d4",
        tls_version: "TLSv1.3",
        chain_valid: true,
        hsts: true,
        sans: ["modern.test", "www.modern.test"],
        grade: "A+",
        grade_trust_ignored: "A+",
        grade_reasons: [],
        chain_errors: [],
        ip_address: "127.0.0.1",
        signature_algorithm: "sha256WithRSAEncryption",
        fingerprint_sha256: leaf.x509.fingerprint256.toLowerCase(),
        secure_renegotiation: true,
        ocsp_staple: null,
        revocation: "unknown",
        revocation_source: null,
        revocation_reason: "CRL and OCSP look-ups are not configured",
        revoked_at: null,
      });
      expect(r.key).to.deep.equal({ type: "RSA", bits: 2048, curve: null });
      expect(r.cipher).to.deep.equal({ name: "TLS_AES_256_GCM_SHA384", openssl_name: "TLS_AES_256_GCM_SHA384" });
      expect(r.score).to.deep.equal({ protocol: 100, key_exchange: 90, cipher_strength: 90, total: 93 });
      expect(r.protocols).to.deep.equal({ TLSv1: false, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": true });
      expect(r.cipher_suites).to.include({ forward_secrecy: true, aead: true, rc4: false, triple_des: false, cbc_only: false, anonymous: false, null_encryption: false });
      expect(r.cipher_suites.accepted["TLSv1.3"]).to.deep.equal(["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"]);
      expect(r.cipher_suites.accepted["TLSv1.2"]).to.include("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
      expect(r.hsts_details).to.deep.equal({
        present: true,
        max_age: 31536000,
        include_subdomains: true,
        preload: true,
        header: "max-age=31536000; includeSubDomains; preload",
        error: null,
      });
      expect(r.chain.map((c) => [c.depth, c.subject, c.self_signed])).to.deep.equal([
        [0, "CN=modern.test, O=Modern Corp, C=US", false],
        [1, "CN=SSLTrackr Test CA, O=SSLTrackr Tests, C=US", false],
        [2, "CN=SSLTrackr Test Root, O=SSLTrackr Tests, C=US", true],
      ]);
      expect(r.earliest_expiry).to.deep.equal({ depth: 0, subject: r.subject, valid_to: r.valid_to, days_remaining: 45, ip_address: "127.0.0.1" });
      expect(r.endpoints).to.have.length(1);
      // SNI on every probe connection, including the HSTS request.
      expect(server.servernames.length).to.be.greaterThan(5);
      expect(new Set(server.servernames)).to.deep.equal(new Set(["modern.test"]));
    });

    it("A without HSTS", async () => {
      const leaf = await pki.createLeaf(intermediate, { cn: "plain.test", sans: ["plain.test"] });
      const r = ok(await checkLeaf("plain.test", leaf, { hsts: undefined }));
      expect(r.grade).to.equal("A");
      expect(gradeCodes(r)).to.deep.equal(["hsts_missing:A"]);
      expect(r.hsts).to.equal(false);
      expect(r.hsts_details).to.include({ present: false, header: null, error: null });
    });

    it("A- with an HSTS max-age under 180 days", async () => {
      const leaf = await pki.createLeaf(intermediate, { cn: "short.test", sans: ["short.test"] });
      const r = ok(await checkLeaf("short.test", leaf, { hsts: "max-age=86400" }));
      expect(r.grade).to.equal("A-");
      expect(gradeCodes(r)).to.deep.equal(["hsts_short:A-"]);
      expect(r.hsts_details).to.include({ present: true, max_age: 86400, include_subdomains: false });
    });

    it("B when TLS 1.0 and 1.1 are enabled", async () => {
      const leaf = await pki.createLeaf(intermediate, { cn: "legacy.test", sans: ["legacy.test"] });
      const r = ok(await checkLeaf("legacy.test", leaf, { tls: { minVersion: "TLSv1", ciphers: "DEFAULT:@SECLEVEL=0" } }));
      expect(r.grade).to.equal("B");
      expect(gradeCodes(r)).to.deep.equal(["tls_1_0_or_1_1:B"]);
      expect(r.protocols).to.deep.equal({ TLSv1: true, "TLSv1.1": true, "TLSv1.2": true, "TLSv1.3": true });
      expect(r.cipher_suites.accepted.TLSv1).to.include("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
      expect(r.score.protocol).to.equal(95);
    });

    it("B for a 1024-bit RSA key", async () => {
      const leaf = await pki.createLeaf(intermediate, { cn: "weakkey.test", sans: ["weakkey.test"], key: { type: "rsa", bits: 1024 } });
      const r = ok(await checkLeaf("weakkey.test", leaf));
      expect(r.key).to.deep.equal({ type: "RSA", bits: 1024, curve: null });
      expect(r.grade).to.equal("B");
      expect(gradeCodes(r)).to.deep.equal(["key_size:B"]);
      expect(r.score.key_exchange).to.equal(80);
    });

    it("B for DHE with 1024-bit DH parameters", async () => {
      const leaf = await pki.createLeaf(intermediate, { cn: "dhe.test", sans: ["dhe.test"] });
      const dhparam = await pki.createDhParams(1024);
      const ciphers = "DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";
      const r = ok(await checkLeaf("dhe.test", leaf, { tls: { ciphers, dhparam } }));
      expect(r.key_exchange).to.deep.equal({ dh_min_bits: 1024, ecdh_min_bits: 253 });
      expect(r.grade).to.equal("B");
      expect(gradeCodes(r)).to.deep.equal(["dh_parameters:B"]);
    });

    it("B without forward secrecy, and B without AEAD suites", async () => {
      const leaf = await pki.createLeaf(intermediate, { cn: "suites.test", sans: ["suites.test"] });
      const noFs = ok(await checkLeaf("suites.test", leaf, { tls: { maxVersion: "TLSv1.2", ciphers: "AES128-GCM-SHA256:AES256-GCM-SHA384" } }));
      expect(noFs.cipher_suites.accepted["TLSv1.2"]).to.deep.equal(["TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384"]);
      expect(noFs.cipher_suites.forward_secrecy).to.equal(false);
      expect(gradeCodes(noFs)).to.deep.equal(["no_forward_secrecy:B", "no_tls_1_3:A-"]);
      const cbc = ok(await checkLeaf("suites.test", leaf, { tls: { maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-AES128-SHA256" } }));
      expect(cbc.cipher_suites).to.include({ aead: false, cbc_only: true, forward_secrecy: true });
      expect(gradeCodes(cbc)).to.deep.equal(["no_aead:B", "no_tls_1_3:A-"]);
      expect(cbc.tls_version).to.equal("TLSv1.2");
    });
  });

  describe("trust", () => {
    it("T for an expired leaf, with negative days_remaining", async () => {
      const leaf = await pki.createLeaf(intermediate, { cn: "expired.test", sans: ["expired.test"], notBefore: days(-100), notAfter: days(-10) });
      const r = ok(await checkLeaf("expired.test", leaf));
      expect(r).to.deep.include({ grade: "T", grade_trust_ignored: "A+", chain_valid: false, days_remaining: -10 });
      expect(r.chain_errors).to.deep.equal([
        { reason: "expired", message: `CN=expired.test expired on ${days(-10).toISOString()}`, depth: 0, code: "CERT_HAS_EXPIRED" },
      ]);
      expect(gradeCodes(r)).to.deep.equal(["untrusted:T"]);
    });

    it("T for a leaf that is not yet valid", async () => {
      const leaf = await pki.createLeaf(intermediate, { cn: "future.test", sans: ["future.test"], notBefore: days(10), notAfter: days(100) });
      const r = ok(await checkLeaf("future.test", leaf));
      expect(r.grade).to.equal("T");
      expect(r.chain_errors).to.deep.equal([
        { reason: "not_yet_valid", message: `CN=future.test is not valid before ${days(10).toISOString()}`, depth: 0, code: "CERT_NOT_YET_VALID" },
      ]);
    });

    it("T for a self-signed certificate", async () => {
      const leaf = await pki.createSelfSigned({ cn: "selfsigned.test", sans: ["selfsigned.test"] });
      const server = await serve({ leaf, hsts: ONE_YEAR_HSTS });
      const r = ok(await checkSsl({ hostname: "selfsigned.test", port: server.port }, options({ "selfsigned.test": ["127.0.0.1"] })));
      expect(r).to.deep.include({ grade: "T", issuer: "CN=selfsigned.test", chain_valid: false });
      expect(r.chain_errors.map((e) => [e.reason, e.code])).to.deep.equal([["self_signed", "DEPTH_ZERO_SELF_SIGNED_CERT"]]);
      expect(r.chain).to.have.length(1);
      expect(r.chain[0]!.self_signed).to.equal(true);
    });

    it("T for a chain from an unknown root", async () => {
      const unknownCa = await pki.createIntermediateCa(otherRoot, { cn: "Unknown CA" });
      const leaf = await pki.createLeaf(unknownCa, { cn: "unknown.test", sans: ["unknown.test"] });
      const r = ok(await checkLeaf("unknown.test", leaf, { chain: [unknownCa] }));
      expect(r.grade).to.equal("T");
      expect(r.chain_errors).to.deep.equal([
        { reason: "unknown_issuer", message: 'the chain ends at "CN=Unknown Root", which is not a trusted root', depth: 1, code: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY" },
      ]);
    });

    it("T for a SHA-1 signed leaf, which OpenSSL at level 0 would accept", async () => {
      const leaf = await pki.createLeaf(intermediate, { cn: "sha1.test", sans: ["sha1.test"], signatureHash: "sha1" });
      // The test server itself needs level 0 to use a SHA-1 certificate.
      const r = ok(await checkLeaf("sha1.test", leaf, { tls: { ciphers: "DEFAULT:@SECLEVEL=0" } }));
      expect(r).to.deep.include({ grade: "T", signature_algorithm: "sha1WithRSAEncryption", chain_valid: false });
      expect(r.chain_errors).to.deep.equal([{ reason: "weak_signature", message: "CN=sha1.test is signed with sha1WithRSAEncryption", depth: 0, code: null }]);
    });

    it("B (not T) for an incomplete chain: the intermediate, which AIA points to, is not sent", async () => {
      const leaf = await pki.createLeaf(intermediate, { cn: "incomplete.test", sans: ["incomplete.test"], caIssuersUrl: "http://pki.test/ca.crt" });
      const r = ok(await checkLeaf("incomplete.test", leaf, { chain: [] }));
      expect(r).to.deep.include({ grade: "B", chain_valid: false });
      expect(r.chain_errors).to.deep.equal([
        {
          reason: "incomplete_chain",
          message: 'the server did not send "CN=SSLTrackr Test CA, O=SSLTrackr Tests, C=US" (available from http://pki.test/ca.crt)',
          depth: 0,
          code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
        },
      ]);
      expect(r.chain[0]!.ca_issuers).to.deep.equal(["http://pki.test/ca.crt"]);
      expect(gradeCodes(r)).to.deep.equal(["incomplete_chain:B"]);
    });

    it("T when the issuer is missing and nothing says where to find it (a private CA)", async () => {
      const leaf = await pki.createLeaf(intermediate, { cn: "private-ca.test", sans: ["private-ca.test"] });
      const r = ok(await checkLeaf("private-ca.test", leaf, { chain: [] }));
      expect(r.grade).to.equal("T");
      expect(r.chain_errors.map((e) => [e.reason, e.code])).to.deep.equal([["unknown_issuer", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"]]);
    });

    it("M for a certificate issued to another name", async () => {
      const leaf = await pki.createLeaf(intermediate, { cn: "other.test", sans: ["other.test"] });
      const r = ok(await checkLeaf("wrong.test", leaf));
      expect(r).to.deep.include({ grade: "M", grade_trust_ignored: "A+", chain_valid: false });
      expect(r.chain_errors).to.deep.equal([
        { reason: "hostname_mismatch", message: "Hostname/IP does not match certificate's altnames: Host: wrong.test. is not in the cert's altnames: DNS:other.test", depth: 0, code: null },
      ]);
    });

    it("wildcards cover one label only: A+ one level down, M two levels down", async () => {
      const leaf = await pki.createLeaf(intermediate, { cn: "*.wild.test", sans: ["*.wild.test"], key: { type: "ec", curve: "P-256" } });
      const oneLevel = ok(await checkLeaf("a.wild.test", leaf));
      expect(oneLevel).to.deep.include({ grade: "A+", chain_valid: true, sans: ["*.wild.test"] });
      expect(oneLevel.key).to.deep.equal({ type: "EC", bits: 256, curve: "prime256v1" });
      const twoLevels = ok(await checkLeaf("b.a.wild.test", leaf));
      expect(twoLevels.grade).to.equal("M");
      expect(twoLevels.chain_errors.map((e) => e.reason)).to.deep.equal(["hostname_mismatch"]);
    });

    it("reports an intermediate that expires before the leaf as the earliest expiry", async () => {
      const shortCa = await pki.createIntermediateCa(root, { cn: "Short-lived CA", notBefore: days(-30), notAfter: days(20) });
      const leaf = await pki.createLeaf(shortCa, { cn: "shortca.test", sans: ["shortca.test"], notBefore: days(-1), notAfter: days(60) });
      const r = ok(await checkLeaf("shortca.test", leaf, { chain: [shortCa] }));
      expect(r).to.deep.include({ grade: "A+", chain_valid: true, days_remaining: 60 });
      expect(r.earliest_expiry).to.deep.equal({ depth: 1, subject: "CN=Short-lived CA", valid_to: days(20).toISOString(), days_remaining: 20, ip_address: "127.0.0.1" });
    });

    it("F for a revoked leaf, known from the stapled OCSP response; a good staple is reported too", async () => {
      const revoked = await pki.createLeaf(intermediate, { cn: "revoked.test", sans: ["revoked.test"] });
      await pki.revoke(intermediate, revoked, "keyCompromise");
      const r = ok(await checkLeaf("revoked.test", revoked, { ocspResponse: await pki.ocspResponse(intermediate, revoked) }));
      expect(r).to.deep.include({ grade: "F", grade_trust_ignored: "A+", chain_valid: false, revocation: "revoked", revocation_source: "staple", revocation_reason: "keyCompromise" });
      expect(r.ocsp_staple?.status).to.equal("revoked");
      expect(r.revoked_at).to.equal(r.ocsp_staple?.revoked_at);
      expect(r.chain_errors.map((e) => [e.reason, e.depth])).to.deep.equal([["revoked", 0]]);

      const fine = await pki.createLeaf(intermediate, { cn: "stapled.test", sans: ["stapled.test"] });
      const good = ok(await checkLeaf("stapled.test", fine, { ocspResponse: await pki.ocspResponse(intermediate, fine) }));
      expect(good).to.deep.include({ grade: "A+", ocsp_staple: { status: "good", revoked_at: null }, revocation: "good", revocation_source: "staple" });
    });

    it("checks an IP-literal target against IP SANs, without SNI", async () => {
      const leaf = await pki.createLeaf(intermediate, { cn: "127.0.0.1", sans: ["127.0.0.1"] });
      const server = await serve({ leaf, chain: [intermediate], hsts: ONE_YEAR_HSTS });
      const r = ok(await checkSsl({ hostname: "127.0.0.1", port: server.port }, options({})));
      expect(r).to.deep.include({ grade: "A+", chain_valid: true, sans: ["127.0.0.1"], ip_address: "127.0.0.1" });
      expect(new Set(server.servernames)).to.deep.equal(new Set([undefined]));
    });
  });

  describe("several addresses", () => {
    it("checks each address of a name and lets the worst decide", async () => {
      const good = await pki.createLeaf(intermediate, { cn: "lb.test", sans: ["lb.test"], notAfter: days(80) });
      const stale = await pki.createLeaf(intermediate, { cn: "lb.test", sans: ["lb.test"], notBefore: days(-100), notAfter: days(-2) });
      const first = await serve({ leaf: good, chain: [intermediate], hsts: ONE_YEAR_HSTS });
      await serve({ host: "127.0.0.2", port: first.port, leaf: stale, chain: [intermediate], hsts: ONE_YEAR_HSTS });
      const r = ok(await checkSsl({ hostname: "lb.test", port: first.port }, options({ "lb.test": ["127.0.0.1", "127.0.0.2"] })));
      expect(r).to.deep.include({ grade: "T", ip_address: "127.0.0.2", days_remaining: -2, chain_valid: false });
      expect(r.endpoints.map((e) => [e.ip_address, e.outcome === "ok" ? e.grade : e.reason])).to.deep.equal([
        ["127.0.0.1", "A+"],
        ["127.0.0.2", "T"],
      ]);
      expect(r.earliest_expiry).to.include({ days_remaining: -2, ip_address: "127.0.0.2" });

      const bounded = ok(await checkSsl({ hostname: "lb.test", port: first.port }, options({ "lb.test": ["127.0.0.1", "127.0.0.2"] }, { maxAddresses: 1 })));
      expect(bounded.endpoints.map((e) => e.ip_address)).to.deep.equal(["127.0.0.1"]);
      expect(bounded.grade).to.equal("A+");
    });

    it("reports an address that does not answer next to the ones that do", async () => {
      const leaf = await pki.createLeaf(intermediate, { cn: "half.test", sans: ["half.test"] });
      const server = await serve({ leaf, chain: [intermediate], hsts: ONE_YEAR_HSTS });
      // Nothing listens on 127.0.0.3 at this port.
      const r = ok(await checkSsl({ hostname: "half.test", port: server.port }, options({ "half.test": ["127.0.0.1", "127.0.0.3"] })));
      expect(r.grade).to.equal("A+");
      expect(r.endpoints[1]).to.deep.include({ outcome: "failed", ip_address: "127.0.0.3", reason: "connection_refused" });
    });
  });

  describe("checks that cannot run", () => {
    it("fails within the timeout when the server never finishes the handshake", async () => {
      const staller = await startStallingServer();
      servers.push(staller);
      const started = Date.now();
      const r = await checkSsl({ hostname: "stall.test", port: staller.port }, options({ "stall.test": ["127.0.0.1"] }, { timeoutMs: 500 }));
      expect(Date.now() - started).to.be.lessThan(2000);
      sslCheckResultSchema.parse(r);
      expect(r).to.deep.include({ outcome: "failed", hostname: "stall.test", reason: "handshake_timeout" });
      expect(r.outcome === "failed" && r.message).to.match(/did not complete within 500 ms/);
    });

    it("reports a refused connection", async () => {
      const closed = await startStallingServer();
      await closed.close(); // its port is now free, so nothing listens there
      const r = await checkSsl({ hostname: "closed.test", port: closed.port }, options({ "closed.test": ["127.0.0.1"] }));
      expect(r).to.deep.include({ outcome: "failed", reason: "connection_refused", message: `connection to 127.0.0.1:${closed.port} refused` });
    });

    it("refuses private targets unless allowed, without connecting", async () => {
      const leaf = await pki.createLeaf(intermediate, { cn: "private.test", sans: ["private.test"] });
      const server = await serve({ leaf, chain: [intermediate] });
      const r = await checkSsl({ hostname: "private.test", port: server.port }, options({ "private.test": ["127.0.0.1"] }, { allowPrivateTargets: false }));
      sslCheckResultSchema.parse(r);
      expect(r).to.deep.include({ outcome: "failed", reason: "private_address", endpoints: [] });
      expect(server.servernames).to.deep.equal([]);
      // The port defaults to 443.
      const defaultPort = await checkSsl({ hostname: "private.test" }, options({ "private.test": ["127.0.0.1"] }, { allowPrivateTargets: false }));
      expect(defaultPort).to.deep.include({ outcome: "failed", port: 443 });
    });

    it("reports DNS failures and invalid names", async () => {
      const lookup = () => Promise.reject(Object.assign(new Error("not found"), { code: "ENOTFOUND" }));
      const dns = await checkSsl({ hostname: "missing.test" }, options({}, { lookup }));
      expect(dns).to.deep.include({ outcome: "failed", reason: "dns_failure", message: "cannot resolve missing.test (ENOTFOUND)" });
      const invalid = await checkSsl({ hostname: "not a host" }, options({}));
      expect(invalid).to.deep.include({ outcome: "failed", reason: "invalid_target" });
    });
  });
  describe("expiry checks (light) against the last full probe", () => {
    it("makes one connection per address, carries the full probe's grade over with its graded_at, and sees expiry afresh", async () => {
      const name = "light.example.test";
      const s = await serve({ leaf: await pki.createLeaf(intermediate, { cn: name, sans: [name], notAfter: days(20) }), chain: [intermediate], hsts: ONE_YEAR_HSTS });
      const full = ok(await checkSsl({ hostname: name, port: s.port }, options({ [name]: [s.host] })));
      expect(full).to.include({ probe: "full", graded_at: NOW.toISOString() });
      const fullConnections = s.connectionCount();
      expect(fullConnections).to.be.greaterThan(10);

      const tomorrow = days(1);
      const light = ok(await checkSsl({ hostname: name, port: s.port }, options({ [name]: [s.host] }, { now: tomorrow, lightFrom: full })));
      expect(s.connectionCount() - fullConnections, "one handshake, HSTS read over it").to.equal(1);
      expect(light).to.include({ probe: "light", graded_at: NOW.toISOString(), checked_at: tomorrow.toISOString(), grade: full.grade, days_remaining: 19, hsts: true, chain_valid: true });
      expect(light.protocols).to.deep.equal(full.protocols);
      expect(light.cipher_suites).to.deep.equal(full.cipher_suites);
      expect(light.fingerprint_sha256).to.equal(full.fingerprint_sha256);
      expect(light.hsts_details.max_age).to.equal(31536000);
    });

    it("turns into a full probe when the certificate changed or the address set differs", async () => {
      const name = "renewed.example.test";
      const first = await serve({ leaf: await pki.createLeaf(intermediate, { cn: name, sans: [name] }), chain: [intermediate] });
      const full = ok(await checkSsl({ hostname: name, port: first.port }, options({ [name]: [first.host] })));
      const renewed = await serve({ leaf: await pki.createLeaf(intermediate, { cn: name, sans: [name] }), chain: [intermediate], port: 0 });
      const afterRenewal = ok(await checkSsl({ hostname: name, port: renewed.port }, options({ [name]: [renewed.host] }, { lightFrom: { ...full, port: renewed.port } })));
      expect(afterRenewal.probe).to.equal("full");
      expect(afterRenewal.fingerprint_sha256).to.not.equal(full.fingerprint_sha256);
      expect(renewed.connectionCount()).to.be.greaterThan(10);

      const elsewhere = await serve({ leaf: await pki.createLeaf(intermediate, { cn: name, sans: [name] }), chain: [intermediate], host: "127.0.0.2" });
      const lightFrom = { ...full, port: elsewhere.port };
      const moved = ok(await checkSsl({ hostname: name, port: elsewhere.port }, options({ [name]: ["127.0.0.2"] }, { lightFrom })));
      expect(moved.probe, "another address").to.equal("full");
      expect(elsewhere.connectionCount()).to.be.greaterThan(10);
    });
  });
});
