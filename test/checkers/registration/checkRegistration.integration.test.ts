// checkRegistration against local RDAP (HTTP) and WHOIS (TCP) servers on 127.0.0.1.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { checkRegistration, type RegistrationCheckOptions } from "../../../src/checkers/registration/index.js";
import { unusedPort, writeBootstrapFile } from "../../support/registryServers.js";
import { checkOptions, closeServers, expectOk, rdap, whois, whoisFor } from "./localRegistries.js";
import { sharedDataOrSkip } from "../../support/sharedData.js";
import { LATIN1_REGISTRY, NOT_FOUND_ANSWERS, REGISTRAR_ANSWER, THIN_REGISTRY, THROTTLED_ANSWERS } from "./samples.js";

const NOW = new Date("2025-01-01T00:00:00Z");
const options = (extra: Partial<RegistrationCheckOptions> = {}) => checkOptions(NOW, extra);

describe("checkRegistration against local registry servers", () => {
  afterEach(closeServers);

  describe("over WHOIS (TCP)", () => {
    it("follows a thin registry's referral and reports the later (registrar) expiry", async () => {
      const registrar = await whois(() => ({ body: REGISTRAR_ANSWER }));
      const registry = await whois(() => ({ body: THIN_REGISTRY.replace("{REFERRAL}", `127.0.0.1:${registrar.port}`) }));
      const r = await checkRegistration("www.example.com", options({ whoisServers: whoisFor("com", registry) }));
      expectOk(r);
      expect(r).to.deep.include({
        domain: "example.com",
        source: "whois",
        server: `127.0.0.1:${registry.port}`,
        registrar: "Example Registrar, Inc.",
        created_date: "1995-08-14T04:00:00.000Z",
        registry_expiry_date: "2025-08-13T04:00:00.000Z",
        registrar_expiry_date: "2026-08-13T04:00:00.000Z",
        expiry_date: "2026-08-13T04:00:00.000Z",
        days_remaining: 589,
        dnssec: true,
      });
      expect(r.nameservers).to.deep.equal(["a.iana-servers.net", "b.iana-servers.net"]);
      expect(r.raw.map((a) => a.role)).to.deep.equal(["registry", "registrar"]);
      expect(registry.received).to.deep.equal(["example.com"]);
    });

    it("reports a throttle answer as rate_limited, then backs off without asking again", async () => {
      const registry = await whois(() => ({ body: THROTTLED_ANSWERS[0]! }));
      const opts = options({ whoisServers: whoisFor("org", registry) });
      const first = await checkRegistration("example.org", opts);
      expect(first).to.deep.include({ outcome: "failed", reason: "rate_limited", retry_after_seconds: 60 });
      const second = await checkRegistration("example.org", opts);
      expect(second).to.deep.include({ outcome: "failed", reason: "rate_limited" });
      expect(registry.received).to.have.length(1);
    });

    it("reports a 'no match' answer as not_found", async () => {
      const registry = await whois(() => ({ body: NOT_FOUND_ANSWERS[0]! }));
      const r = await checkRegistration("nope-example.com", options({ whoisServers: whoisFor("com", registry) }));
      expect(r).to.deep.include({ outcome: "failed", reason: "not_found", source: "whois" });
      expect(r.raw[0]?.body).to.contain("No match");
    });

    it("times out on a server that never answers", async () => {
      const registry = await whois(() => ({ body: "", hang: true }));
      const started = Date.now();
      const r = await checkRegistration("example.com", options({ whoisServers: whoisFor("com", registry), timeoutMs: 300 }));
      expect(r).to.deep.include({ outcome: "failed", reason: "timeout" });
      expect(Date.now() - started).to.be.below(1500);
    });

    it("caps an oversized answer and still reads what came within the cap", async () => {
      const flood = `${THIN_REGISTRY.replace("{REFERRAL}", "")}${"% padding line of a misbehaving server\n".repeat(50_000)}`;
      const registry = await whois(() => ({ body: flood }));
      const r = await checkRegistration("example.com", options({ whoisServers: whoisFor("com", registry), maxResponseBytes: 16_384 }));
      expectOk(r);
      expect(r.raw[0]).to.include({ truncated: true });
      expect(Buffer.byteLength(r.raw[0]!.body)).to.be.at.most(16_384);
      expect(r.expiry_date).to.equal("2025-08-13T04:00:00.000Z");
    });

    it("decodes a Latin-1 answer", async () => {
      const registry = await whois(() => ({ body: Buffer.from(LATIN1_REGISTRY, "latin1") }));
      const r = await checkRegistration("example.ee", options({ whoisServers: whoisFor("ee", registry) }));
      expectOk(r);
      expect(r.registrar).to.equal("Société Générale Domaines OÜ");
      expect(r.created_date).to.equal("2011-01-22T22:00:07.000Z");
    });

    it("asks IANA for the WHOIS server of a TLD no table knows, once", async () => {
      const registry = await whois(() => ({ body: LATIN1_REGISTRY }));
      const iana = await whois((tld) => ({ body: `% IANA WHOIS server\ndomain:       ${tld.toUpperCase()}\nrefer:        127.0.0.1:${registry.port}\n` }));
      const opts = options({ ianaWhois: { host: "127.0.0.1", port: iana.port } });
      expectOk(await checkRegistration("example.zz", opts));
      expectOk(await checkRegistration("other.zz", opts));
      expect(iana.received).to.deep.equal(["zz"]);
      expect(registry.received).to.deep.equal(["example.zz", "other.zz"]);
    });

    it("says unsupported_tld when neither RDAP nor WHOIS knows the TLD", async () => {
      const r = await checkRegistration("example.zz", options());
      expect(r).to.deep.include({ outcome: "failed", reason: "unsupported_tld" });
    });

    it("says connection_error when the WHOIS server refuses", async () => {
      const port = await unusedPort();
      const r = await checkRegistration("example.com", options({ whoisServers: new Map([["com", { host: "127.0.0.1", port }]]) }));
      expect(r).to.deep.include({ outcome: "failed", reason: "connection_error" });
    });

    it("says invalid_hostname for an IP address", async () => {
      expect(await checkRegistration("192.0.2.1", options())).to.deep.include({ outcome: "failed", reason: "invalid_hostname" });
    });
  });

  describe("over RDAP (HTTP)", () => {
    const googleCom = () => JSON.parse(readFileSync(path.join(rdapDir, "responses/google.com.json"), "utf8")) as Record<string, unknown>;
    let rdapDir = "";
    before(function () {
      rdapDir = sharedDataOrSkip(this, "rdap");
    });

    it("reads a registry answer (corpus google.com) and follows the registrar link", async () => {
      const registrarAnswer = { ...googleCom(), events: [{ eventAction: "expiration", eventDate: "2029-09-14T04:00:00Z" }], links: [] };
      const registrar = await rdap(() => ({ body: registrarAnswer }));
      const registryAnswer = {
        ...googleCom(),
        entities: [],
        links: [{ rel: "related", href: `${registrar.baseUrl}domain/GOOGLE.COM`, type: "application/rdap+json" }],
      };
      const registry = await rdap(() => ({ body: registryAnswer }));
      const r = await checkRegistration("mail.google.com", options({ rdapBootstrap: writeBootstrapFile(["com"], registry.baseUrl) }));
      expectOk(r);
      expect(registry.received).to.deep.equal(["/domain/google.com"]);
      expect(r).to.deep.include({
        source: "rdap",
        server: registry.baseUrl,
        registrar: "MarkMonitor Inc.",
        created_date: "1997-09-15T04:00:00.000Z",
        registry_expiry_date: "2028-09-14T04:00:00.000Z",
        registrar_expiry_date: "2029-09-14T04:00:00.000Z",
        expiry_date: "2029-09-14T04:00:00.000Z",
        dnssec: true,
      });
      expect(r.nameservers).to.deep.equal(["ns1.google.com", "ns2.google.com", "ns3.google.com", "ns4.google.com"]);
    });

    it("reports an RDAP 404 as not_found without falling back to WHOIS", async () => {
      const registry = await rdap(() => ({ status: 404, body: { errorCode: 404, title: "Not Found" } }));
      const r = await checkRegistration("nope-example.com", options({ rdapBootstrap: writeBootstrapFile(["com"], registry.baseUrl) }));
      expect(r).to.deep.include({ outcome: "failed", reason: "not_found", source: "rdap" });
    });

    it("reports no expiry (and no days_remaining) when the answer has no expiration event", async () => {
      const norway = JSON.parse(readFileSync(path.join(rdapDir, "responses/norway.no.json"), "utf8")) as unknown;
      const registry = await rdap(() => ({ body: norway }));
      const r = await checkRegistration("www.norway.no", options({ rdapBootstrap: writeBootstrapFile(["no"], registry.baseUrl) }));
      expectOk(r);
      expect(r).to.deep.include({ registrar: "Domeneshop AS", expiry_date: null, days_remaining: null, dnssec: null });
    });

    it("falls back to WHOIS when the RDAP server fails, and says why", async () => {
      const registry = await rdap(() => ({ status: 503 }));
      const whoisServer = await whois(() => ({ body: THIN_REGISTRY.replace("{REFERRAL}", "") }));
      const r = await checkRegistration(
        "example.com",
        options({ rdapBootstrap: writeBootstrapFile(["com"], registry.baseUrl), whoisServers: whoisFor("com", whoisServer) }),
      );
      expectOk(r);
      expect(r.source).to.equal("whois");
      expect(r.rdap_error).to.include({ reason: "server_error" });
    });

    it("takes HTTP 429 as a throttle: backs off that RDAP server and tries WHOIS", async () => {
      const registry = await rdap(() => ({ status: 429, headers: { "retry-after": "120" } }));
      const whoisServer = await whois(() => ({ body: THIN_REGISTRY.replace("{REFERRAL}", "") }));
      const opts = options({ rdapBootstrap: writeBootstrapFile(["com"], registry.baseUrl), whoisServers: whoisFor("com", whoisServer) });
      const first = await checkRegistration("example.com", opts);
      expectOk(first);
      expect(first.rdap_error).to.include({ reason: "rate_limited" });
      const second = await checkRegistration("example.com", opts);
      expectOk(second);
      expect(second.rdap_error?.message).to.contain("backing off");
      expect(registry.received).to.have.length(1);
    });
  });
});
