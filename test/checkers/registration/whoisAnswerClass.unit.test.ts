// The classification stage on its own (issue #10, section 6): registered / throttled /
// not_found / error, on invented answers in the shapes registries use. A throttle must never
// read as not_found (that would raise "Domain has expired"), and disclaimers are never evidence.
import { expect } from "chai";
import { parseWhois } from "../../../src/checkers/registration/index.js";
import { classifyWhoisAnswer } from "../../../src/checkers/registration/whois/answers.js";
import { NOT_FOUND_ANSWERS, THIN_REGISTRY, THROTTLED_ANSWERS } from "./samples.js";

const classOf = (text: string, tld = "example") => classifyWhoisAnswer(text, parseWhois(text, tld)).kind;

const DISCLAIMER = [
  "% The WHOIS service is provided for information purposes only. Exceeding query rate",
  "% limits may lead to your access being blocked. High-volume, automated queries are",
  "% prohibited; you agree to these terms by submitting a query.",
].join("\n");

describe("WHOIS answer classes (classification stage)", () => {
  describe("not_found", () => {
    const answers = [
      ...NOT_FOUND_ANSWERS,
      "Domain Name: quillbrook.example\nStatus: No Object Found\n",
      "Domain name: quillbrook.example\nStatus: Not Registered\n",
      "domain:  quillbrook.example\nDomain status: available\n",
      `${DISCLAIMER}\n\nThe domain quillbrook.example is available for registration.\n`,
      `${DISCLAIMER}\n\n%% No entries found for the selected source(s).\n`,
      "% Object quillbrook.example does not exist in the registry.\n",
      "No se encontró el dominio quillbrook.example\n",
      "Le domaine quillbrook.example n'existe pas.\n",
      "Domain quillbrook.example: nicht gefunden\n",
      "% No data was found to match the request criteria.\n",
    ];
    for (const text of answers) {
      it(`takes ${JSON.stringify(text.slice(-60))} as not_found`, () => expect(classOf(text)).to.equal("not_found"));
    }
    it("is not_found even when a disclaimer mentions query limits (not a throttle)", () => {
      expect(classOf(`${DISCLAIMER}\n\nNo match for "QUILLBROOK.EXAMPLE".\n`)).to.equal("not_found");
    });
  });

  describe("throttled", () => {
    const answers = [
      ...THROTTLED_ANSWERS,
      "% Error: 4242 refused, per-client access limit reached\n",
      "%% Daily limit reached for your address. Come back tomorrow.\n",
      `${DISCLAIMER}\n\n% Too many requests. Please slow down.\n`,
    ];
    for (const text of answers) {
      it(`takes ${JSON.stringify(text.slice(-60))} as throttled`, () => expect(classOf(text)).to.equal("throttled"));
    }
    it("is throttled, not not_found, when a throttle notice also says 'not found'", () => {
      expect(classOf("% Query limit exceeded; lookup not found in cache\n")).to.equal("throttled");
    });
  });

  describe("registered", () => {
    it("is registered when the answer carries data, whatever its disclaimer says", () => {
      expect(classOf(THIN_REGISTRY.replace("{REFERRAL}", "whois.registrar.example"), "com")).to.equal("registered");
      expect(classOf(`${DISCLAIMER}\n\nDomain: quillbrook.example\nExpires: 2026-04-05\n\nNot found what you were looking for? Try our search.\n`)).to.equal(
        "registered",
      );
    });
    it("is registered for a status alone that is a registration's (pendingDelete, redemption)", () => {
      expect(classOf("Domain: quillbrook.example\nStatus: pendingDelete\n")).to.equal("registered");
    });
  });

  describe("error", () => {
    it("says registry_error for a registry's own error notice", () => {
      for (const text of ["% Error: invalid query syntax\n", "Internal server error, please report to the registry\n", "%% Malformed request.\n"]) {
        expect(classifyWhoisAnswer(text, parseWhois(text, "example")), text).to.deep.equal({ kind: "error", cause: "registry_error" });
      }
    });
    it("says unreadable for an answer with nothing recognisable (only a disclaimer)", () => {
      expect(classifyWhoisAnswer(DISCLAIMER, parseWhois(DISCLAIMER, "example"))).to.deep.equal({ kind: "error", cause: "unreadable" });
    });
  });
});
