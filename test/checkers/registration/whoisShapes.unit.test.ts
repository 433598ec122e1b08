// Recognisers that generalise (issue #10, section 6): key synonyms per language, key/value
// splitting rules, name-server list detection, expiry inside a status and more date forms.
// Every sample is invented (made-up domains and hosts) in the shape a registry uses.
import { expect } from "chai";
import { parseWhois } from "../../../src/checkers/registration/index.js";
import { parseWhoisDate } from "../../../src/checkers/registration/whois/dates.js";

const NS = ["ns1.harbourlight.example", "ns2.harbourlight.example"];

describe("WHOIS recognisers (invented samples)", () => {
  describe("date keys in other words and languages", () => {
    const cases: Array<[string, "created" | "registryExpiry", string]> = [
      ["Fecha de Creacion: 2011-04-05", "created", "2011-04-05T00:00:00.000Z"],
      ["Fecha de Creación: 2011-04-05", "created", "2011-04-05T00:00:00.000Z"],
      ["Fecha de Vencimiento: 2026-04-05", "registryExpiry", "2026-04-05T00:00:00.000Z"],
      ["Expired: 2026-04-05", "registryExpiry", "2026-04-05T00:00:00.000Z"],
      ["activated on 2011-04-05", "created", "2011-04-05T00:00:00.000Z"],
      ["Activated on: 2011-04-05", "created", "2011-04-05T00:00:00.000Z"],
      ["Entry created: 2011-04-05", "created", "2011-04-05T00:00:00.000Z"],
      ["Domain Currently Expires: 2026-04-05", "registryExpiry", "2026-04-05T00:00:00.000Z"],
      ["Data de registo / Creation Date (dd/mm/yyyy): 05/04/2011", "created", "2011-04-05T00:00:00.000Z"],
      ["Data de expiração / Expiration Date (mm/dd/yyyy): 04/05/2026", "registryExpiry", "2026-04-05T00:00:00.000Z"],
      ["Data di scadenza: 2026-04-05", "registryExpiry", "2026-04-05T00:00:00.000Z"],
      ["Date de création: 2011-04-05", "created", "2011-04-05T00:00:00.000Z"],
    ];
    for (const [line, field, iso] of cases) {
      it(`reads "${line}" as ${field}`, () => expect(parseWhois(`Domain: quillbrook.example\n${line}\n`, "example")[field]).to.equal(iso));
    }

    it("does not take an update, a contact's or the registrar's own date for the registry's", () => {
      const r = parseWhois(
        ["Domain: quillbrook.example", "Last Modified: 2024-01-01", "Registrant Created: 2001-01-01", "Registrar Registration Expiration Date: 2027-04-05"].join("\n"),
        "example",
      );
      expect(r).to.deep.include({ created: null, registryExpiry: null, registrarExpiry: "2027-04-05T00:00:00.000Z" });
    });
  });

  describe("key/value splitting", () => {
    it("splits keys and values apart by spaces only", () => {
      const r = parseWhois(["Domain-name         quillbrook.example", "Create-date         2011-04-05", "Valid-date          2026-04-05", "Nserver             ns1.harbourlight.example"].join("\n"), "example");
      expect(r).to.deep.include({ created: "2011-04-05T00:00:00.000Z", registryExpiry: "2026-04-05T00:00:00.000Z", nameservers: ["ns1.harbourlight.example"] });
    });

    it("reads bracketed keys after a list letter, with the value on the next line when there is one", () => {
      const text = [
        "a [Domain Name]                 QUILLBROOK.EXAMPLE",
        "c [Record Created]              05-APR-2011",
        "d [Record Expires]              05-APR-2026",
        "k [Primary Name Server]         NSHARB0.SER",
        "  ns1.harbourlight.example      192.0.2.10",
        "l [Secondary Name Server]       NSHARB1.SER",
        "  ns2.harbourlight.example      192.0.2.11",
      ].join("\n");
      expect(parseWhois(text, "example")).to.deep.include({ created: "2011-04-05T00:00:00.000Z", registryExpiry: "2026-04-05T00:00:00.000Z", nameservers: NS });
    });
  });

  describe("name-server lists", () => {
    const cases: Array<[string, string]> = [
      ["a heading no rule knows", "Domain: quillbrook.example\n\nDelegated hosts:\n  ns1.harbourlight.example\n  ns2.harbourlight.example\n"],
      ["a bulleted list", "Dominio: quillbrook.example\nServidor(es) de Nombres de Dominio:\n   - ns1.harbourlight.example\n   - ns2.harbourlight.example\n"],
      ["a heading starting with **", "Domain: quillbrook.example\n** Domain Servers:\nns1.harbourlight.example\nns2.harbourlight.example\n"],
      ["zone records", "Domain: quillbrook.example\nNameserver: quillbrook.example\tNS\tns1.harbourlight.example.\nNameserver: quillbrook.example\tNS\tns2.harbourlight.example.\n"],
      ["zone records without a domain line", "Nameserver: quillbrook.example. 86400 IN NS ns1.harbourlight.example.\nNameserver: quillbrook.example. 86400 IN NS ns2.harbourlight.example.\n"],
      ["several hosts on one line", "Domain: quillbrook.example\nName Servers: ns1.harbourlight.example, ns2.harbourlight.example\n"],
      ["several hosts with addresses on one line", "Domain: quillbrook.example\nnserver: ns1.harbourlight.example 192.0.2.10 ns2.harbourlight.example 2001:db8::53\n"],
    ];
    for (const [what, text] of cases) {
      it(`reads ${what}`, () => expect(parseWhois(text, "example").nameservers).to.deep.equal(NS));
    }

    it("does not read the registrar's web and mail hosts under their headings as name servers", () => {
      const text = "Domain: quillbrook.example\n\nRegistrar website:\n  www.harbour-registrar.example\n  shop.harbour-registrar.example\n";
      expect(parseWhois(text, "example").nameservers).to.deep.equal([]);
    });
  });

  describe("expiry inside a status", () => {
    it("reads 'OK-UNTIL 20260405000000'", () => {
      expect(parseWhois("domain: quillbrook.example\nstatus: OK-UNTIL 20260405000000\n", "example").registryExpiry).to.equal("2026-04-05T00:00:00.000Z");
    });
    it("reads '[State] Connected (2026/04/30)'", () => {
      expect(parseWhois("[Domain Name] QUILLBROOK.EXAMPLE\n[State] Connected (2026/04/30)\n", "example").registryExpiry).to.equal("2026-04-30T00:00:00.000Z");
    });
    it("prefers an expiry key over a date in the status", () => {
      expect(parseWhois("domain: quillbrook.example\nstatus: OK-UNTIL 20260405000000\nexpires: 2026-05-01\n", "example").registryExpiry).to.equal(
        "2026-05-01T00:00:00.000Z",
      );
    });
  });

  describe("more date forms", () => {
    const cases: Array<[string, string | null]> = [
      ["2026-Apr-04.", "2026-04-04T00:00:00.000Z"],
      ["2026-Apr-04", "2026-04-04T00:00:00.000Z"],
      ["20260405000000", "2026-04-05T00:00:00.000Z"],
      ["20260405193000", "2026-04-05T19:30:00.000Z"],
      ["2026-04-05T19:00:-0500Z", "2026-04-06T00:00:00.000Z"],
      ["2026-04-05T19:00:+0200", "2026-04-05T17:00:00.000Z"],
      ["2026-04-05T19:00:00-0500", "2026-04-06T00:00:00.000Z"],
      ["20260405", "2026-04-05T00:00:00.000Z"],
      ["20260405999999", null],
    ];
    for (const [raw, iso] of cases) {
      it(`reads "${raw}" as ${iso ?? "no date"}`, () => expect(parseWhoisDate(raw)).to.equal(iso));
    }
    it("reads a bare YYYYMMDDhhmmss after a handle", () => {
      const r = parseWhois("domain: quillbrook.example\ncreated: 0-HARB 20110405000000\nexpires: 0-HARB 20260405000000\n", "example");
      expect(r).to.deep.include({ created: "2011-04-05T00:00:00.000Z", registryExpiry: "2026-04-05T00:00:00.000Z" });
    });
    it("still reads prose before a date as no date", () => {
      expect(parseWhois("domain: quillbrook.example\ncreated: before 1 January 1996\n", "example").created).to.equal(null);
    });
  });
});
