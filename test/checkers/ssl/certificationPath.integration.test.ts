// Issue #10 §1: the chain is the path that verifies, whatever the server sends. Real TLS
// servers on loopback send chains in odd orders, with extras, duplicates, cross-signed roots;
// the check must report the path a browser builds and the served list beside it.
import { expect } from "chai";
import { checkSsl, sslCheckResultSchema, type SslCheckOk, type SslCheckResult } from "../../../src/checkers/ssl/index.js";
import { createPki, startTlsServer, type CertificateAuthority, type IssuedCert, type Pki, type RunningServer, type TlsServerOptions } from "../../support/pki.js";

const DAY_MS = 86_400_000;
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
// An hour past whole days, so days_remaining is exactly n.
const days = (n: number) => new Date(NOW.getTime() + n * DAY_MS + 3_600_000);
const HSTS = "max-age=31536000";

function ok(result: SslCheckResult): SslCheckOk {
  sslCheckResultSchema.parse(result);
  if (result.outcome !== "ok") throw new Error(`check failed: ${result.reason}: ${result.message}`);
  return result;
}

const fingerprint = (c: IssuedCert) => c.x509.fingerprint256.toLowerCase();
const subjects = (r: SslCheckOk) => r.chain.map((c) => c.subject);
const served = (r: SslCheckOk) => r.served_certificates!.map((c) => ({ subject: c.subject, days: c.days_remaining, on_path: c.on_path, depth: c.path_depth }));
const issues = (r: SslCheckOk) => r.chain_issues!.map((i) => ({ code: i.code, positions: i.positions }));
const gradeCodes = (r: SslCheckOk) => r.grade_reasons.map((g) => `${g.code}:${g.cap}`);

describe("certification path building against local TLS servers", function () {
  this.timeout(60_000);

  let pki: Pki;
  let root: CertificateAuthority;
  let intermediate: CertificateAuthority;
  let rootNew: CertificateAuthority;
  let rootA: CertificateAuthority;
  let rootB: CertificateAuthority;
  let trusted: string[];
  const servers: RunningServer[] = [];

  async function check(name: string, options: Omit<TlsServerOptions, "hsts">): Promise<SslCheckOk> {
    const server = await startTlsServer({ hsts: HSTS, ...options });
    servers.push(server);
    const result = await checkSsl(
      { hostname: name, port: server.port },
      { allowPrivateTargets: true, resolveOverrides: new Map([[name, ["127.0.0.1"]]]), timeoutMs: 3000, now: NOW, extraCa: trusted },
    );
    return ok(result);
  }

  const leafFor = (issuer: CertificateAuthority, name: string, extra: { caIssuersUrl?: string } = {}) =>
    pki.createLeaf(issuer, { cn: name, sans: [name], notBefore: days(-10), notAfter: days(90), ...extra });

  before(async () => {
    pki = await createPki();
    [root, rootNew, rootA, rootB] = await Promise.all([
      pki.createRootCa({ cn: "Path Test Root" }),
      pki.createRootCa({ cn: "Root New" }),
      pki.createRootCa({ cn: "Root A" }),
      pki.createRootCa({ cn: "Root B" }),
    ]);
    intermediate = await pki.createIntermediateCa(root, { cn: "Path Test CA" });
    trusted = [root.certPem, rootNew.certPem, rootA.certPem, rootB.certPem];
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  after(async () => {
    await pki.cleanup();
  });

  it("Root New cross-signed by an expired Root Old: the path ends at the trusted Root New, the leaf expires first", async () => {
    const rootOld = await pki.createRootCa({ cn: "Root Old", notBefore: days(-4000), notAfter: days(-61) });
    const crossSigned = await pki.crossSign(rootOld, rootNew, { notBefore: days(-1000), notAfter: days(-61) });
    const intB = await pki.createIntermediateCa(rootNew, { cn: "Int B" });
    const leaf = await leafFor(intB, "cross.test");
    const r = await check("cross.test", { leaf, chain: [intB, crossSigned] });

    expect(subjects(r)).to.deep.equal(["CN=cross.test", "CN=Int B", "CN=Root New"]);
    expect(r.chain[2]!.fingerprint_sha256, "the trust store's Root New, not the served copy").to.equal(fingerprint(rootNew));
    expect(r.earliest_expiry).to.deep.equal({ depth: 0, subject: "CN=cross.test", valid_to: new Date(leaf.x509.validTo).toISOString(), days_remaining: 90, ip_address: "127.0.0.1" });
    expect(r.days_remaining).to.equal(90);
    expect(r.chain_valid).to.equal(true);
    expect(r.chain_errors).to.deep.equal([]);
    expect(r.certification_path).to.deep.equal({ anchored: true, paths_found: 1, selected_by: "only_path", served_list: "as_sent" });
    expect(served(r)).to.deep.equal([
      { subject: "CN=cross.test", days: 90, on_path: true, depth: 0 },
      { subject: "CN=Int B", days: 3649, on_path: true, depth: 1 },
      { subject: "CN=Root New", days: -61, on_path: false, depth: null },
    ]);
    expect(r.served_certificates![2]!.fingerprint_sha256).to.equal(fingerprint(crossSigned));
    expect(issues(r)).to.deep.equal([{ code: "expired_extra_certificates", positions: [2] }]);
    expect(r.grade).to.equal("A-");
    expect(gradeCodes(r)).to.deep.equal(["chain_issues:A-"]);
  });

  describe("Int D (5 days) above Int D2 (2030-like): 4 entries and D's 5 days, whatever the order", () => {
    let intD: CertificateAuthority;
    let intD2: CertificateAuthority;
    let leaf: IssuedCert;

    before(async () => {
      intD = await pki.createIntermediateCa(root, { cn: "Int D", notBefore: days(-100), notAfter: days(5) });
      intD2 = await pki.createIntermediateCa(intD, { cn: "Int D2", notBefore: days(-100), notAfter: days(1500) });
      leaf = await leafFor(intD2, "grandparent.test");
    });

    for (const [order, chain, expectedIssues, grade] of [
      ["grandparent first", () => [intD, intD2], [{ code: "incorrect_order", positions: [0, 1, 2] }], "A-"],
      ["parent first", () => [intD2, intD], [], "A+"],
    ] as const) {
      it(`${order}: chain = leaf, Int D2, Int D, root; earliest_expiry = Int D in 5 days`, async () => {
        const r = await check("grandparent.test", { leaf, chain: chain() });
        expect(subjects(r)).to.deep.equal(["CN=grandparent.test", "CN=Int D2", "CN=Int D", "CN=Path Test Root"]);
        expect(r.earliest_expiry).to.deep.equal({ depth: 2, subject: "CN=Int D", valid_to: new Date(intD.x509.validTo).toISOString(), days_remaining: 5, ip_address: "127.0.0.1" });
        expect(r.chain_valid).to.equal(true);
        expect(issues(r)).to.deep.equal(expectedIssues);
        expect(r.grade).to.equal(grade);
      });
    }
  });

  it("a certificate sent twice: the path uses one copy, the other is a duplicate (A-)", async () => {
    const leaf = await leafFor(intermediate, "duplicate.test");
    const r = await check("duplicate.test", { leaf, chain: [intermediate, intermediate] });
    expect(subjects(r)).to.deep.equal(["CN=duplicate.test", "CN=Path Test CA", "CN=Path Test Root"]);
    expect(served(r).map((s) => s.on_path)).to.deep.equal([true, true, false]);
    expect(issues(r)).to.deep.equal([{ code: "duplicate_certificates", positions: [2] }]);
    expect(r.earliest_expiry.days_remaining).to.equal(90);
    expect(gradeCodes(r)).to.deep.equal(["chain_issues:A-"]);
  });

  it("the root itself sent: on the path, reported as contains_anchor, grade unchanged (A+)", async () => {
    const leaf = await leafFor(intermediate, "anchor.test");
    const r = await check("anchor.test", { leaf, chain: [intermediate, root] });
    expect(subjects(r)).to.deep.equal(["CN=anchor.test", "CN=Path Test CA", "CN=Path Test Root"]);
    expect(served(r)).to.deep.equal([
      { subject: "CN=anchor.test", days: 90, on_path: true, depth: 0 },
      { subject: "CN=Path Test CA", days: 3649, on_path: true, depth: 1 },
      { subject: "CN=Path Test Root", days: 3649, on_path: true, depth: 2 },
    ]);
    expect(issues(r)).to.deep.equal([{ code: "contains_anchor", positions: [2] }]);
    expect(r.grade).to.equal("A+");
  });

  it("an unrelated extra certificate: off the path, reported as unrelated (A-), expiry from the path only", async () => {
    const other = await pki.createIntermediateCa(rootA, { cn: "Unrelated CA", notBefore: days(-100), notAfter: days(3) });
    const leaf = await leafFor(intermediate, "unrelated.test");
    const r = await check("unrelated.test", { leaf, chain: [intermediate, other] });
    expect(subjects(r)).to.deep.equal(["CN=unrelated.test", "CN=Path Test CA", "CN=Path Test Root"]);
    expect(served(r)[2]).to.deep.equal({ subject: "CN=Unrelated CA", days: 3, on_path: false, depth: null });
    expect(issues(r)).to.deep.equal([{ code: "unrelated_certificates", positions: [2] }]);
    expect(r.earliest_expiry).to.deep.include({ depth: 0, days_remaining: 90 });
    expect(gradeCodes(r)).to.deep.equal(["chain_issues:A-"]);
  });

  it("two valid paths: the longest-lived one is chosen and the choice reported", async () => {
    const intC = await pki.createIntermediateCa(rootA, { cn: "Int C", notBefore: days(-100), notAfter: days(2000) });
    const intCShort = await pki.crossSign(rootB, intC, { notBefore: days(-100), notAfter: days(30) });
    const leaf = await leafFor(intC, "twopaths.test");
    const r = await check("twopaths.test", { leaf, chain: [intCShort, intC] });
    expect(subjects(r)).to.deep.equal(["CN=twopaths.test", "CN=Int C", "CN=Root A"]);
    expect(r.chain[1]!.fingerprint_sha256).to.equal(fingerprint(intC));
    expect(r.certification_path).to.deep.equal({ anchored: true, paths_found: 2, selected_by: "longest_lived", served_list: "as_sent" });
    expect(r.earliest_expiry).to.deep.include({ depth: 0, days_remaining: 90 });
    expect(served(r).map((s) => [s.days, s.on_path])).to.deep.equal([[90, true], [30, false], [2000, true]]);
    // The other copy of Int C forms a valid path too: neither unrelated nor expired.
    expect(issues(r)).to.deep.equal([]);
    expect(r.grade).to.equal("A+");
  });

  it("a valid path wins over an expired one (selected_by validity), and the expired copy is an expired extra", async () => {
    const intE = await pki.createIntermediateCa(rootA, { cn: "Int E", notBefore: days(-100), notAfter: days(400) });
    const intEExpired = await pki.crossSign(rootB, intE, { notBefore: days(-400), notAfter: days(-2) });
    const leaf = await leafFor(intE, "validity.test");
    const r = await check("validity.test", { leaf, chain: [intEExpired, intE] });
    expect(subjects(r)).to.deep.equal(["CN=validity.test", "CN=Int E", "CN=Root A"]);
    expect(r.certification_path).to.deep.include({ paths_found: 2, selected_by: "validity" });
    expect(r.earliest_expiry).to.deep.include({ depth: 0, days_remaining: 90 });
    expect(issues(r)).to.deep.equal([{ code: "expired_extra_certificates", positions: [1] }]);
  });

  it("an incomplete chain (only AIA fetching would complete it): incomplete_chain as before, the path stops at the leaf", async () => {
    const leaf = await leafFor(intermediate, "incomplete.test", { caIssuersUrl: "http://ca.test/int.der" });
    const r = await check("incomplete.test", { leaf, chain: [] });
    expect(subjects(r)).to.deep.equal(["CN=incomplete.test"]);
    expect(r.certification_path).to.deep.equal({ anchored: false, paths_found: 0, selected_by: "none", served_list: "as_sent" });
    expect(r.chain_errors.map((e) => e.reason)).to.deep.equal(["incomplete_chain"]);
    expect(r.grade).to.equal("B");
    expect(served(r)).to.deep.equal([{ subject: "CN=incomplete.test", days: 90, on_path: true, depth: 0 }]);
  });

  it("a TLS 1.3-only server: the path is still built; the served list is the linked one and no list issues are claimed", async () => {
    const leaf = await leafFor(intermediate, "tls13only.test");
    const r = await check("tls13only.test", { leaf, chain: [intermediate, intermediate], tls: { minVersion: "TLSv1.3" } });
    expect(subjects(r)).to.deep.equal(["CN=tls13only.test", "CN=Path Test CA", "CN=Path Test Root"]);
    expect(r.certification_path).to.deep.equal({ anchored: true, paths_found: 1, selected_by: "only_path", served_list: "linked" });
    expect(r.chain_issues).to.deep.equal([]);
  });
});
