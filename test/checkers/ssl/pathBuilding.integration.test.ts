// buildCertificationPath called directly (no TLS) on certificates from the test PKI: the cases a
// server cannot easily be made to present, and the pieces the light expiry check reuses.
import { expect } from "chai";
import { buildCertificationPath, parsePemBundle, trustStoreFromPem } from "../../../src/checkers/ssl/index.js";
import { createPki, type CertificateAuthority, type Pki } from "../../support/pki.js";

const DAY_MS = 86_400_000;
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const days = (n: number) => new Date(NOW.getTime() + n * DAY_MS + 3_600_000);

describe("buildCertificationPath (integration: test PKI certificates, no network)", function () {
  this.timeout(60_000);
  let pki: Pki;
  let rootA: CertificateAuthority;
  let rootB: CertificateAuthority;

  before(async () => {
    pki = await createPki();
    [rootA, rootB] = await Promise.all([pki.createRootCa({ cn: "Bundle Root A" }), pki.createRootCa({ cn: "Bundle Root B" })]);
  });
  after(async () => pki?.cleanup());

  const subjects = (certs: { subject: string }[]) => certs.map((c) => c.subject);

  it("reads every root of a PEM bundle into the trust store, once each", () => {
    const bundle = `${rootA.certPem}\n${rootB.certPem}`;
    expect(subjects(parsePemBundle(bundle))).to.deep.equal(["CN=Bundle Root A", "CN=Bundle Root B"]);
    const store = trustStoreFromPem([bundle, rootA.certPem]);
    expect([...store.bySubject.keys()]).to.deep.equal(["CN=Bundle Root A", "CN=Bundle Root B"]);
    expect(store.bySubject.get("CN=Bundle Root A")).to.have.length(1);
  });

  it("a trusted self-signed leaf is its own path", async () => {
    const leaf = await pki.createSelfSigned({ cn: "self.test", sans: ["self.test"] });
    const built = buildCertificationPath([leaf.x509], trustStoreFromPem([leaf.certPem]), NOW);
    expect(built).to.deep.include({ anchored: true, pathsFound: 1, selectedBy: "only_path" });
    expect(subjects(built.path)).to.deep.equal(["CN=self.test"]);
  });

  it("two CAs certifying each other (a loop) and no trusted root: terminates with the longest partial path", async () => {
    const untrustedRoot = await pki.createRootCa({ cn: "Loop Root" });
    const x = await pki.createIntermediateCa(untrustedRoot, { cn: "Loop X" });
    const y = await pki.createIntermediateCa(x, { cn: "Loop Y" });
    const xByY = await pki.crossSign(y, x);
    const leaf = await pki.createLeaf(y, { cn: "loop.test", sans: ["loop.test"] });
    const built = buildCertificationPath([leaf.x509, y.x509, xByY.x509, x.x509], trustStoreFromPem([rootA.certPem]), NOW);
    expect(built).to.deep.include({ anchored: false, pathsFound: 0, selectedBy: "none" });
    expect(subjects(built.path)).to.deep.equal(["CN=loop.test", "CN=Loop Y", "CN=Loop X"]);
  });

  it("equal validity and lifetime: the shorter path wins (selected_by shortest)", async () => {
    const int = await pki.createIntermediateCa(rootA, { cn: "Short Int", notBefore: days(-10), notAfter: days(1000) });
    const bridge = await pki.createIntermediateCa(rootB, { cn: "Bridge", notBefore: days(-10), notAfter: days(1000) });
    const intViaBridge = await pki.crossSign(bridge, int, { notBefore: days(-10), notAfter: days(1000) });
    const leaf = await pki.createLeaf(int, { cn: "short.test", sans: ["short.test"], notBefore: days(-10), notAfter: days(90) });
    const built = buildCertificationPath([leaf.x509, intViaBridge.x509, bridge.x509, int.x509], trustStoreFromPem([rootA.certPem, rootB.certPem]), NOW);
    expect(built).to.deep.include({ anchored: true, pathsFound: 2, selectedBy: "shortest" });
    expect(subjects(built.path)).to.deep.equal(["CN=short.test", "CN=Short Int", "CN=Bundle Root A"]);
    expect(built.related.size, "every served certificate is on some path").to.equal(4);
  });

  it("refuses an empty list", () => {
    expect(() => buildCertificationPath([], trustStoreFromPem([]), NOW)).to.throw(RangeError);
  });
});
