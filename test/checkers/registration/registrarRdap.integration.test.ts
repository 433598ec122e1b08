// The registrar's expiry over RDAP (issue #10, section 2), against local RDAP and WHOIS
// servers: the registry's link to the registrar's RDAP is followed under the SSRF guard, the
// timeouts, the size cap and the per-server limits; a registrar that fails never fails the
// check; an RDAP answer without any expiry is completed from WHOIS, saying which source gave what.
import { expect } from "chai";
import { checkRegistration, RegistryState } from "../../../src/checkers/registration/index.js";
import { unusedPort, writeBootstrapFile } from "../../support/registryServers.js";
import { checkOptions, closeServers, expectOk, rdap, whois, whoisFor } from "./localRegistries.js";
import { REGISTRAR_ANSWER, THIN_REGISTRY } from "./samples.js";

const NOW = new Date("2025-01-01T00:00:00Z");
const IN_20_DAYS = "2025-01-21T00:00:00.000Z";
const NEXT_YEAR = "2026-01-21T00:00:00.000Z";

interface DomainAnswer {
  expiry?: string;
  registrarExpiry?: string;
  link?: string;
  registrar?: string | null;
}

/** An RDAP domain object in the shape gTLD registries and registrars answer. */
function domainObject(name: string, { expiry, registrarExpiry, link, registrar = "Harbour Registrar LLC" }: DomainAnswer) {
  return {
    objectClassName: "domain",
    ldhName: name,
    status: ["client transfer prohibited"],
    events: [
      { eventAction: "registration", eventDate: "2011-04-05T10:00:00Z" },
      ...(expiry ? [{ eventAction: "expiration", eventDate: expiry }] : []),
      ...(registrarExpiry ? [{ eventAction: "registrar expiration", eventDate: registrarExpiry }] : []),
      { eventAction: "last update of RDAP database", eventDate: "2024-12-31T00:00:00Z" },
    ],
    entities: registrar
      ? [{ objectClassName: "entity", roles: ["registrar"], vcardArray: ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", registrar]]] }]
      : [],
    nameservers: [{ objectClassName: "nameserver", ldhName: "NS1.HARBOURLIGHT.EXAMPLE" }, { objectClassName: "nameserver", ldhName: "ns2.harbourlight.example" }],
    secureDNS: { delegationSigned: false },
    links: [
      { rel: "self", href: `https://rdap.registry.example/domain/${name}`, type: "application/rdap+json" },
      ...(link ? [{ rel: "related", href: link, type: "application/rdap+json" }] : []),
    ],
  };
}

/** A registry for .org at a local RDAP server, whose answer links to `link`. */
async function orgRegistry(answer: DomainAnswer) {
  const registry = await rdap(() => ({ body: domainObject("quillbrook.org", answer) }));
  return { registry, bootstrap: writeBootstrapFile(["org"], registry.baseUrl) };
}

async function registrarServer(answer: DomainAnswer = { expiry: NEXT_YEAR }) {
  return rdap(() => ({ body: domainObject("quillbrook.org", answer) }));
}

describe("the registrar's expiry over RDAP (local RDAP and WHOIS servers)", () => {
  afterEach(closeServers);

  it("follows the registry's related link: registry expiry in 20 days, the registrar's next year, expiry_date the later", async () => {
    const registrar = await registrarServer();
    const { registry, bootstrap } = await orgRegistry({ expiry: IN_20_DAYS, link: `${registrar.baseUrl}domain/quillbrook.org` });
    const r = await checkRegistration("www.quillbrook.org", checkOptions(NOW, { rdapBootstrap: bootstrap }));
    expectOk(r);
    expect(r).to.deep.include({
      source: "rdap",
      server: registry.baseUrl,
      registrar: "Harbour Registrar LLC",
      created_date: "2011-04-05T10:00:00.000Z",
      registry_expiry_date: IN_20_DAYS,
      registrar_expiry_date: NEXT_YEAR,
      expiry_date: NEXT_YEAR,
      days_remaining: 385,
      supplementary_errors: [],
    });
    expect(r.field_sources).to.deep.equal({
      registrar: "rdap_registry",
      created_date: "rdap_registry",
      expiry_date: "rdap_registrar",
      registry_expiry_date: "rdap_registry",
      registrar_expiry_date: "rdap_registrar",
      nameservers: "rdap_registry",
      dnssec: "rdap_registry",
    });
    expect(registrar.received).to.deep.equal(["/domain/quillbrook.org"]);
    expect(r.raw.map((a) => [a.source, a.role])).to.deep.equal([["rdap", "registry"], ["rdap", "registrar"]]);
  });

  it("keeps the registry's expiry when the registrar's is earlier (expiry_date is the later of the two)", async () => {
    const registrar = await registrarServer({ expiry: "2025-01-10T00:00:00Z" });
    const { bootstrap } = await orgRegistry({ expiry: NEXT_YEAR, link: `${registrar.baseUrl}domain/quillbrook.org` });
    const r = await checkRegistration("quillbrook.org", checkOptions(NOW, { rdapBootstrap: bootstrap }));
    expectOk(r);
    expect(r).to.deep.include({ registry_expiry_date: NEXT_YEAR, registrar_expiry_date: "2025-01-10T00:00:00.000Z", expiry_date: NEXT_YEAR });
    expect(r.field_sources?.expiry_date).to.equal("rdap_registry");
  });

  it("never stores the registrar's date as registry_expiry_date when the registry has no expiration event", async () => {
    const registrar = await registrarServer();
    const { bootstrap } = await orgRegistry({ link: `${registrar.baseUrl}domain/quillbrook.org` });
    const r = await checkRegistration("quillbrook.org", checkOptions(NOW, { rdapBootstrap: bootstrap }));
    expectOk(r);
    expect(r).to.deep.include({ registry_expiry_date: null, registrar_expiry_date: NEXT_YEAR, expiry_date: NEXT_YEAR, days_remaining: 385 });
    expect(r.field_sources).to.include({ registry_expiry_date: null, registrar_expiry_date: "rdap_registrar", expiry_date: "rdap_registrar" });
  });

  it("reads a registry's own 'registrar expiration' event without asking anyone else", async () => {
    const { registry, bootstrap } = await orgRegistry({ expiry: IN_20_DAYS, registrarExpiry: NEXT_YEAR });
    const r = await checkRegistration("quillbrook.org", checkOptions(NOW, { rdapBootstrap: bootstrap }));
    expectOk(r);
    expect(r).to.deep.include({ registry_expiry_date: IN_20_DAYS, registrar_expiry_date: NEXT_YEAR, expiry_date: NEXT_YEAR });
    expect(r.field_sources?.registrar_expiry_date).to.equal("rdap_registry");
    expect(registry.received).to.have.length(1);
  });

  describe("a failing registrar server never fails the check", () => {
    const cases: Array<[string, () => Promise<string>, string]> = [
      // a registrar that does not know the name says nothing about the registry's registration
      ["HTTP 404", async () => `${(await rdap(() => ({ status: 404 }))).baseUrl}domain/quillbrook.org`, "not_found"],
      ["HTTP 500", async () => `${(await rdap(() => ({ status: 500 }))).baseUrl}domain/quillbrook.org`, "server_error"],
      ["a refused connection", async () => `http://127.0.0.1:${await unusedPort()}/domain/quillbrook.org`, "connection_error"],
      ["an answer that is not JSON", async () => `${(await rdap(() => ({ body: "<html>maintenance</html>" }))).baseUrl}domain/quillbrook.org`, "parse_error"],
      ["an answer over the size cap", async () => `${(await rdap(() => ({ body: { ...domainObject("quillbrook.org", { expiry: NEXT_YEAR }), pad: "x".repeat(40_000) } }))).baseUrl}domain/quillbrook.org`, "parse_error"],
      ["a 429 throttle", async () => `${(await rdap(() => ({ status: 429, headers: { "retry-after": "300" } }))).baseUrl}domain/quillbrook.org`, "rate_limited"],
    ];
    for (const [what, link, reason] of cases) {
      it(`keeps the registry's facts and notes ${what} as ${reason}`, async () => {
        const href = await link();
        const { bootstrap } = await orgRegistry({ expiry: IN_20_DAYS, link: href });
        const r = await checkRegistration("quillbrook.org", checkOptions(NOW, { rdapBootstrap: bootstrap, maxResponseBytes: 16_384 }));
        expectOk(r);
        expect(r).to.deep.include({ registrar: "Harbour Registrar LLC", registry_expiry_date: IN_20_DAYS, registrar_expiry_date: null, expiry_date: IN_20_DAYS, days_remaining: 20 });
        expect(r.supplementary_errors).to.have.length(1);
        expect(r.supplementary_errors[0]).to.include({ origin: "rdap_registrar", server: href, reason });
      });
    }

    it("times out on a registrar that never answers, within the check's timeout", async () => {
      const stalled = await whois(() => ({ body: "", hang: true })); // accepts, never answers HTTP
      const href = `http://127.0.0.1:${stalled.port}/domain/quillbrook.org`;
      const { bootstrap } = await orgRegistry({ expiry: IN_20_DAYS, link: href });
      const started = Date.now();
      const r = await checkRegistration("quillbrook.org", checkOptions(NOW, { rdapBootstrap: bootstrap, timeoutMs: 300 }));
      expectOk(r);
      expect(Date.now() - started).to.be.below(2000);
      expect(r.expiry_date).to.equal(IN_20_DAYS);
      expect(r.supplementary_errors[0]).to.include({ origin: "rdap_registrar", reason: "timeout" });
    });

    it("does not ask a registrar server in backoff again (per-server politeness)", async () => {
      const registrar = await rdap(() => ({ status: 429, headers: { "retry-after": "300" } }));
      const { bootstrap } = await orgRegistry({ expiry: IN_20_DAYS, link: `${registrar.baseUrl}domain/quillbrook.org` });
      const opts = checkOptions(NOW, { rdapBootstrap: bootstrap, state: new RegistryState({ minIntervalMs: 0 }) });
      await checkRegistration("quillbrook.org", opts);
      const second = await checkRegistration("quillbrook.org", opts);
      expectOk(second);
      expect(second.supplementary_errors[0]).to.include({ reason: "rate_limited" });
      expect(second.supplementary_errors[0]?.message).to.contain("backing off");
      expect(registrar.received).to.have.length(1);
    });
  });

  describe("the registrar link passes the SSRF guard", () => {
    it("does not request a link to a loopback address unless private targets are allowed", async () => {
      const registrar = await registrarServer();
      const href = `${registrar.baseUrl}domain/quillbrook.org`;
      const { bootstrap } = await orgRegistry({ expiry: IN_20_DAYS, link: href });
      const r = await checkRegistration("quillbrook.org", checkOptions(NOW, { rdapBootstrap: bootstrap, allowPrivateTargets: false }));
      expectOk(r);
      expect(registrar.received).to.deep.equal([]);
      expect(r).to.deep.include({ expiry_date: IN_20_DAYS, registrar_expiry_date: null });
      expect(r.supplementary_errors[0]).to.include({ origin: "rdap_registrar", server: href, reason: "private_address" });
    });

    it("refuses a host name that resolves to a private address, and connects to the approved address when allowed", async () => {
      const registrar = await registrarServer();
      const href = `http://rdap.harbour-registrar.example:${registrar.port}/domain/quillbrook.org`;
      const { bootstrap } = await orgRegistry({ expiry: IN_20_DAYS, link: href });
      const resolveOverrides = new Map([["rdap.harbour-registrar.example", ["127.0.0.1"]]]);
      const refused = await checkRegistration("quillbrook.org", checkOptions(NOW, { rdapBootstrap: bootstrap, allowPrivateTargets: false, resolveOverrides }));
      expectOk(refused);
      expect(refused.supplementary_errors[0]).to.include({ reason: "private_address" });
      expect(registrar.received).to.deep.equal([]);
      const allowed = await checkRegistration("quillbrook.org", checkOptions(NOW, { rdapBootstrap: bootstrap, resolveOverrides }));
      expectOk(allowed);
      expect(allowed).to.deep.include({ registrar_expiry_date: NEXT_YEAR, supplementary_errors: [] });
      expect(registrar.received).to.deep.equal(["/domain/quillbrook.org"]);
    });

    it("follows a registrar's redirect (RFC 7480) through the guard, and refuses one to a URL with credentials", async () => {
      const registrar = await registrarServer();
      const moved = await rdap((path) => ({ status: 301, headers: { location: `${registrar.baseUrl.replace(/\/$/, "")}${path}` } }));
      const { bootstrap } = await orgRegistry({ expiry: IN_20_DAYS, link: `${moved.baseUrl}domain/quillbrook.org` });
      const r = await checkRegistration("quillbrook.org", checkOptions(NOW, { rdapBootstrap: bootstrap }));
      expectOk(r);
      expect(r).to.deep.include({ registrar_expiry_date: NEXT_YEAR, expiry_date: NEXT_YEAR, supplementary_errors: [] });
      expect(registrar.received).to.deep.equal(["/domain/quillbrook.org"]);

      const sneaky = await rdap(() => ({ status: 302, headers: { location: `http://user:secret@127.0.0.1:${registrar.port}/domain/quillbrook.org` } }));
      const { bootstrap: other } = await orgRegistry({ expiry: IN_20_DAYS, link: `${sneaky.baseUrl}domain/quillbrook.org` });
      const refused = await checkRegistration("quillbrook.org", checkOptions(NOW, { rdapBootstrap: other }));
      expectOk(refused);
      expect(refused.supplementary_errors[0]).to.include({ reason: "parse_error" });
      expect(registrar.received).to.have.length(1);
    });

    it("gives up on a redirect loop after a few hops", async () => {
      const loop = await rdap((path) => ({ status: 302, headers: { location: path } }));
      const { bootstrap } = await orgRegistry({ expiry: IN_20_DAYS, link: `${loop.baseUrl}domain/quillbrook.org` });
      const r = await checkRegistration("quillbrook.org", checkOptions(NOW, { rdapBootstrap: bootstrap }));
      expectOk(r);
      expect(r.supplementary_errors[0]).to.include({ reason: "server_error" });
      expect(loop.received).to.have.length(4);
    });

    it("guards a thin WHOIS registry's registrar referral the same way", async () => {
      const registrar = await whois(() => ({ body: REGISTRAR_ANSWER }));
      const registry = await whois(() => ({ body: THIN_REGISTRY.replace("{REFERRAL}", `127.0.0.1:${registrar.port}`) }));
      const r = await checkRegistration("example.com", checkOptions(NOW, { whoisServers: whoisFor("com", registry), allowPrivateTargets: false }));
      expectOk(r);
      expect(registrar.received).to.deep.equal([]);
      expect(r).to.deep.include({ registry_expiry_date: "2025-08-13T04:00:00.000Z", registrar_expiry_date: null });
      expect(r.supplementary_errors).to.deep.equal([
        { origin: "whois_registrar", server: `127.0.0.1:${registrar.port}`, reason: "private_address", message: r.supplementary_errors[0]?.message },
      ]);
    });

    it("refuses a link with credentials or another scheme without connecting", async () => {
      const registrar = await registrarServer();
      for (const href of [`http://user:secret@127.0.0.1:${registrar.port}/domain/quillbrook.org`, `ftp://127.0.0.1:${registrar.port}/domain/quillbrook.org`]) {
        const { bootstrap } = await orgRegistry({ expiry: IN_20_DAYS, link: href });
        const r = await checkRegistration("quillbrook.org", checkOptions(NOW, { rdapBootstrap: bootstrap }));
        expectOk(r);
        expect(r.supplementary_errors[0], href).to.include({ reason: "parse_error" });
      }
      expect(registrar.received).to.deep.equal([]);
    });
  });

  describe("an RDAP answer with no expiry at all (.fi, .no style) is completed from WHOIS", () => {
    const FI_WHOIS = [
      "domain.............: quillbrook.fi",
      "status.............: Registered",
      "created............: 5.4.2011 10:00:00",
      "expires............: 5.4.2026 10:00:00",
      "registrar..........: Registrar from WHOIS Oy",
      "nserver............: ns1.harbourlight.example [Technical Error]",
      "",
    ].join("\n");

    it("takes the missing expiry from WHOIS and says which source gave what", async () => {
      const registry = await rdap(() => ({ body: domainObject("quillbrook.fi", {}) }));
      const whoisServer = await whois(() => ({ body: FI_WHOIS }));
      const r = await checkRegistration(
        "quillbrook.fi",
        checkOptions(NOW, { rdapBootstrap: writeBootstrapFile(["fi"], registry.baseUrl), whoisServers: whoisFor("fi", whoisServer) }),
      );
      expectOk(r);
      expect(r).to.deep.include({
        source: "rdap",
        registrar: "Harbour Registrar LLC",
        created_date: "2011-04-05T10:00:00.000Z",
        registry_expiry_date: "2026-04-05T10:00:00.000Z",
        registrar_expiry_date: null,
        expiry_date: "2026-04-05T10:00:00.000Z",
        days_remaining: 459,
        nameservers: ["ns1.harbourlight.example", "ns2.harbourlight.example"],
        supplementary_errors: [],
      });
      expect(r.field_sources).to.deep.equal({
        registrar: "rdap_registry",
        created_date: "rdap_registry",
        expiry_date: "whois_registry",
        registry_expiry_date: "whois_registry",
        registrar_expiry_date: null,
        nameservers: "rdap_registry",
        dnssec: "rdap_registry",
      });
      expect(whoisServer.received).to.deep.equal(["quillbrook.fi"]);
      expect(r.raw.map((a) => a.source)).to.deep.equal(["rdap", "whois"]);
    });

    it("does not ask WHOIS when RDAP has an expiry", async () => {
      const registry = await rdap(() => ({ body: domainObject("quillbrook.fi", { expiry: NEXT_YEAR }) }));
      const whoisServer = await whois(() => ({ body: FI_WHOIS }));
      const r = await checkRegistration(
        "quillbrook.fi",
        checkOptions(NOW, { rdapBootstrap: writeBootstrapFile(["fi"], registry.baseUrl), whoisServers: whoisFor("fi", whoisServer) }),
      );
      expectOk(r);
      expect(r.field_sources?.expiry_date).to.equal("rdap_registry");
      expect(whoisServer.received).to.deep.equal([]);
    });

    it("keeps the RDAP answer and notes the error when WHOIS cannot help", async () => {
      const registry = await rdap(() => ({ body: domainObject("quillbrook.no", {}) }));
      const whoisServer = await whois(() => ({ body: "% Error: 4242 refused, per-client access limit reached\n" }));
      const r = await checkRegistration(
        "quillbrook.no",
        checkOptions(NOW, { rdapBootstrap: writeBootstrapFile(["no"], registry.baseUrl), whoisServers: whoisFor("no", whoisServer) }),
      );
      expectOk(r);
      expect(r).to.deep.include({ source: "rdap", registrar: "Harbour Registrar LLC", expiry_date: null, days_remaining: null });
      expect(r.supplementary_errors).to.have.length(1);
      expect(r.supplementary_errors[0]).to.include({ origin: "whois_registry", reason: "rate_limited" });
    });
  });
});
