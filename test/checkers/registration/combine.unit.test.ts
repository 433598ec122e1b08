// The merge of registry, registrar, RDAP and WHOIS answers (pure): which answer gives each
// field, and the two expiry dates keeping their meaning.
import { expect } from "chai";
import { combineAnswers, type ParsedAnswer } from "../../../src/checkers/registration/combine.js";
import type { RegistrationRecord } from "../../../src/checkers/registration/record.js";

const empty: RegistrationRecord = {
  registrar: null, created: null, registryExpiry: null, registrarExpiry: null, nameservers: [], dnssec: null, statuses: [], referral: null,
};
const answer = (origin: ParsedAnswer["origin"], record: Partial<RegistrationRecord>): ParsedAnswer => ({ origin, record: { ...empty, ...record } });

describe("combineAnswers (registry, registrar, RDAP, WHOIS)", () => {
  it("takes each field from the first answer that has it, registry before registrar", () => {
    const { record, sources } = combineAnswers([
      answer("rdap_registry", { registrar: "Registry's Name", created: "2011-04-05T00:00:00.000Z", nameservers: [] }),
      answer("rdap_registrar", { registrar: "Registrar's Name", nameservers: ["ns1.harbourlight.example"], dnssec: true }),
    ]);
    expect(record).to.deep.include({ registrar: "Registry's Name", nameservers: ["ns1.harbourlight.example"], dnssec: true });
    expect(sources).to.include({ registrar: "rdap_registry", created_date: "rdap_registry", nameservers: "rdap_registrar", dnssec: "rdap_registrar" });
  });

  it("never takes a registrar's expiry as the registry's", () => {
    const { record, sources } = combineAnswers([answer("rdap_registry", {}), answer("rdap_registrar", { registryExpiry: "2026-01-21T00:00:00.000Z" })]);
    expect(record).to.deep.include({ registryExpiry: null, registrarExpiry: "2026-01-21T00:00:00.000Z" });
    expect(sources).to.include({ registry_expiry_date: null, registrar_expiry_date: "rdap_registrar", expiry_date: "rdap_registrar" });
  });

  it("prefers the registrar's own answer for the registrar's expiry over a registry's 'registrar expiration'", () => {
    const { record } = combineAnswers([
      answer("rdap_registry", { registryExpiry: "2025-01-21T00:00:00.000Z", registrarExpiry: "2025-06-01T00:00:00.000Z" }),
      answer("rdap_registrar", { registryExpiry: "2026-01-21T00:00:00.000Z" }),
    ]);
    expect(record).to.deep.include({ registryExpiry: "2025-01-21T00:00:00.000Z", registrarExpiry: "2026-01-21T00:00:00.000Z" });
  });

  it("names the later date's answer as expiry_date's source", () => {
    const later = (registry: string, registrar: string) =>
      combineAnswers([answer("whois_registry", { registryExpiry: registry }), answer("whois_registrar", { registrarExpiry: registrar })]).sources.expiry_date;
    expect(later("2025-01-21T00:00:00.000Z", "2026-01-21T00:00:00.000Z")).to.equal("whois_registrar");
    expect(later("2027-01-21T00:00:00.000Z", "2026-01-21T00:00:00.000Z")).to.equal("whois_registry");
  });

  it("fills only what RDAP left empty from WHOIS answers that come after it", () => {
    const { record, sources } = combineAnswers([
      answer("rdap_registry", { registrar: "RDAP Registrar", nameservers: ["ns1.harbourlight.example"] }),
      answer("whois_registry", { registrar: "WHOIS Registrar", registryExpiry: "2026-04-05T10:00:00.000Z", nameservers: ["ns9.other.example"] }),
    ]);
    expect(record).to.deep.include({ registrar: "RDAP Registrar", registryExpiry: "2026-04-05T10:00:00.000Z", nameservers: ["ns1.harbourlight.example"] });
    expect(sources).to.include({ registrar: "rdap_registry", registry_expiry_date: "whois_registry", nameservers: "rdap_registry" });
  });

  it("has no source for a field no answer has", () => {
    expect(combineAnswers([answer("rdap_registry", {})]).sources).to.deep.equal({
      registrar: null, created_date: null, expiry_date: null, registry_expiry_date: null, registrar_expiry_date: null, nameservers: null, dnssec: null,
    });
  });
});
