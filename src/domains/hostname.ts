// Hostnames are stored in one canonical form: lower case, no trailing dot, IDN as punycode.
// Two spellings of one host must collide in the "already monitored" rule.
import { domainToASCII } from "node:url";
import { isIP } from "node:net";

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export type HostnameResult = { ok: true; hostname: string } | { ok: false; reason: string };

export function normaliseHostname(input: string): HostnameResult {
  const trimmed = input.trim().replace(/\.$/, "");
  if (trimmed === "") return { ok: false, reason: "hostname is empty" };
  if (isIP(trimmed) || isIP(trimmed.replace(/^\[|\]$/g, ""))) {
    return { ok: false, reason: "hostname must be a domain name, not an IP address" };
  }
  if (/[/:@?#\s]/.test(trimmed)) return { ok: false, reason: "hostname must not contain a scheme, port, path or spaces" };
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (ascii === "") return { ok: false, reason: "hostname is not a valid domain name" };
  if (ascii.length > 253) return { ok: false, reason: "hostname is longer than 253 characters" };
  const labels = ascii.split(".");
  if (labels.length < 2) return { ok: false, reason: "hostname must be a fully qualified domain name (e.g. example.com)" };
  if (!labels.every((l) => LABEL.test(l))) return { ok: false, reason: "hostname has an invalid label" };
  if (/^[0-9]+$/.test(labels.at(-1)!)) return { ok: false, reason: "hostname has a numeric top-level domain" };
  return { ok: true, hostname: ascii };
}
